"""``/api/incidents/{key}/events``: read a timeline, add one event, add many, import files.

Reading needs ``incidents:read``; adding needs ``incidents:write`` and the right to edit the
incident (``permissions.may_edit_incident``). Every addition keeps a revision of each
postmortem covering the incident, as the timeline editor does; an import goes through the
same importer as the upload page (duplicates skipped, secrets redacted unless asked).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile

from secondstory.api.auth import scoped, user_of
from secondstory.api.errors import COMMON, WRITES, ApiError
from secondstory.api.incidents import incident_for
from secondstory.api.pagination import Page, PageQuery, page_of
from secondstory.api.schemas import Input
from secondstory.core import taxonomy
from secondstory.core.limits import event_count_problem
from secondstory.core.timeline import sources
from secondstory.core.timeline.event import TimelineEvent as EventData
from secondstory.core.timeline.event import offset_text
from secondstory.core.timeline.sources.base import SourceError
from secondstory.incidents.import_staging import MAX_FILES, stage
from secondstory.incidents.importing import import_events
from secondstory.incidents.models import Incident, TimelineEvent
from secondstory.incidents.pending_events import ImportInterrupted
from secondstory.incidents.services import add_captured_events
from secondstory.lib.timezones import parse_zone
from secondstory.postmortems.revisions import record_revision

router = Router(tags=["timeline"])
READ = scoped("incidents", "read")
WRITE = scoped("incidents", "write")
API_SOURCE = "api"
MAX_BATCH = 1000
# An event is one happening; a whole log belongs in an import.
MAX_EVENT_TEXT = 20_000

Kind = Literal[taxonomy.TIMELINE_KINDS]  # type: ignore[valid-type]


class EventOut(Schema):
    id: int
    at: datetime = Field(description="The instant, in UTC.")
    offset: str = Field(description="The offset it was recorded in, e.g. +02:00.")
    kind: str
    source: str
    source_ref: str
    actor: str
    actor_role: str
    text: str
    starred: bool
    known_at_the_time: bool
    evidence_url: str


class EventIn(Input):
    at: datetime = Field(description="When, with its offset (2026-03-01T14:02:00+01:00).")
    kind: Kind = "observation"  # type: ignore[assignment]
    text: str = Field(min_length=1, max_length=MAX_EVENT_TEXT)
    actor: str = Field("", max_length=taxonomy.MAX_ACTOR)
    actor_role: str = Field("", max_length=taxonomy.MAX_ROLE)
    evidence_url: str = Field("", max_length=taxonomy.MAX_URL)
    starred: bool = False
    known_at_the_time: bool = True
    source_ref: str | None = Field(
        None,
        min_length=1,
        max_length=taxonomy.MAX_SOURCE_REF,
        description="Your identifier for the event: sending it again is refused, not doubled.",
    )


class EventBatchIn(Input):
    events: list[EventIn] = Field(min_length=1, max_length=MAX_BATCH)


class EventBatchOut(Schema):
    added: int
    events: list[EventOut]


class EventFilters(PageQuery):
    kind: Kind | None = None  # type: ignore[valid-type]
    source: str | None = Field(None, max_length=taxonomy.MAX_SOURCE)
    starred: bool | None = None


class ImportOut(Schema):
    added: int
    duplicates: int
    grouped: int
    redacted: int
    formats: list[str]
    warnings: list[str]
    milestones_set: list[str]
    dry_run: bool


def event_json(row: TimelineEvent) -> dict[str, Any]:
    return {
        "id": row.pk,
        "at": row.at,
        "offset": offset_text(row.utc_offset_minutes),
        "kind": row.kind,
        "source": row.source,
        "source_ref": row.source_ref,
        "actor": row.actor,
        "actor_role": row.actor_role,
        "text": row.text,
        "starred": row.starred,
        "known_at_the_time": row.known_at_the_time,
        "evidence_url": row.evidence_url,
    }


@router.get(
    "/{key}/events", response={200: Page[EventOut], **COMMON}, auth=READ, summary="A timeline"
)
def list_events(request: HttpRequest, key: str, filters: Query[EventFilters]) -> dict[str, Any]:
    """The incident's timeline in time order."""
    incident = incident_for(request, key)
    rows = incident.timeline.order_by("at", "source", "source_ref")
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if filters.source:
        rows = rows.filter(source=filters.source)
    if filters.starred is not None:
        rows = rows.filter(starred=filters.starred)
    return page_of(request, rows, filters, event_json)


def _event(payload: EventIn, where: str) -> EventData:
    if payload.at.tzinfo is None:
        raise ApiError(400, f"{where}at: give the time with its offset", field=f"{where}at")
    return EventData(
        at=payload.at,
        kind=payload.kind,
        source=API_SOURCE,
        source_ref=payload.source_ref or f"api-{uuid.uuid4().hex[:12]}",
        text=payload.text,
        actor=payload.actor,
        actor_role=payload.actor_role,
        starred=payload.starred,
        known_at_the_time=payload.known_at_the_time,
        evidence_url=payload.evidence_url,
    )


