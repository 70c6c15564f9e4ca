"""Insert many new postmortem records fast (used by ``secondstory demo --scale``).

``records.load_record`` is the general path (create or update, one record at a
time). This one only inserts records whose keys are new, in batches with
``bulk_create``, so that hundreds of thousands of incidents load in minutes and
in constant memory. Records whose key already exists are skipped, so a second
run adds nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from secondstory.accounts.models import Team, User
from secondstory.actions.models import ActionItem
from secondstory.core import taxonomy
from secondstory.core.invariants import Vocabulary, postmortem_problems
from secondstory.core.record import PostmortemRecord
from secondstory.core.timeline.event import offset_minutes
from secondstory.incidents.models import (
    ExternalReference,
    Incident,
    Milestone,
    MilestoneKind,
    Service,
    Severity,
    Tag,
    TimelineEvent,
)
from secondstory.incidents.services import (
    event_fields,
    name_from_slug,
)
from secondstory.library.index import index_keys
from secondstory.postmortems.models import (
    ContributingFactor,
    FactorCategory,
    Postmortem,
    PostmortemTransition,
)
from secondstory.postmortems.records import RecordInvalid, _status_times, ensure_people, vocabulary


def _batches(records: Iterable[PostmortemRecord], size: int) -> Iterator[list[PostmortemRecord]]:
    iterator = iter(records)
    while batch := list(islice(iterator, size)):
        yield batch


class _Lookups:
    """Rows the records refer to by code or slug, fetched once and created on demand."""

    def __init__(self) -> None:
        self.severities = {s.code: s for s in Severity.objects.all()}
        self.kinds = {k.code: k for k in MilestoneKind.objects.all()}
        self.categories = {c.code: c for c in FactorCategory.objects.all()}
        self.services = {s.slug: s for s in Service.objects.all()}
        self.teams = {t.slug: t for t in Team.objects.all()}
        self.tags = {t.slug: t for t in Tag.objects.all()}
        self.users: dict[str, User] = {}

    def service(self, slug: str) -> Service:
        if slug not in self.services:
            self.services[slug], _ = Service.objects.get_or_create(
                slug=slug, defaults={"name": name_from_slug(slug)}
            )
        return self.services[slug]

    def team(self, slug: str) -> Team:
        if slug not in self.teams:
            self.teams[slug], _ = Team.objects.get_or_create(
                slug=slug, defaults={"name": name_from_slug(slug)}
            )
        return self.teams[slug]

    def tag(self, slug: str) -> Tag:
        if slug not in self.tags:
            self.tags[slug], _ = Tag.objects.get_or_create(slug=slug)
        return self.tags[slug]

    def people(self, record: PostmortemRecord) -> None:
        missing = [record.people[name] for name in record.usernames() if name not in self.users]
        if missing:
            self.users.update(ensure_people(missing))


def _through(field: Any, rows: list[tuple[int, int]]) -> None:
    """Bulk-create rows of a many-to-many table from (source id, target id) pairs."""
    through: type[models.Model] = field.through
    source = field.field.m2m_field_name() + "_id"
    target = field.field.m2m_reverse_field_name() + "_id"
    through.objects.bulk_create(
        [through(**{source: a, target: b}) for a, b in rows], batch_size=2000
    )


def _insert_batch(batch: list[PostmortemRecord], look: _Lookups) -> None:
    incidents: dict[str, Incident] = {}
    new_incidents = []
    keys = [i.key for r in batch for i in r.incidents]
    taken = list(Incident.objects.filter(key__in=keys).values_list("key", flat=True)[:1])
    if taken:
        # The fast path only inserts: an existing incident needs the general loader.
        raise ValueError(f"incident {taken[0]} exists already; load its postmortem with `load`")
    for record in batch:
        look.people(record)
        for data in record.incidents:
            if data.key in incidents:
                continue
            incidents[data.key] = Incident(
                key=data.key,
                title=data.title,
                severity=look.severities[data.severity],
                visibility=data.visibility,
                milestone_order_note=data.milestone_order_note,
            )
            new_incidents.append(data)
    Incident.objects.bulk_create([incidents[d.key] for d in new_incidents], batch_size=500)
    services, teams, tags, milestones, references = [], [], [], [], []
    events: dict[tuple[str, str], TimelineEvent] = {}
    for data in new_incidents:
        incident = incidents[data.key]
        services += [(incident.pk, look.service(s).pk) for s in data.services]
        teams += [(incident.pk, look.team(t).pk) for t in data.teams]
        tags += [(incident.pk, look.tag(t).pk) for t in data.tags]
        references += [
            ExternalReference(
                incident=incident, system=r.system, identifier=r.identifier, url=r.url
            )
            for r in data.external_references
        ]
        milestones += [
            Milestone(
                incident=incident,
                kind=look.kinds[m.kind],
                at=m.at,
                utc_offset_minutes=offset_minutes(m.at),
            )
            for m in data.milestones
        ]
        for event in data.timeline:
            events[(data.key, event.ref)] = TimelineEvent(
                incident=incident,
                source=event.source,
                source_ref=event.source_ref,
                **event_fields(event),  # type: ignore[arg-type]
            )
    _through(Incident.services, services)
    _through(Incident.teams, teams)
    _through(Incident.tags, tags)
    ExternalReference.objects.bulk_create(references, batch_size=1000)
    Milestone.objects.bulk_create(milestones, batch_size=1000)
    TimelineEvent.objects.bulk_create(list(events.values()), batch_size=1000)
    _insert_postmortems(batch, look, incidents, events)


def _insert_postmortems(
    batch: list[PostmortemRecord],
    look: _Lookups,
    incidents: dict[str, Incident],
    events: dict[tuple[str, str], TimelineEvent],
) -> None:
    now = timezone.now()
    postmortems = [
        Postmortem(
            key=r.key,
            title=r.title,
            status=r.status,
            owner=look.users[r.owner],
            facilitator=look.users[r.facilitator] if r.facilitator else None,
            not_required_reason=r.not_required_reason,
            created_at=r.created_at or now,
            **{name: r.sections.get(name, "") for name in taxonomy.SECTION_FIELDS},
            **_status_times(r.transitions),
        )
        for r in batch
    ]
    Postmortem.objects.bulk_create(postmortems, batch_size=500)
    links, collaborators, reviewers, factor_events, item_factors = [], [], [], [], []
    factors, items, transitions = [], [], []
    factor_rows: dict[tuple[int, str], ContributingFactor] = {}
    for record, postmortem in zip(batch, postmortems, strict=True):
        links += [(postmortem.pk, incidents[i.key].pk) for i in record.incidents]
        collaborators += [(postmortem.pk, look.users[u].pk) for u in record.collaborators]
        reviewers += [(postmortem.pk, look.users[u].pk) for u in record.reviewers]
        for position, f in enumerate(record.factors):
            row = ContributingFactor(
                postmortem=postmortem,
                key=f.key,
                position=position,
                category=look.categories[f.category],
                description=f.description,
                evidence=f.evidence,
            )
            factor_rows[(postmortem.pk, f.key)] = row
            factors.append((record, row, f.events))
        for position, a in enumerate(record.action_items):
            item = ActionItem(
                postmortem=postmortem,
                key=a.key,
                position=position,
                title=a.title,
                type=a.type,
                priority=a.priority,
                owner=look.users[a.owner],
                due=a.due,
                status=a.status,
                reason=a.reason,
                done_criterion=a.done_criterion,
                tracker_url=a.tracker_url,
                completed_at=a.completed_at,
            )
            items.append((postmortem, item, a.factors))
        transitions += [
            PostmortemTransition(
                postmortem=postmortem,
                from_status=t.from_status,
                to_status=t.to_status,
                by=look.users[t.by],
                at=t.at,
                note=t.note,
            )
            for t in record.transitions
        ]
    _through(Postmortem.incidents, links)
    _through(Postmortem.collaborators, collaborators)
    _through(Postmortem.reviewers, reviewers)
    ContributingFactor.objects.bulk_create([row for _, row, _ in factors], batch_size=1000)
    for record, row, refs in factors:
        keys = {i.key for i in record.incidents}
        for ref in refs:
            event = next(events[(k, ref)] for k in keys if (k, ref) in events)
            factor_events.append((row.pk, event.pk))
    ActionItem.objects.bulk_create([item for _, item, _ in items], batch_size=1000)
    for postmortem, item, keys in items:
        item_factors += [(item.pk, factor_rows[(postmortem.pk, key)].pk) for key in keys]
    _through(ContributingFactor.events, factor_events)
    _through(ActionItem.factors, item_factors)
    PostmortemTransition.objects.bulk_create(transitions, batch_size=1000)


def bulk_insert(
    records: Iterable[PostmortemRecord],
    *,
    batch_size: int = 500,
    on_batch: Callable[[int], None] = lambda n: None,
    vocab: Vocabulary | None = None,
) -> tuple[int, int]:
    """Insert the records whose keys are new; return (inserted, skipped)."""
    vocab = vocab or vocabulary()
    look = _Lookups()
    inserted = skipped = 0
    for batch in _batches(records, batch_size):
        taken = set(
            Postmortem.objects.filter(key__in=[r.key for r in batch]).values_list("key", flat=True)
        )
        fresh = [r for r in batch if r.key not in taken]
        for record in fresh:
            problems = postmortem_problems(record, vocab)
            if problems:
                raise RecordInvalid(record.key, problems)
        with transaction.atomic():
            _insert_batch(fresh, look)
            index_keys([r.key for r in fresh])
        inserted += len(fresh)
        skipped += len(batch) - len(fresh)
        on_batch(len(batch))
    return inserted, skipped
