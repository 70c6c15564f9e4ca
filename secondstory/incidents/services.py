"""Operations on incidents, milestones and timelines, shared by views, the CLI and loaders."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet

from secondstory.accounts.models import Team, User
from secondstory.core import taxonomy
from secondstory.core.invariants import milestone_order_problems
from secondstory.core.record import IncidentRecord
from secondstory.core.record import Milestone as MilestoneData
from secondstory.core.timeline.event import TimelineEvent as EventData
from secondstory.core.timeline.event import offset_minutes
from secondstory.incidents.models import (
    DurationMetric,
    ExternalReference,
    Incident,
    Milestone,
    MilestoneKind,
    Service,
    Severity,
    Tag,
    TimelineEvent,
)
from secondstory.lib.concurrency import check_base, fingerprint


@dataclass(frozen=True, slots=True)
class DurationRow:
    """A derived duration, always shown with its definition."""

    code: str
    name: str
    definition: str
    value: timedelta | None


def durations(incident: Incident) -> list[DurationRow]:
    """Every configured duration metric of the incident (None where a milestone is missing)."""
    at = {m.kind.code: m.at for m in incident.milestones.all()}
    rows = []
    for metric in DurationMetric.objects.select_related("start", "end"):
        start, end = at.get(metric.start.code), at.get(metric.end.code)
        value = end - start if start is not None and end is not None else None
        rows.append(DurationRow(metric.code, metric.name, metric.definition, value))
    return rows


def format_duration(value: timedelta | None) -> str:
    """``1 d 2 h 5 min`` style, or an em dash when unknown."""
    if value is None:
        return "—"
    sign = "−" if value < timedelta(0) else ""
    minutes = int(abs(value).total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [f"{days} d"] if days else []
    if hours:
        parts.append(f"{hours} h")
    if minutes or not parts:
        parts.append(f"{minutes} min")
    return sign + " ".join(parts)


def event_fields(event: EventData) -> dict[str, object]:
    """Model field values for a plain timeline event."""
    return {
        "at": event.utc,
        "utc_offset_minutes": offset_minutes(event.at),
        "kind": event.kind,
        "actor": event.actor,
        "actor_role": event.actor_role,
        "text": event.text,
        "starred": event.starred,
        "known_at_the_time": event.known_at_the_time,
        "evidence_url": event.evidence_url,
        "raw": event.raw,
    }


def add_timeline_event(incident: Incident, event: EventData) -> TimelineEvent:
    """Add one event; a second event with the same source reference is refused."""
    if TimelineEvent.objects.filter(
        incident=incident, source=event.source, source_ref=event.source_ref
    ).exists():
        raise ValidationError(
            {
                "source_ref": f"incident {incident.key} already has an event with source "
                f"reference {event.ref!r}"
            }
        )
    row = TimelineEvent(incident=incident, source=event.source, source_ref=event.source_ref)
    for name, value in event_fields(event).items():
        setattr(row, name, value)
    row.full_clean(validate_constraints=False)
    row.save()
    return row


def _slugged(model: type[Service] | type[Team] | type[Tag], slugs: Iterable[str]) -> list[object]:
    rows = []
    for slug in slugs:
        if model is Tag:
            row, _ = Tag.objects.get_or_create(slug=slug)
        else:
            name = slug.replace("-", " ").replace("_", " ").title()
            row, _ = model.objects.get_or_create(slug=slug, defaults={"name": name})
        rows.append(row)
    return rows


def _sync_timeline(incident: Incident, events: list[EventData]) -> None:
    existing = {(e.source, e.source_ref): e for e in incident.timeline.all()}
    wanted = set()
    for event in events:
        key = (event.source, event.source_ref)
        wanted.add(key)
        fields = event_fields(event)
        row = existing.get(key)
        if row is None:
            TimelineEvent.objects.create(
                incident=incident, source=event.source, source_ref=event.source_ref, **fields
            )
        elif any(getattr(row, name) != value for name, value in fields.items()):
            for name, value in fields.items():
                setattr(row, name, value)
            row.save()
    stale = [row.pk for key, row in existing.items() if key not in wanted]
    if stale:
        TimelineEvent.objects.filter(pk__in=stale).delete()


@transaction.atomic
def upsert_incident(record: IncidentRecord) -> Incident:
    """Create or update an incident so that it matches the record exactly."""
    severity = Severity.objects.get(code=record.severity)
    incident, _ = Incident.objects.update_or_create(
        key=record.key,
        defaults={
            "title": record.title,
            "severity": severity,
            "visibility": record.visibility,
            "milestone_order_note": record.milestone_order_note,
        },
    )
    incident.services.set(_slugged(Service, record.services))
    incident.teams.set(_slugged(Team, record.teams))
    incident.tags.set(_slugged(Tag, record.tags))
    incident.external_references.all().delete()
    ExternalReference.objects.bulk_create(
        ExternalReference(incident=incident, system=r.system, identifier=r.identifier, url=r.url)
        for r in record.external_references
    )
    kinds = {k.code: k for k in MilestoneKind.objects.all()}
    incident.milestones.all().delete()
    Milestone.objects.bulk_create(
        Milestone(
            incident=incident,
            kind=kinds[m.kind],
            at=m.at,
            utc_offset_minutes=offset_minutes(m.at),
        )
        for m in record.milestones
    )
    _sync_timeline(incident, record.timeline)
    return incident


# --- Writing incidents from the browser: access, keys, create and update ---------------------

_KEY_PREFIX = "INC-"
_KEY_NUMBER = re.compile(r"^INC-(\d+)\Z")
_SLUG = re.compile(r"^[-a-zA-Z0-9_]+\Z")


@dataclass(frozen=True, slots=True)
class IncidentFields:
    """What a person types into the incident form, already parsed.

    ``milestones`` maps a milestone kind's code to an aware instant carrying the
    offset it was typed in; a kind left out has no milestone.
    """

    title: str
    severity: Severity
    visibility: str
    services: list[Service]
    teams: list[Team]
    tags: list[str]
    external_references: list[tuple[str, str, str]]  # (system, identifier, url)
    milestones: dict[str, datetime]
    milestone_order_note: str = ""


def _named_on_postmortems(user: User) -> Exists:
    from secondstory.postmortems.models import Postmortem

    return Exists(
        Postmortem.objects.filter(incidents=OuterRef("pk")).filter(
            Q(owner=user) | Q(facilitator=user) | Q(collaborators=user) | Q(reviewers=user)
        )
    )


def visible_incidents(user: User) -> QuerySet[Incident]:
    """The incidents ``user`` may read.

    Internal incidents are open to everyone signed in; a restricted one only to
    staff, the members of its teams and the people named on its postmortems.
    """
    everything = Incident.objects.all()
    if user.is_staff or user.is_superuser:
        return everything
    in_team = Exists(Team.objects.filter(incidents=OuterRef("pk"), members=user))
    return everything.filter(~Q(visibility="restricted") | in_team | _named_on_postmortems(user))


def can_read_incident(user: User, incident: Incident) -> bool:
    return visible_incidents(user).filter(pk=incident.pk).exists()


def can_edit_incident(user: User, incident: Incident) -> bool:
    """Staff, the members of its teams and whoever can edit one of its postmortems."""
    from secondstory.postmortems.models import Postmortem

    if not user.is_authenticated:
        return False
    if user.is_staff or incident.teams.filter(members=user).exists():
        return True
    return (
        Postmortem.objects.filter(incidents=incident)
        .filter(Q(owner=user) | Q(collaborators=user))
        .exists()
    )


def next_incident_key() -> str:
    """``INC-NNNN``, one past the highest number in use (gaps are never filled).

    >>> next_incident_key()  # doctest: +SKIP
    'INC-0042'
    """
    numbers = [
        int(match.group(1))
        for key in Incident.objects.filter(key__startswith=_KEY_PREFIX).values_list(
            "key", flat=True
        )
        if (match := _KEY_NUMBER.match(key))
    ]
    return f"{_KEY_PREFIX}{max(numbers, default=0) + 1:04d}"


def incident_fields(incident: Incident) -> IncidentFields:
    """The incident's current values, in the shape the form produces."""
    return IncidentFields(
        title=incident.title,
        severity=incident.severity,
        visibility=incident.visibility,
        services=list(incident.services.all()),
        teams=list(incident.teams.all()),
        tags=[tag.slug for tag in incident.tags.all()],
        external_references=[
            (r.system, r.identifier, r.url) for r in incident.external_references.all()
        ],
        milestones={m.kind.code: m.local_at for m in incident.milestones.select_related("kind")},
        milestone_order_note=incident.milestone_order_note,
    )


