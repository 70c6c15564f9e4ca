"""Reading the audit log: one filter for the admin page, its downloads and the command line;
pages by keyset (newest first, never OFFSET); output streamed a chunk at a time."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.db.models import Q, QuerySet

from secondstory.audit.models import AuditEvent

CHUNK = 1000
CSV_COLUMNS = (
    "id", "at", "actor", "actor_user_id", "action", "object_type", "object_id",
    "object_label", "before", "after", "request_id", "remote_addr",
)  # fmt: skip


class FilterError(ValueError):
    """A filter value that cannot be understood; the message names the field."""


@dataclass(frozen=True)
class AuditFilter:
    since: datetime | None = None
    until: datetime | None = None
    actor: str = ""
    action: str = ""
    object: str = ""  # "app.model", "app.model:label-or-id" or a label/id alone

    def apply(self, events: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
        if self.since is not None:
            events = events.filter(at__gte=self.since)
        if self.until is not None:
            events = events.filter(at__lt=self.until)
        if self.actor:
            events = events.filter(actor=self.actor)
        if self.action:
            events = events.filter(action=self.action)
        if self.object:
            events = events.filter(_object_condition(self.object))
        return events

    def events(self) -> QuerySet[AuditEvent]:
        return self.apply(AuditEvent.objects.all())


def _object_condition(value: str) -> Q:
    kind, colon, name = value.partition(":")
    if colon:
        return Q(object_type=kind) & (Q(object_label=name) | Q(object_id=name))
    if "." in value:
        return Q(object_type=value)
    return Q(object_label=value) | Q(object_id=value)


def parse_moment(value: str, field: str, *, end: bool = False) -> datetime | None:
    """``YYYY-MM-DD`` or ``YYYY-MM-DDTHH:MM[:SS][offset]``, in UTC when no offset is given.

    A date alone as an end (``until``) means the end of that day.
    """
    value = value.strip()
    if not value:
        return None
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            moment = datetime.combine(day, time(), tzinfo=UTC)
            return moment + timedelta(days=1) if end else moment
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise FilterError(
            f"{field}: expected YYYY-MM-DD or YYYY-MM-DDTHH:MM, got {value!r}"
        ) from exc
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def page(events: QuerySet[AuditEvent], size: int, after: str = "") -> tuple[list[AuditEvent], str]:
    """One page of events, newest first, after the cursor ``after``; and the next cursor
    ("" on the last page): ``<microseconds since 1970>.<id>`` of the last event shown."""
    ordered = events.order_by("-at", "-id")
    if after:
        micros, _, pk = after.partition(".")
        try:
            moment, number = _EPOCH + int(micros) * _MICROSECOND, int(pk)
        except (ValueError, OverflowError) as exc:
            raise FilterError(f"after: not a page cursor: {after[:40]!r}") from exc
        ordered = ordered.filter(Q(at__lt=moment) | Q(at=moment, id__lt=number))
    rows = list(ordered[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    if not (more and rows):
        return rows, ""
    return rows, f"{(rows[-1].at - _EPOCH) // _MICROSECOND}.{rows[-1].pk}"


def stream(events: QuerySet[AuditEvent], *, oldest_first: bool = True) -> Iterator[AuditEvent]:
    """Every event, a chunk at a time by keyset (memory stays flat however many)."""
    order = ("at", "id") if oldest_first else ("-at", "-id")
    last: tuple[datetime, int] | None = None
    while True:
        chunk = events.order_by(*order)
        if last is not None:
            at, pk = last
            later = Q(at__gt=at) | Q(at=at, id__gt=pk)
            earlier = Q(at__lt=at) | Q(at=at, id__lt=pk)
            chunk = chunk.filter(later if oldest_first else earlier)
        rows = list(chunk[:CHUNK])
        yield from rows
        if len(rows) < CHUNK:
            return
        last = (rows[-1].at, rows[-1].pk)


def as_dict(event: AuditEvent) -> dict[str, Any]:
    return {
        "id": event.pk,
        "at": event.at.astimezone(UTC).isoformat(),
        "actor": event.actor,
        "actor_user_id": event.actor_user_id,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_label": event.object_label,
        "before": event.before,
        "after": event.after,
        "request_id": event.request_id,
        "remote_addr": event.remote_addr,
    }


def as_jsonl(event: AuditEvent) -> str:
    return json.dumps(as_dict(event), ensure_ascii=False, sort_keys=True) + "\n"


def as_text(event: AuditEvent) -> str:
    """One line: when, who, what, which object, and the changed fields."""
    at = event.at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
    what = f"{event.object_type} {event.object_label or event.object_id}".strip()
    changes = describe_change(event)
    return f"{at}Z  {event.actor}  {event.action}  {what}{'  ' + changes if changes else ''}\n"


def describe_change(event: AuditEvent) -> str:
    """``field: before → after; ...`` (values shortened), or the details of other events."""
    parts = []
    names = list(event.before) + [k for k in event.after if k not in event.before]
    for name in names:
        if name in event.before and name in event.after:
            old, new = _short(event.before[name]), _short(event.after[name])
            parts.append(f"{name}: {old} → {new}")
        elif name in event.after:
            parts.append(f"{name}: {_short(event.after[name])}")
        elif event.action != "delete":
            parts.append(f"{name}: {_short(event.before[name])} → (none)")
    return "; ".join(parts)


def _short(value: Any, limit: int = 80) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def csv_lines(events: Iterator[AuditEvent]) -> Iterator[str]:
    """A CSV file, header first; before and after as JSON text."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(values: list[Any]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(values)
        return buffer.getvalue()

    yield line(list(CSV_COLUMNS))
    for event in events:
        row = as_dict(event)
        for name in ("before", "after"):
            row[name] = json.dumps(row[name], ensure_ascii=False, sort_keys=True)
        yield line([_safe_cell(row[c]) for c in CSV_COLUMNS])


def _safe_cell(value: Any) -> str:
    """Text of a cell that spreadsheet programs will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
