"""Importing raw exports onto an incident's timeline: parse, redact, merge, store.

One import is one transaction: if any input fails, nothing is written. Events stream from
the importers through redaction and the merge into batched inserts, so memory stays flat
whatever the size of the export; only alert-like events (those with a ``signal``) are held
until the end, to be grouped across sources and to suggest milestones.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from secondstory.accounts.models import User
from secondstory.core import taxonomy
from secondstory.core.invariants import milestone_order_problems
from secondstory.core.limits import event_count_problem
from secondstory.core.record import Milestone as MilestoneData
from secondstory.core.storable import moment_problem, text_problem
from secondstory.core.timeline import sources
from secondstory.core.timeline.event import TimelineEvent as EventData
from secondstory.core.timeline.event import offset_minutes
from secondstory.core.timeline.merge import (
    DUPLICATE,
    GROUPED,
    NEW,
    Anchor,
    Merger,
    MilestoneSuggestion,
    Outcome,
)
from secondstory.core.timeline.redact import Redactor
from secondstory.core.timeline.sources.base import ParseOptions, Source, SourceError
from secondstory.incidents.models import (
    EventReference,
    Incident,
    Milestone,
    MilestoneKind,
    TimelineEvent,
)

BATCH = 2000
_KINDS = frozenset(taxonomy.TIMELINE_KINDS)
_COLUMNS = (
    "incident_id",
    "at",
    "utc_offset_minutes",
    "kind",
    "source",
    "source_ref",
    "actor",
    "actor_role",
    "text",
    "starred",
    "known_at_the_time",
    "evidence_url",
    "raw",
    "signal",
    "state",
)


@dataclass
class ImportRequest:
    """What to import and how: the inputs, their format (None: detect each), the options."""

    inputs: Sequence[Source]
    fmt: str | None = None
    options: ParseOptions = field(default_factory=ParseOptions)
    redact: bool = True
    emails: bool = False
    phones: bool = False

    def redactor(self) -> Redactor | None:
        return Redactor(emails=self.emails, phones=self.phones) if self.redact else None


@dataclass
class ImportSummary:
    """What an import did (or, for a dry run, would do)."""

    formats: list[tuple[str, str]] = field(default_factory=list)  # (input, format)
    parsed: int = 0
    added: int = 0
    duplicates: int = 0
    grouped: int = 0
    left_out: int = 0
    redactions: Counter[str] = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)
    warning_count: int = 0
    suggestions: list[MilestoneSuggestion] = field(default_factory=list)
    milestones_set: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def redacted(self) -> int:
        return sum(self.redactions.values())


def detect_formats(request: ImportRequest) -> list[str]:
    """The format of every input (the given one, or detected); SourceError names the input."""
    if request.fmt is not None:
        sources.module(request.fmt)
        return [request.fmt for _ in request.inputs]
    return [sources.detect(source) for source in request.inputs]


def _clean(event: EventData, where: str) -> EventData:
    """Refuse what the store cannot take; trim what it can."""
    if event.kind not in _KINDS:
        raise SourceError(f"unknown kind {event.kind!r}", file=where, field="kind")
    if not event.source or len(event.source) > taxonomy.MAX_SOURCE:
        raise SourceError(f"bad source {event.source!r}", file=where, field="source")
    if not event.source_ref or len(event.source_ref) > taxonomy.MAX_SOURCE_REF:
        raise SourceError(
            f"bad source reference {event.source_ref[:40]!r}", file=where, field="source_ref"
        )
    if event.at.utcoffset() is None:
        raise SourceError("a time without a UTC offset", file=where, field="at")
    unstorable = moment_problem(event.at)  # what one database would refuse, both refuse
    if unstorable:
        raise SourceError(unstorable, file=where, field="at")
    for name in ("source", "source_ref"):
        problem = text_problem(getattr(event, name))
        if problem:
            raise SourceError(problem, file=where, field=name)
    for name in ("text", "actor", "actor_role", "evidence_url"):
        setattr(event, name, getattr(event, name).replace("\x00", ""))
    if not event.text.strip():
        event.text = "(no text)"
    if len(event.actor) > taxonomy.MAX_ACTOR:
        event.actor = event.actor[: taxonomy.MAX_ACTOR]
    if len(event.actor_role) > taxonomy.MAX_ROLE:
        event.actor_role = event.actor_role[: taxonomy.MAX_ROLE]
    if len(event.evidence_url) > taxonomy.MAX_URL:
        event.evidence_url = ""
    if len(event.signal) > taxonomy.MAX_SIGNAL:
        event.signal = event.signal[: taxonomy.MAX_SIGNAL]
    return event


def parsed_events(
    request: ImportRequest, formats: list[str], summary: ImportSummary
) -> Iterator[EventData]:
    """Every event of every input, checked and (unless told not to) redacted."""
    redactor = request.redactor()
    for source, fmt in zip(request.inputs, formats, strict=True):
        summary.formats.append((source.name, fmt))
        for event in sources.parse(source, request.options, fmt):
            event = _clean(event, source.name)
            if redactor is not None:
                event = redactor.event(event)
            summary.parsed += 1
            yield event
        summary.warnings.extend(source.warnings)
        summary.warning_count += source.warning_count
    if redactor is not None:
        summary.redactions.update(redactor.counts)


def known_references(incident: Incident) -> tuple[set[str], list[Anchor]]:
    """References of grouped sightings, and the incident's alert-like events as anchors."""
    refs = {
        f"{s}:{r}"
        for s, r in EventReference.objects.filter(incident=incident).values_list(
            "source", "source_ref"
        )
    }
    anchors = [
        Anchor(f"{s}:{r}", at, s, signal, state)
        for s, r, at, signal, state in TimelineEvent.objects.filter(incident=incident)
        .exclude(signal="")
        .exclude(state="")
        .values_list("source", "source_ref", "at", "signal", "state")
    ]
    refs.update(anchor.ref for anchor in anchors)
    return refs, anchors


