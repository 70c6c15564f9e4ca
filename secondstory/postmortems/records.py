"""Between the database and the plain postmortem record (``secondstory.core.record``).

``load_record`` makes the database match a record (create or update, never
duplicate) and ``record_for`` reads a postmortem back as a record. Export,
load and the demo organisation all go through these two functions.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from secondstory.accounts.models import Team, User
from secondstory.actions.models import ActionItem
from secondstory.core import taxonomy
from secondstory.core.invariants import Problem, Vocabulary, format_path, postmortem_problems
from secondstory.core.record import (
    ActionItemRecord,
    ExternalReference,
    FactorRecord,
    IncidentRecord,
    Milestone,
    Person,
    PostmortemRecord,
    Transition,
)
from secondstory.core.timeline.event import TimelineEvent as EventData
from secondstory.gamedays.records import (
    check_game_day,
    game_day_people,
    game_day_record,
    load_game_day,
)
from secondstory.incidents import models as incidents
from secondstory.incidents.models import (
    Incident,
    MilestoneKind,
    Service,
    Severity,
    Tag,
    TimelineEvent,
)
from secondstory.library.index import index_postmortem
from secondstory.postmortems.incident_loading import load_incident, plan_incidents
from secondstory.postmortems.models import (
    ContributingFactor,
    FactorCategory,
    Postmortem,
    PostmortemTransition,
)


class RecordInvalid(Exception):
    """The record breaks invariants; nothing was written."""

    def __init__(self, key: str, problems: list[Problem]) -> None:
        self.key = key
        self.problems = problems
        lines = [f"{format_path(p.path) or key}: {p.message}" for p in problems]
        super().__init__(f"postmortem {key or '(no key)'} is invalid: " + "; ".join(lines))


def vocabulary() -> Vocabulary:
    """The vocabularies configured in this installation."""
    return Vocabulary(
        severities=frozenset(Severity.objects.values_list("code", flat=True)),
        milestone_kinds=frozenset(MilestoneKind.objects.values_list("code", flat=True)),
        factor_categories=frozenset(FactorCategory.objects.values_list("code", flat=True)),
    )


def ensure_people(people: Iterable[Person]) -> dict[str, User]:
    """Users by username, creating the missing ones (without a usable password)."""
    wanted = {p.username: p for p in people}
    users = {u.username: u for u in User.objects.filter(username__in=wanted)}
    for username, person in wanted.items():
        if username not in users:
            user = User(username=username, display_name=person.name, email=person.email)
            user.set_unusable_password()
            user.save()
            users[username] = user
    return users


def _people_of(record: PostmortemRecord) -> list[Person]:
    return [record.people.get(name, Person(name, name)) for name in sorted(record.usernames())]


def _status_times(steps: list[Transition]) -> dict[str, datetime | None]:
    times: dict[str, datetime | None] = {
        "submitted_at": None,
        "approved_at": None,
        "published_at": None,
        "not_required_at": None,
    }
    field_for = {
        "in_review": "submitted_at",
        "approved": "approved_at",
        "published": "published_at",
        "not_required": "not_required_at",
    }
    for step in steps:
        if step.to_status in field_for:
            times[field_for[step.to_status]] = step.at
    return times


@transaction.atomic
def load_record(record: PostmortemRecord, *, vocab: Vocabulary | None = None) -> Postmortem:
    """Make the database hold this postmortem; all or nothing.

    The postmortem's own content (sections, factors, action items, lifecycle)
    becomes what the record says. Its incidents change only as far as the
    record gives them and never at another postmortem's expense (see
    ``incident_loading``).
    """
    problems = postmortem_problems(record, vocab or vocabulary())
    if problems:
        raise RecordInvalid(record.key, problems)
    plans, problems = plan_incidents(record)
    if record.game_day is not None:
        problems = [*problems, *check_game_day(record.game_day)]
    if problems:
        raise RecordInvalid(record.key, problems)
    users = ensure_people(_people_of(record))
    incidents = [load_incident(plan) for plan in plans]
    fields: dict[str, object] = {
        "title": record.title,
        "status": record.status,
        "owner": users[record.owner],
        "facilitator": users[record.facilitator] if record.facilitator else None,
        "not_required_reason": record.not_required_reason,
        **{name: record.sections.get(name, "") for name in taxonomy.SECTION_FIELDS},
        **_status_times(record.transitions),
    }
    if record.created_at is not None:
        fields["created_at"] = record.created_at
    postmortem, _ = Postmortem.objects.update_or_create(
        key=record.key, defaults=fields, create_defaults={"created_at": timezone.now(), **fields}
    )
    postmortem.incidents.set(incidents)
    postmortem.collaborators.set([users[name] for name in record.collaborators])
    postmortem.reviewers.set([users[name] for name in record.reviewers])
    events = {
        event.ref: event
        for event in TimelineEvent.objects.filter(incident__in=incidents).order_by("-incident_id")
    }
    factors = _sync_factors(postmortem, record.factors, events)
    _sync_action_items(postmortem, record.action_items, factors, users)
    postmortem.transitions.all().delete()
    PostmortemTransition.objects.bulk_create(
        PostmortemTransition(
            postmortem=postmortem,
            from_status=step.from_status,
            to_status=step.to_status,
            by=users[step.by],
            at=step.at,
            note=step.note,
        )
        for step in record.transitions
    )
    if record.game_day is not None:
        load_game_day(record.game_day, postmortem, incidents, users)
    index_postmortem(postmortem)
    return postmortem


def _sync_factors(
    postmortem: Postmortem, factors: list[FactorRecord], events: dict[str, TimelineEvent]
) -> dict[str, ContributingFactor]:
    categories = {c.code: c for c in FactorCategory.objects.all()}
    postmortem.factors.exclude(key__in=[f.key for f in factors]).delete()
    rows = {}
    for position, factor in enumerate(factors):
        row, _ = ContributingFactor.objects.update_or_create(
            postmortem=postmortem,
            key=factor.key,
            defaults={
                "position": position,
                "category": categories[factor.category],
                "description": factor.description,
                "evidence": factor.evidence,
            },
        )
        row.events.set([events[ref] for ref in factor.events])
        rows[factor.key] = row
    return rows


def _sync_action_items(
    postmortem: Postmortem,
    items: list[ActionItemRecord],
    factors: dict[str, ContributingFactor],
    users: dict[str, User],
) -> None:
    postmortem.action_items.exclude(key__in=[i.key for i in items]).delete()
    for position, item in enumerate(items):
        row, _ = ActionItem.objects.update_or_create(
            postmortem=postmortem,
            key=item.key,
            defaults={
                "position": position,
                "title": item.title,
                "type": item.type,
                "priority": item.priority,
                "owner": users[item.owner],
                "due": item.due,
                "status": item.status,
                "reason": item.reason,
                "done_criterion": item.done_criterion,
                "tracker_url": item.tracker_url,
                "completed_at": item.completed_at,
            },
        )
        row.factors.set([factors[key] for key in item.factors])


def postmortems_for_export(
    events: QuerySet[TimelineEvent] | None = None,
) -> QuerySet[Postmortem]:
    """Every postmortem with what ``record_for`` reads, fetched in few queries; ``events``
    narrows the timeline events read (default: every event, in the timeline's order).

    ``record_for`` puts every related list in its own order, so the related rows are read
    unordered (building and running each ORDER BY was a noticeable part of a revision);
    only the transitions keep the order they are listed in.
    """
    if events is None:
        events = TimelineEvent.objects.order_by("at", "source", "source_ref")
    people = User.objects.order_by()
    return Postmortem.objects.select_related("owner", "facilitator").prefetch_related(
        Prefetch("collaborators", queryset=people),
        Prefetch("reviewers", queryset=people),
        Prefetch(
            "incidents",
            queryset=Incident.objects.select_related("severity")
            .order_by()
            .prefetch_related(
                Prefetch("services", queryset=Service.objects.order_by()),
                Prefetch("teams", queryset=Team.objects.order_by()),
                Prefetch("tags", queryset=Tag.objects.order_by()),
                Prefetch(
                    "external_references", queryset=incidents.ExternalReference.objects.order_by()
                ),
                Prefetch(
                    "milestones",
                    queryset=incidents.Milestone.objects.select_related("kind").order_by(),
                ),
                Prefetch("timeline", queryset=events),
            ),
        ),
        Prefetch(
            "factors", queryset=ContributingFactor.objects.select_related("category").order_by()
        ),
        Prefetch("factors__events", queryset=TimelineEvent.objects.order_by()),
        Prefetch("action_items", queryset=ActionItem.objects.select_related("owner").order_by()),
        Prefetch("action_items__factors", queryset=ContributingFactor.objects.order_by()),
        Prefetch("transitions", queryset=PostmortemTransition.objects.select_related("by")),
    )


def _event_order(event: TimelineEvent) -> tuple[datetime, str, str]:
    return (event.at, event.source, event.source_ref)


def _incident_record(incident: Incident) -> IncidentRecord:
    milestones = sorted(incident.milestones.all(), key=lambda m: (m.kind.position, m.kind.code))
    return IncidentRecord(
        key=incident.key,
        title=incident.title,
        severity=incident.severity.code,
        visibility=incident.visibility,
        services=sorted(s.slug for s in incident.services.all()),
        teams=sorted(t.slug for t in incident.teams.all()),
        tags=sorted(t.slug for t in incident.tags.all()),
        external_references=[
            ExternalReference(r.system, r.identifier, r.url)
            for r in sorted(
                incident.external_references.all(), key=lambda r: (r.system, r.identifier)
            )
        ],
        milestones=[Milestone(m.kind.code, m.local_at) for m in milestones],
        milestone_order_note=incident.milestone_order_note,
        timeline=[
            EventData(
                at=e.local_at,
                kind=e.kind,
                source=e.source,
                source_ref=e.source_ref,
                text=e.text,
                actor=e.actor,
                actor_role=e.actor_role,
                starred=e.starred,
                known_at_the_time=e.known_at_the_time,
                evidence_url=e.evidence_url,
                raw=e.raw,
            )
            for e in sorted(incident.timeline.all(), key=_event_order)
        ],
    )


def record_for(postmortem: Postmortem) -> PostmortemRecord:
    """The postmortem as a plain record, in a deterministic order."""
    factors = sorted(postmortem.factors.all(), key=lambda f: (f.position, f.pk))
    factor_position = {f.pk: i for i, f in enumerate(factors)}
    items = sorted(postmortem.action_items.all(), key=lambda i: (i.position, i.pk))
    record = PostmortemRecord(
        key=postmortem.key,
        title=postmortem.title,
        owner=postmortem.owner.username,
        status=postmortem.status,
        facilitator=postmortem.facilitator.username if postmortem.facilitator else "",
        collaborators=sorted(u.username for u in postmortem.collaborators.all()),
        reviewers=sorted(u.username for u in postmortem.reviewers.all()),
        not_required_reason=postmortem.not_required_reason,
        created_at=postmortem.created_at,
        incidents=[
            _incident_record(i) for i in sorted(postmortem.incidents.all(), key=lambda i: i.key)
        ],
        sections={name: text for name, _, text in postmortem.sections() if text},
        factors=[
            FactorRecord(
                key=f.key,
                category=f.category.code,
                description=f.description,
                evidence=f.evidence,
                events=[e.ref for e in sorted(f.events.all(), key=_event_order)],
            )
            for f in factors
        ],
        action_items=[
            ActionItemRecord(
                key=i.key,
                title=i.title,
                type=i.type,
                priority=i.priority,
                owner=i.owner.username,
                due=i.due,
                status=i.status,
                reason=i.reason,
                done_criterion=i.done_criterion,
                tracker_url=i.tracker_url,
                factors=[
                    f.key for f in sorted(i.factors.all(), key=lambda f: factor_position[f.pk])
                ],
                completed_at=i.completed_at,
            )
            for i in items
        ],
        transitions=[
            Transition(t.from_status, t.to_status, t.by.username, t.at, t.note)
            for t in postmortem.transitions.all()
        ],
    )
    users = {postmortem.owner.username: postmortem.owner}
    users.update({u.username: u for u in postmortem.collaborators.all()})
    users.update({u.username: u for u in postmortem.reviewers.all()})
    users.update({i.owner.username: i.owner for i in items})
    users.update({t.by.username: t.by for t in postmortem.transitions.all()})
    if postmortem.facilitator:
        users[postmortem.facilitator.username] = postmortem.facilitator
    record.game_day = game_day_record(postmortem)
    if record.game_day is not None:
        users.update(game_day_people(postmortem))
    record.people = {
        name: Person(name, users[name].name, users[name].email) for name in sorted(users)
    }
    return record
