"""Importing raw exports onto an incident's timeline: parse, redact, merge, store.

An import is all or nothing, yet holds no long transaction: events stream from the
importers through redaction and the merge into batches written as pending rows, each batch
its own short transaction, and one short transaction at the end makes them visible (see
``pending_events``). If any input fails, nothing becomes visible. Duplicates are found by
the database (an event's reference is unique on its incident), so neither the import's
events nor the incident's existing ones are ever held in memory; only alert-like events
(those with a ``signal``) are held until the end, to be grouped across sources and to
suggest milestones.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from secondstory.accounts.models import User
from secondstory.audit.bulk import bulk
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
from secondstory.incidents.milestone_words import plain_messages
from secondstory.incidents.models import (
    EventReference,
    Incident,
    Milestone,
    MilestoneKind,
    TimelineEvent,
)
from secondstory.incidents.pending_events import (
    PendingWriter,
    discard,
    discard_abandoned,
    new_import_id,
    publish,
)
from secondstory.lib.database_locks import retry_when_locked

_KINDS = frozenset(taxonomy.TIMELINE_KINDS)


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
    events_by_input: Counter[str] = field(default_factory=Counter)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (folder file, reason)
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
    """The format of every input (the given one, or detected); SourceError names the input.

    An input that only serves the others (a users file uploaded beside Slack API pages) gets
    the format "" when another input is there to use it: it is read with them, not alone.
    """
    if request.fmt is not None:
        sources.module(request.fmt)
        return [request.fmt for _ in request.inputs]
    found = []
    for source in request.inputs:
        if len(request.inputs) > 1 and not sources.claims(source) and sources.companion(source):
            found.append("")
            continue
        found.append(sources.detect(source))
    return found


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
        if not fmt:
            summary.skipped.append((source.name, sources.companion(source)))
            continue
        summary.formats.append((source.name, fmt))
        for event in sources.parse(source, request.options, fmt):
            event = _clean(event, source.name)
            if redactor is not None:
                event = redactor.event(event)
            summary.parsed += 1
            summary.events_by_input[source.name] += 1
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


def import_events(
    incident: Incident,
    request: ImportRequest,
    *,
    dry_run: bool = False,
    leave_out: Iterable[str] = (),
    accept_milestones: Iterable[str] = (),
    merge_into: Mapping[str, str] | None = None,
    by: User | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportSummary:
    """Import every input onto ``incident``'s timeline, all or nothing.

    ``leave_out`` holds references (``source:ref``) the user unticked; ``accept_milestones``
    the milestone kinds whose suggestion the user confirmed; ``merge_into`` maps an imported
    alert's reference to the hand-typed event the user confirmed it is (it becomes another
    sighting of that event). A dry run does all the work and rolls it back, so its figures are
    exact.
    """
    summary = ImportSummary(dry_run=dry_run)
    formats = detect_formats(request)
    skip = set(leave_out)
    discard_abandoned()
    import_id = new_import_id()
    known, anchors = known_references(incident)
    merger = Merger(known, anchors, track_refs=False)
    writer = PendingWriter(incident, import_id)
    try:
        held: list[Outcome] = []
        for outcome in _outcomes(merger, parsed_events(request, formats, summary), progress):
            if outcome.event.ref in skip:
                summary.left_out += 1
            elif outcome.status == NEW and not outcome.event.signal:
                writer.add(outcome.event)
            elif outcome.status != DUPLICATE:
                held.append(outcome)
        _merge_with_hand_typed(held, merge_into or {})
        for outcome in held:
            if outcome.status == NEW:
                writer.add(outcome.event)
        writer.flush()
        retry_when_locked(
            lambda: _finish(incident, summary, merger, held, skip, writer, accept_milestones, by)
        )
    finally:
        discard(import_id)
    return summary


def _merge_with_hand_typed(held: list[Outcome], merge_into: Mapping[str, str]) -> None:
    """Make each confirmed alert a sighting of its hand-typed event, with what joined it."""
    moved = {}
    for outcome in held:
        target = merge_into.get(outcome.event.ref)
        if outcome.status == NEW and target:
            outcome.status, outcome.into = GROUPED, target
            moved[outcome.event.ref] = target
    for outcome in held:
        if outcome.status == GROUPED and outcome.into in moved:
            outcome.into = moved[outcome.into]


def _finish(
    incident: Incident,
    summary: ImportSummary,
    merger: Merger,
    held: list[Outcome],
    skip: set[str],
    writer: PendingWriter,
    accept_milestones: Iterable[str],
    by: User | None,
) -> None:
    """The one short transaction that makes the import visible, with its history (and one
    audit event that sums it up, whatever its size)."""
    audited = bulk("import", object_type="incidents.incident", object_id=incident.pk,
                   object_label=incident.key)  # fmt: skip
    with transaction.atomic(), audited as scope:
        summary.grouped = _store_groups(incident, held, writer.import_id)
        summary.added = publish(incident, writer.import_id, writer.written)
        too_many = event_count_problem(
            incident.key, TimelineEvent.objects.filter(incident=incident).count()
        )
        if too_many:  # raised inside the transaction: nothing of this import stays
            inputs = ", ".join(name for name, _ in summary.formats) or "<input>"
            raise SourceError(f"{too_many} (docs/operations.md, Limits)", file=inputs)
        summary.duplicates = summary.parsed - summary.added - summary.grouped - summary.left_out
        summary.suggestions = merger.suggestions(o for o in held if o.event.ref not in skip)
        summary.milestones_set = _set_milestones(incident, summary.suggestions, accept_milestones)
        if summary.dry_run:
            transaction.set_rollback(True)
        elif summary.added or summary.grouped or summary.milestones_set:
            _record_revisions(incident, summary, by)
            scope.details.update(
                inputs=[name for name, _ in summary.formats], events_added=summary.added,
                grouped=summary.grouped, duplicates=summary.duplicates,
                left_out=summary.left_out, milestones_set=summary.milestones_set,
            )  # fmt: skip


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


def _store_groups(incident: Incident, held: list[Outcome], import_id: str) -> int:
    """Record every grouped sighting against the event it was grouped into."""
    grouped = [o for o in held if o.status == GROUPED]
    if not grouped:
        return 0
    ids = _event_ids(incident, {o.into for o in grouped}, import_id)
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


def _event_ids(incident: Incident, refs: set[str], import_id: str) -> dict[str, int]:
    """Ids of the events (visible, or written by this import) with these references."""
    by_source: dict[str, list[str]] = {}
    for ref in refs:
        source, _, source_ref = ref.partition(":")
        by_source.setdefault(source, []).append(source_ref)
    ids: dict[str, int] = {}
    events = TimelineEvent.with_pending.filter(
        incident=incident, pending_import__in=("", import_id)
    )
    for source, source_refs in by_source.items():
        for start in range(0, len(source_refs), 500):
            chunk = source_refs[start : start + 500]
            for pk, ref in events.filter(source=source, source_ref__in=chunk).values_list(
                "pk", "source_ref"
            ):
                ids[f"{source}:{ref}"] = pk
    return ids


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
        raise ValidationError({"milestones": plain_messages(problems)})
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