class _Writer:
    """Batched ``INSERT … ON CONFLICT DO NOTHING`` of timeline events.

    Values are adapted here rather than through the model fields (which costs several times
    more per row): instants as naive UTC text on SQLite and aware datetimes on PostgreSQL,
    payloads serialised once and cast to ``jsonb`` on PostgreSQL.
    """

    def __init__(self, incident: Incident) -> None:
        self.incident_id = incident.pk
        self.sqlite = connection.vendor == "sqlite"
        quote = connection.ops.quote_name
        placeholders = ["%s"] * len(_COLUMNS)
        if not self.sqlite:
            placeholders[_COLUMNS.index("raw")] = "%s::jsonb"
        self.sql = (
            f"INSERT INTO {quote(TimelineEvent._meta.db_table)} "
            f"({', '.join(quote(c) for c in _COLUMNS)}) VALUES ({', '.join(placeholders)}) "
            f"ON CONFLICT ({quote('incident_id')}, {quote('source')}, {quote('source_ref')}) "
            "DO NOTHING"
        )
        self.rows: list[tuple[Any, ...]] = []

    def add(self, event: EventData) -> None:
        utc = event.utc
        raw = None
        if event.raw is not None:
            raw = _dumps(event.raw)
            if "\\u0000" in raw:
                raw = _dumps(_without_nul(event.raw))
        self.rows.append(
            (
                self.incident_id,
                utc.replace(tzinfo=None).isoformat(" ") if self.sqlite else utc,
                offset_minutes(event.at),
                event.kind,
                event.source,
                event.source_ref,
                event.actor,
                event.actor_role,
                event.text,
                event.starred,
                event.known_at_the_time,
                event.evidence_url,
                raw,
                event.signal,
                event.state,
            )
        )
        if len(self.rows) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if self.rows:
            with connection.cursor() as cursor:
                cursor.executemany(self.sql, self.rows)
            self.rows = []


def _dumps(value: Any) -> str:
    """JSON text of a payload: orjson, or the standard library for what orjson refuses
    (integers past 64 bits, keys that are not strings)."""
    try:
        return orjson.dumps(value).decode("utf-8")
    except (orjson.JSONEncodeError, TypeError):
        return json.dumps(value, ensure_ascii=False, default=str)