def describe_fields(fields: IncidentFields) -> dict[str, str]:
    """Field label -> readable value; the basis of the edit fingerprint and the conflict view."""
    kinds = list(MilestoneKind.objects.all())  # in milestone order
    described = {
        "Title": fields.title,
        "Severity": f"{fields.severity.code} {fields.severity.name}",
        "Visibility": fields.visibility,
        "Services": ", ".join(sorted(s.name for s in fields.services)),
        "Teams": ", ".join(sorted(t.name for t in fields.teams)),
        "Tags": ", ".join(sorted(fields.tags)),
        "External references": "; ".join(
            " ".join(part for part in ref if part) for ref in sorted(fields.external_references)
        ),
    }
    for kind in kinds:
        at = fields.milestones.get(kind.code)
        # In UTC: the same instant typed at another offset is no change.
        described[kind.name] = at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if at else ""
    described["Milestone order note"] = fields.milestone_order_note
    return described


def incident_fingerprint(incident: Incident) -> str:
    """What an edit form started from (see secondstory.lib.concurrency)."""
    return fingerprint(describe_fields(incident_fields(incident)))


def _validate(fields: IncidentFields, by: User | None, incident: Incident | None) -> None:
    """Raise a ValidationError naming the field for anything the database would not catch."""
    errors: dict[str, list[str]] = {}
    if not fields.title.strip():
        errors.setdefault("title", []).append("an incident needs a title")
    if fields.visibility not in taxonomy.VISIBILITIES:
        errors.setdefault("visibility", []).append(f"unknown visibility {fields.visibility!r}")
    for slug in fields.tags:
        if not _SLUG.match(slug) or len(slug) > taxonomy.MAX_SLUG:
            errors.setdefault("tags", []).append(
                f"{slug!r} is not a slug (at most {taxonomy.MAX_SLUG} letters, digits, - and _)"
            )
    pairs = [(system, identifier) for system, identifier, _ in fields.external_references]
    if len(set(pairs)) != len(pairs):
        errors.setdefault("external_references", []).append("the same system and ID appear twice")
    kinds = {k.code: k for k in MilestoneKind.objects.all()}
    unknown = sorted(set(fields.milestones) - set(kinds))
    if unknown:
        errors.setdefault("milestones", []).append(f"unknown milestone kinds {unknown}")
    problems = milestone_order_problems(
        [MilestoneData(code, at) for code, at in fields.milestones.items()],
        fields.milestone_order_note,
    )
    if problems:
        errors.setdefault("milestones", []).extend(p.message for p in problems)
    if by is not None and not _would_see(by, fields, incident):
        errors.setdefault("teams", []).append(
            "a restricted incident needs one of your teams, or you could no longer open it"
        )
    if errors:
        raise ValidationError(errors)


