"""Operations on incidents, milestones and timelines, shared by views, the CLI and loaders."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction

from secondstory.accounts.models import Team
from secondstory.core import taxonomy
from secondstory.core.record import IncidentRecord
from secondstory.core.timeline.event import TimelineEvent as EventData
from secondstory.core.timeline.event import offset_minutes
from secondstory.incidents.models import (
    DurationMetric,
    EventReference,
    ExternalReference,
    Incident,
    Milestone,
    MilestoneKind,
    Service,
    Severity,
    Tag,
    TimelineEvent,
)


@dataclass(frozen=True, slots=True)
class DurationRow:
    """A derived duration, always shown with its definition."""

    code: str
    name: str
    definition: str
    value: timedelta | None


def duration_metrics() -> list[DurationMetric]:
    """The configured duration metrics, with their milestone kinds, in display order."""
    return list(DurationMetric.objects.select_related("start", "end"))


def durations(incident: Incident, metrics: list[DurationMetric] | None = None) -> list[DurationRow]:
    """Every configured duration metric of the incident (None where a milestone is missing).

    Pass ``metrics`` (from ``duration_metrics()``) when showing several incidents, so the
    metrics are read once.
    """
    at = {m.kind.code: m.at for m in incident.milestones.all()}
    rows = []
    for metric in duration_metrics() if metrics is None else metrics:
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
        "signal": event.signal[: taxonomy.MAX_SIGNAL],
        "state": event.state,
    }


def add_timeline_event(incident: Incident, event: EventData) -> TimelineEvent:
    """Add one event; a second event with the same source reference is refused."""
    if (
        TimelineEvent.objects.filter(
            incident=incident, source=event.source, source_ref=event.source_ref
        ).exists()
        or EventReference.objects.filter(
            incident=incident, source=event.source, source_ref=event.source_ref
        ).exists()
    ):
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


def name_from_slug(slug: str) -> str:
    """The display name given to a service or team first met as a slug: ``orders-db`` ->
    ``Orders Db``; admins rename it later."""
    return slug.replace("-", " ").replace("_", " ").title()


def _slugged(model: type[Service] | type[Team] | type[Tag], slugs: Iterable[str]) -> list[object]:
    rows = []
    for slug in slugs:
        if model is Tag:
            row, _ = Tag.objects.get_or_create(slug=slug)
        else:
            row, _ = model.objects.get_or_create(slug=slug, defaults={"name": name_from_slug(slug)})
        rows.append(row)
    return rows


def _sync_timeline(incident: Incident, events: list[EventData]) -> None:
    # Rows an interrupted import left (invisible) would hold these references: they give way.
    TimelineEvent.with_pending.filter(incident=incident).exclude(pending_import="").delete()
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