def _without_nul(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [_without_nul(v) for v in value]
    if isinstance(value, dict):
        return {_without_nul(k): _without_nul(v) for k, v in value.items()}
    return value


def import_events(
    incident: Incident,
    request: ImportRequest,
    *,
    dry_run: bool = False,
    leave_out: Iterable[str] = (),
    accept_milestones: Iterable[str] = (),
    by: User | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportSummary:
    """Import every input onto ``incident``'s timeline, all or nothing.

    ``leave_out`` holds references (``source:ref``) the user unticked; ``accept_milestones``
    the milestone kinds whose suggestion the user confirmed. A dry run does all the work and
    rolls it back, so its figures are exact.
    """
    summary = ImportSummary(dry_run=dry_run)
    formats = detect_formats(request)
    skip = set(leave_out)
    with transaction.atomic():
        before = TimelineEvent.objects.filter(incident=incident).count()
        known, anchors = known_references(incident)
        merger = Merger(known, anchors, track_refs=False)
        writer = _Writer(incident)
        held: list[Outcome] = []
        for outcome in _outcomes(merger, parsed_events(request, formats, summary), progress):
            if outcome.event.ref in skip:
                summary.left_out += 1
            elif outcome.status == NEW and not outcome.event.signal:
                writer.add(outcome.event)
            elif outcome.status != DUPLICATE:
                held.append(outcome)
        for outcome in held:
            if outcome.status == NEW:
                writer.add(outcome.event)
        writer.flush()
        summary.grouped = _store_groups(incident, held)
        total = TimelineEvent.objects.filter(incident=incident).count()
        too_many = event_count_problem(incident.key, total)
        if too_many:  # raised inside the transaction: nothing of this import stays
            inputs = ", ".join(name for name, _ in summary.formats) or "<input>"
            raise SourceError(f"{too_many} (docs/operations.md, Limits)", file=inputs)
        summary.added = total - before
        summary.duplicates = summary.parsed - summary.added - summary.grouped - summary.left_out
        summary.suggestions = merger.suggestions(o for o in held if o.event.ref not in skip)
        summary.milestones_set = _set_milestones(incident, summary.suggestions, accept_milestones)
        if summary.added or summary.grouped or summary.milestones_set:
            _record_revisions(incident, summary, by)
        if dry_run:
            transaction.set_rollback(True)
    return summary


def _outcomes(
    merger: Merger, events: Iterable[EventData], progress: Callable[[int], None] | None
) -> Iterator[Outcome]:
    for count, event in enumerate(events, start=1):
        outcome = merger.add(event)
        if outcome is not None:
            yield outcome
        if progress is not None and count % 1000 == 0:
            progress(1000)
    yield from merger.finish()
    if progress is not None:
        progress(merger.seen % 1000)


def _store_groups(incident: Incident, held: list[Outcome]) -> int:
    """Record every grouped sighting against the event it was grouped into."""
    grouped = [o for o in held if o.status == GROUPED]
    if not grouped:
        return 0
    wanted = {tuple(o.into.split(":", 1)) for o in grouped}
    ids = {
        f"{s}:{r}": pk
        for pk, s, r in TimelineEvent.objects.filter(
            incident=incident, source__in={s for s, _ in wanted}
        ).values_list("pk", "source", "source_ref")
        if (s, r) in wanted
    }
    existing = {
        f"{s}:{r}"
        for s, r in EventReference.objects.filter(incident=incident).values_list(
            "source", "source_ref"
        )
    }
    rows = []
    for outcome in grouped:
        event = outcome.event
        if outcome.into not in ids or event.ref in existing:
            continue
        existing.add(event.ref)
        rows.append(
            EventReference(
                incident=incident,
                event_id=ids[outcome.into],
                source=event.source,
                source_ref=event.source_ref,
                at=event.utc,
                utc_offset_minutes=offset_minutes(event.at),
                text=event.text,
                raw=event.raw,
            )
        )
    EventReference.objects.bulk_create(rows, batch_size=500)
    return len(rows)


def _set_milestones(
    incident: Incident, suggestions: list[MilestoneSuggestion], accepted: Iterable[str]
) -> list[str]:
    """Set the milestones the user confirmed; a resulting order problem refuses the import."""
    wanted = set(accepted)
    chosen = [s for s in suggestions if s.kind in wanted]
    missing = wanted - {s.kind for s in chosen}
    if missing:
        raise ValidationError(
            {"milestones": f"no suggestion for {', '.join(sorted(missing))} in this import"}
        )
    if not chosen:
        return []
    kinds = {k.code: k for k in MilestoneKind.objects.filter(code__in=[s.kind for s in chosen])}
    current = {m.kind.code: m.at for m in incident.milestones.select_related("kind")}
    planned: dict[str, datetime] = dict(current)
    planned.update({s.kind: s.at for s in chosen if s.kind in kinds})
    problems = milestone_order_problems(
        [MilestoneData(code, at) for code, at in planned.items()], incident.milestone_order_note
    )
    if problems:
        raise ValidationError({"milestones": [p.message for p in problems]})
    for suggestion in chosen:
        if suggestion.kind not in kinds:
            continue
        Milestone.objects.update_or_create(
            incident=incident,
            kind=kinds[suggestion.kind],
            defaults={
                "at": suggestion.at,
                "utc_offset_minutes": offset_minutes(suggestion.at),
            },
        )
    return [s.kind for s in chosen if s.kind in kinds]


def _record_revisions(incident: Incident, summary: ImportSummary, by: User | None) -> None:
    from secondstory.postmortems.revisions import record_revision

    text = f"Imported {summary.added} timeline event{'s' if summary.added != 1 else ''}"
    if summary.milestones_set:
        text += f" and set {', '.join(summary.milestones_set)}"
    for postmortem in incident.postmortems.all():
        record_revision(postmortem, author=by, summary=text)