def _would_see(user: User, fields: IncidentFields, incident: Incident | None) -> bool:
    if fields.visibility != "restricted" or user.is_staff or user.is_superuser:
        return True
    if any(team.members.filter(pk=user.pk).exists() for team in fields.teams):
        return True
    return (
        incident is not None
        and Incident.objects.filter(pk=incident.pk).filter(_named_on_postmortems(user)).exists()
    )


def _write(incident: Incident, fields: IncidentFields) -> None:
    incident.services.set(fields.services)
    incident.teams.set(fields.teams)
    incident.tags.set([Tag.objects.get_or_create(slug=slug)[0] for slug in fields.tags])
    incident.external_references.all().delete()
    ExternalReference.objects.bulk_create(
        ExternalReference(incident=incident, system=s, identifier=i, url=u)
        for s, i, u in fields.external_references
    )
    kinds = {k.code: k for k in MilestoneKind.objects.all()}
    existing = {m.kind.code: m for m in incident.milestones.select_related("kind")}
    for code, milestone in existing.items():
        if code not in fields.milestones:
            milestone.delete()
    for code, at in fields.milestones.items():
        milestone = existing.get(code) or Milestone(incident=incident, kind=kinds[code])
        if milestone.pk is not None and milestone.at == at:
            continue  # the same instant: keep the offset it was first recorded in
        milestone.at = at
        milestone.utc_offset_minutes = offset_minutes(at)
        milestone.full_clean(validate_constraints=False)
        milestone.save()