def _add(request: HttpRequest, incident: Incident, events: list[EventData]) -> list[TimelineEvent]:
    problem = event_count_problem(incident.key, incident.timeline.count() + len(events))
    if problem:
        raise ApiError(400, f"Nothing was added: {problem}.", field="events")
    refs = [e.source_ref for e in events]
    if len(set(refs)) != len(refs):
        raise ApiError(400, "events: two events share one source_ref", field="source_ref")
    count = len(events)
    summary = f"Added {count} timeline event{'s' if count != 1 else ''}"
    with transaction.atomic():
        rows = add_captured_events(incident, events)
        for postmortem in incident.postmortems.all():
            record_revision(postmortem, author=user_of(request), summary=summary)
    return rows


@router.post(
    "/{key}/events", response={201: EventOut, **WRITES}, auth=WRITE, summary="Add one event"
)
def add_event(request: HttpRequest, key: str, payload: EventIn) -> Status[dict[str, Any]]:
    incident = incident_for(request, key, edit=True)
    (row,) = _add(request, incident, [_event(payload, "")])
    return Status(201, event_json(row))


@router.post(
    "/{key}/events/batch",
    response={201: EventBatchOut, **WRITES},
    auth=WRITE,
    summary="Add many events (all or none)",
)
def add_events(request: HttpRequest, key: str, payload: EventBatchIn) -> Status[dict[str, Any]]:
    incident = incident_for(request, key, edit=True)
    events = [_event(e, f"events[{n}].") for n, e in enumerate(payload.events)]
    rows = _add(request, incident, events)
    return Status(201, {"added": len(rows), "events": [event_json(row) for row in rows]})


class ImportOptions(Input):
    format: str | None = Field(
        None, max_length=40, description="The files' format; empty: tell from each file."
    )
    zone: str = Field("", max_length=64, description="Zone of times without an offset.")
    day: date | None = Field(None, description="Date of times without a date.")
    channels: str = Field("", max_length=2000, description="Chat channels, comma-separated.")
    keep_secrets: bool = False
    redact_emails: bool = False
    redact_phones: bool = False
    dry_run: bool = Field(False, description="Report what would be imported; write nothing.")


_IMPORT_FIELDS = {"from": "format", "date": "day", "tz": "zone", "": "files"}


def _check_options(options: ImportOptions) -> None:
    known = {code for code, _ in sources.describe()}
    if options.format and options.format not in known:
        raise ApiError(
            400,
            f"format: {options.format!r} is not one of {', '.join(sorted(known))}",
            field="format",
        )
    if options.zone and parse_zone(options.zone) is None:
        raise ApiError(400, f"zone: unknown time zone {options.zone!r}", field="zone")


@router.post(
    "/{key}/imports",
    response={200: ImportOut, **WRITES},
    auth=WRITE,
    summary="Import files onto the timeline",
)
def import_files(
    request: HttpRequest,
    key: str,
    files: File[list[UploadedFile]],
    options: Form[ImportOptions],
) -> dict[str, Any]:
    """Parse, merge and add the files' events, all or nothing (as the import page does,
    every new event kept: use a dry run to see what would be added)."""
    incident = incident_for(request, key, edit=True)
    if not files:
        raise ApiError(400, "files: send at least one file", field="files")
    if len(files) > MAX_FILES:
        raise ApiError(400, f"files: at most {MAX_FILES} files at once", field="files")
    _check_options(options)
    staged = stage(
        incident,
        user_of(request).pk,
        list(files),
        fmt=options.format or None,
        zone=options.zone,
        day=options.day.isoformat() if options.day else "",
        channels=[c.strip() for c in options.channels.split(",") if c.strip()],
        redact=not options.keep_secrets,
        emails=options.redact_emails,
        phones=options.redact_phones,
    )
    try:
        summary = import_events(
            incident, staged.request(), dry_run=options.dry_run, by=user_of(request)
        )
    except SourceError as error:
        # The importer names the command line's options (--from, --date, --tz).
        field = _IMPORT_FIELDS.get(error.field, error.field)
        raise ApiError(400, f"Nothing was imported: {error}", field=field) from None
    except (ValidationError, ImportInterrupted) as error:
        text = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        raise ApiError(400, f"Nothing was imported: {text}", field="files") from None
    finally:
        staged.discard()
    return {
        "added": summary.added,
        "duplicates": summary.duplicates,
        "grouped": summary.grouped,
        "redacted": summary.redacted,
        "formats": [f"{name}: {fmt}" for name, fmt in summary.formats],
        "warnings": summary.warnings,
        "milestones_set": summary.milestones_set,
        "dry_run": summary.dry_run,
    }
