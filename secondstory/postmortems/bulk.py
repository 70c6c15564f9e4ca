"""Insert many new postmortem records fast (used by ``secondstory demo --scale``).

``records.load_record`` is the general path (create or update, one record at a
time). This one only inserts records whose keys are new, in batches of plain
multi-row INSERTs (``bulk_rows``), so that a hundred thousand incidents load in
minutes and in constant memory. Records whose key already exists are skipped, so a second
run adds nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from itertools import islice
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from secondstory.accounts.models import Team, User
from secondstory.actions.models import ActionItem
from secondstory.core import taxonomy
from secondstory.core.ahead import ahead
from secondstory.core.invariants import Problem, Vocabulary, postmortem_problems
from secondstory.core.record import IncidentRecord, PostmortemRecord
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
from secondstory.insights.bulk_fill import bulk_kept
from secondstory.library.index import index_keys
from secondstory.postmortems.bulk_rows import Table, insert, pairs
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


class _Tables:
    """The tables the loader writes, read from the models once."""

    def __init__(self) -> None:
        self.incident = Table(Incident)
        self.reference = Table(ExternalReference)
        self.milestone = Table(Milestone)
        self.event = Table(TimelineEvent)
        self.postmortem = Table(Postmortem)
        self.factor = Table(ContributingFactor)
        self.item = Table(ActionItem)
        self.transition = Table(PostmortemTransition)
        self.services = pairs(Incident.services)
        self.teams = pairs(Incident.teams)
        self.tags = pairs(Incident.tags)
        self.links = pairs(Postmortem.incidents)
        self.collaborators = pairs(Postmortem.collaborators)
        self.reviewers = pairs(Postmortem.reviewers)
        self.factor_events = pairs(ContributingFactor.events)
        self.item_factors = pairs(ActionItem.factors)


def _insert_batch(
    batch: list[PostmortemRecord], look: _Lookups, t: _Tables, note: Callable[[list[int]], None]
) -> None:
    keys = [i.key for r in batch for i in r.incidents]
    taken = list(Incident.objects.filter(key__in=keys).values_list("key", flat=True)[:1])
    if taken:
        # The fast path only inserts: an existing incident needs the general loader.
        raise ValueError(f"incident {taken[0]} exists already; load its postmortem with `load`")
    now = timezone.now()
    new_incidents: dict[str, IncidentRecord] = {}
    for record in batch:
        look.people(record)
        for data in record.incidents:
            new_incidents.setdefault(data.key, data)
    rows = [
        t.incident.row(
            {
                "key": data.key,
                "title": data.title,
                "severity_id": look.severities[data.severity].pk,
                "visibility": data.visibility,
                "milestone_order_note": data.milestone_order_note,
            },
            now,
        )
        for data in new_incidents.values()
    ]
    incidents = dict(zip(new_incidents, insert(t.incident, rows, returning=True), strict=True))
    services, teams, tags, milestones, references = [], [], [], [], []
    events: dict[tuple[str, str], tuple[Any, ...]] = {}
    for data in new_incidents.values():
        incident = incidents[data.key]
        services += [(incident, look.service(s).pk) for s in data.services]
        teams += [(incident, look.team(s).pk) for s in data.teams]
        tags += [(incident, look.tag(s).pk) for s in data.tags]
        references += [
            t.reference.row(
                {
                    "incident_id": incident,
                    "system": r.system,
                    "identifier": r.identifier,
                    "url": r.url,
                },
                now,
            )
            for r in data.external_references
        ]
        milestones += [
            t.milestone.row(
                {
                    "incident_id": incident,
                    "kind_id": look.kinds[m.kind].pk,
                    "at": m.at,
                    "utc_offset_minutes": offset_minutes(m.at),
                },
                now,
            )
            for m in data.milestones
        ]
        for event in data.timeline:
            fields = event_fields(event)
            fields.update(incident_id=incident, source=event.source, source_ref=event.source_ref)
            events[(data.key, event.ref)] = t.event.row(fields, now)
    insert(t.services, services)
    insert(t.teams, teams)
    insert(t.tags, tags)
    insert(t.reference, references)
    insert(t.milestone, milestones)
    note(list(incidents.values()))  # their starts and durations are filled set-based
    event_ids = insert(t.event, list(events.values()), returning=True)
    _insert_postmortems(batch, look, t, now, incidents, dict(zip(events, event_ids, strict=True)))


def _insert_postmortems(
    batch: list[PostmortemRecord],
    look: _Lookups,
    t: _Tables,
    now: datetime,
    incidents: dict[str, int],
    events: dict[tuple[str, str], int],
) -> None:
    rows = [
        t.postmortem.row(
            {
                "key": r.key,
                "title": r.title,
                "status": r.status,
                "owner_id": look.users[r.owner].pk,
                "facilitator_id": look.users[r.facilitator].pk if r.facilitator else None,
                "not_required_reason": r.not_required_reason,
                "created_at": r.created_at or now,
                **{name: r.sections.get(name, "") for name in taxonomy.SECTION_FIELDS},
                **_status_times(r.transitions),
            },
            now,
        )
        for r in batch
    ]
    postmortems = insert(t.postmortem, rows, returning=True)
    links, collaborators, reviewers, factor_events, item_factors = [], [], [], [], []
    factors, items, transitions = [], [], []
    factor_refs: list[tuple[PostmortemRecord, int, str, list[str]]] = []
    item_refs: list[tuple[int, list[str]]] = []
    for record, postmortem in zip(batch, postmortems, strict=True):
        links += [(postmortem, incidents[i.key]) for i in record.incidents]
        collaborators += [(postmortem, look.users[u].pk) for u in record.collaborators]
        reviewers += [(postmortem, look.users[u].pk) for u in record.reviewers]
        for position, f in enumerate(record.factors):
            factor = {
                "postmortem_id": postmortem,
                "key": f.key,
                "position": position,
                "category_id": look.categories[f.category].pk,
                "description": f.description,
                "evidence": f.evidence,
            }
            factors.append(t.factor.row(factor, now))
            factor_refs.append((record, postmortem, f.key, f.events))
        for position, a in enumerate(record.action_items):
            item = {
                "postmortem_id": postmortem,
                "key": a.key,
                "position": position,
                "title": a.title,
                "type": a.type,
                "priority": a.priority,
                "owner_id": look.users[a.owner].pk,
                "due": a.due,
                "status": a.status,
                "reason": a.reason,
                "done_criterion": a.done_criterion,
                "tracker_url": a.tracker_url,
                "completed_at": a.completed_at,
            }
            items.append(t.item.row(item, now))
            item_refs.append((postmortem, a.factors))
        transitions += [
            t.transition.row(
                {
                    "postmortem_id": postmortem,
                    "from_status": s.from_status,
                    "to_status": s.to_status,
                    "by_id": look.users[s.by].pk,
                    "at": s.at,
                    "note": s.note,
                },
                now,
            )
            for s in record.transitions
        ]
    insert(t.links, links)
    insert(t.collaborators, collaborators)
    insert(t.reviewers, reviewers)
    factor_ids = insert(t.factor, factors, returning=True)
    factor_of: dict[tuple[int, str], int] = {}
    for (record, postmortem, key, refs), pk in zip(factor_refs, factor_ids, strict=True):
        factor_of[(postmortem, key)] = pk
        keys = {i.key for i in record.incidents}
        for ref in refs:
            event = next(events[(k, ref)] for k in keys if (k, ref) in events)
            factor_events.append((pk, event))
    item_ids = insert(t.item, items, returning=True)
    for (postmortem, refs), pk in zip(item_refs, item_ids, strict=True):
        item_factors += [(pk, factor_of[(postmortem, key)]) for key in refs]
    insert(t.factor_events, factor_events)
    insert(t.item_factors, item_factors)
    insert(t.transition, transitions)


def bulk_insert(
    records: Iterable[PostmortemRecord],
    *,
    batch_size: int = 500,
    on_batch: Callable[[int], None] = lambda n: None,
    vocab: Vocabulary | None = None,
) -> tuple[int, int]:
    """Insert the records whose keys are new; return (inserted, skipped).

    ``records`` is read and checked in a worker thread (``core.ahead``): it must not use
    the database. The records of a batch are inserted in one transaction, or none of them.
    """
    vocab = vocab or vocabulary()
    look = _Lookups()
    tables = _Tables()
    inserted = skipped = 0

    def checked(batch: list[PostmortemRecord]) -> list[tuple[PostmortemRecord, list[Problem]]]:
        return [(record, postmortem_problems(record, vocab)) for record in batch]

    # The next batch is generated and checked while this one is written.
    for batch in ahead(_batches(records, batch_size), checked):
        keys = [record.key for record, _ in batch]
        taken = set(Postmortem.objects.filter(key__in=keys).values_list("key", flat=True))
        fresh = [record for record, _ in batch if record.key not in taken]
        for record, problems in batch:
            if problems and record.key not in taken:
                raise RecordInvalid(record.key, problems)
        if fresh:
            with transaction.atomic():
                with bulk_kept(connection) as note:
                    _insert_batch(fresh, look, tables, note)
                index_keys([r.key for r in fresh])
        inserted += len(fresh)
        skipped += len(batch) - len(fresh)
        on_batch(len(batch))
    return inserted, skipped