def _apply_scalars(incident: Incident, fields: IncidentFields) -> None:
    incident.title = fields.title.strip()
    incident.severity = fields.severity
    incident.visibility = fields.visibility
    incident.milestone_order_note = fields.milestone_order_note.strip()


@transaction.atomic
def create_incident(fields: IncidentFields, *, by: User | None = None) -> Incident:
    """A new incident with the next free ``INC-NNNN`` key.

    ``by`` is the person creating it: a restricted incident must stay readable to them.
    Raises ValidationError naming the field at fault.
    """
    _validate(fields, by, None)
    for _attempt in range(5):
        incident = Incident(key=next_incident_key())
        _apply_scalars(incident, fields)
        try:
            with transaction.atomic():
                incident.save()
        except IntegrityError:
            continue  # somebody took the key in the meantime; take the next one
        _write(incident, fields)
        return incident
    raise ValidationError({"key": "could not find a free incident key; try again"})


@transaction.atomic
def update_incident(
    incident: Incident, fields: IncidentFields, *, by: User | None = None, base: str | None = None
) -> Incident:
    """Make the incident match ``fields``.

    With ``base`` (the fingerprint the edit form started from), a save over
    somebody else's newer change raises EditConflict with both versions.
    Raises ValidationError naming the field at fault.
    """
    locked = Incident.objects.select_for_update().get(pk=incident.pk)
    if base is not None:
        current = describe_fields(incident_fields(locked))
        check_base(base, current, what=f"incident {locked.key}", yours=describe_fields(fields))
    _validate(fields, by, locked)
    _apply_scalars(locked, fields)
    locked.save()
    _write(locked, fields)
    return locked


# --- Timeline editing (the writing workspace); callers record the postmortem's revision ----


def update_timeline_event(row: TimelineEvent, event: EventData) -> TimelineEvent:
    """Change what an event says and when; its source reference (its identity) stays."""
    for name, value in event_fields(event).items():
        if name != "raw":  # the original payload of an imported event is evidence: keep it
            setattr(row, name, value)
    row.full_clean(validate_constraints=False)
    row.save()
    return row


def delete_timeline_event(row: TimelineEvent) -> None:
    row.delete()


def set_starred(row: TimelineEvent, starred: bool) -> TimelineEvent:
    row.starred = starred
    row.save(update_fields=["starred"])
    return row


def set_known_at_the_time(row: TimelineEvent, known: bool) -> TimelineEvent:
    row.known_at_the_time = known
    row.save(update_fields=["known_at_the_time"])
    return row


@transaction.atomic
def add_captured_events(incident: Incident, events: list[EventData]) -> list[TimelineEvent]:
    """Add several events at once: all of them, or (on any error) none."""
    return [add_timeline_event(incident, event) for event in events]
