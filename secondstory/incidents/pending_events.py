"""Pending events: how an import writes in short transactions and still is all or nothing.

An import writes its events in batches, each batch its own short transaction, marked with
the import's id (``TimelineEvent.pending_import``). Pending rows are invisible everywhere
(``TimelineEvent.objects`` leaves them out), so readers and other writers never wait on the
import and never see half of it. At the end one short transaction makes them visible
(:func:`publish`). An import that fails deletes its rows (:func:`discard`); one that was
killed leaves only invisible rows, which the next import of the same events takes over and
which :func:`discard_abandoned` (run by every import and by ``secondstory check``) deletes
once they are older than any import runs.
"""

from __future__ import annotations

import json
import secrets
import time
from typing import Any

import orjson
from django.db import connection, transaction

from secondstory.core.timeline.event import TimelineEvent as EventData
from secondstory.core.timeline.event import offset_minutes
from secondstory.incidents.models import Incident, TimelineEvent
from secondstory.lib.database_locks import retry_when_locked

BATCH = 2000
# An import still writing after this long is taken for dead (they take minutes at most).
ABANDONED_AFTER_SECONDS = 3600
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
    "pending_import",
)


class ImportInterrupted(Exception):
    """Some of this import's pending rows were taken by another import or cleaned up."""


def new_import_id(now: float | None = None) -> str:
    """``<start, unix seconds>-<random hex>``: unique, and its age is readable."""
    started = int(time.time() if now is None else now)
    return f"{started:011d}-{secrets.token_hex(16)}"


class PendingWriter:
    """Batched upserts of one import's events as pending rows, one short transaction each.

    A reference already on the timeline is left alone (a duplicate); one held by a pending
    row of another, dead import is taken over. Values are adapted here rather than through
    the model fields (which costs several times more per row): instants as naive UTC text on
    SQLite and aware datetimes on PostgreSQL, payloads serialised once (``jsonb`` there).
    """

    def __init__(self, incident: Incident, import_id: str) -> None:
        self.incident_id = incident.pk
        self.import_id = import_id
        self.sqlite = connection.vendor == "sqlite"
        self.written = 0
        self.sql = _upsert_sql(self.sqlite)
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
                self.import_id,
            )
        )
        if len(self.rows) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if self.rows:
            self.written += retry_when_locked(self._write)
            self.rows = []

    def _write(self) -> int:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(self.sql, self.rows)
            return max(cursor.rowcount, 0)


def _upsert_sql(sqlite: bool) -> str:
    quote = connection.ops.quote_name
    table = quote(TimelineEvent._meta.db_table)
    placeholders = ["%s"] * len(_COLUMNS)
    if not sqlite:
        placeholders[_COLUMNS.index("raw")] = "%s::jsonb"
    updated = ", ".join(f"{quote(c)} = excluded.{quote(c)}" for c in _COLUMNS[1:])
    pending = f"{table}.{quote('pending_import')}"
    return (
        f"INSERT INTO {table} ({', '.join(quote(c) for c in _COLUMNS)}) "
        f"VALUES ({', '.join(placeholders)}) "
        f"ON CONFLICT ({quote('incident_id')}, {quote('source')}, {quote('source_ref')}) "
        f"DO UPDATE SET {updated} "
        f"WHERE {pending} <> '' AND {pending} <> excluded.{quote('pending_import')}"
    )


def pending_count(import_id: str) -> int:
    return TimelineEvent.with_pending.filter(pending_import=import_id).count()


def publish(incident: Incident, import_id: str, written: int) -> int:
    """Make the import's rows visible (call inside the import's last transaction)."""
    shown = TimelineEvent.with_pending.filter(incident=incident, pending_import=import_id).update(
        pending_import=""
    )
    if shown != written:
        raise ImportInterrupted(
            f"{written - shown} of the {written} events written were taken by another import "
            "of the same incident running at the same time"
        )
    return shown


def discard(import_id: str) -> int:
    """Delete the import's pending rows, a batch per short transaction."""
    rows = TimelineEvent.with_pending.filter(pending_import=import_id)
    return _delete_in_batches(rows)


def discard_abandoned(now: float | None = None) -> int:
    """Delete the pending rows of imports that started too long ago to be still running."""
    limit = int(time.time() if now is None else now) - ABANDONED_AFTER_SECONDS
    rows = TimelineEvent.with_pending.exclude(pending_import="").filter(
        pending_import__lt=f"{limit:011d}-"
    )
    return _delete_in_batches(rows)


def _delete_in_batches(rows: Any) -> int:
    deleted = 0
    while count := retry_when_locked(lambda: _delete_batch(rows)):
        deleted += count
    return deleted


def _delete_batch(rows: Any) -> int:
    """One batch, deleted by id: pending rows have nothing pointing at them (grouped
    sightings are stored in the transaction that publishes), so no cascade is needed."""
    with transaction.atomic():
        ids = list(rows.values_list("pk", flat=True)[:BATCH])
        if ids:
            table = connection.ops.quote_name(TimelineEvent._meta.db_table)
            marks = ", ".join(["%s"] * len(ids))
            with connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {table} WHERE id IN ({marks})", ids)
    return len(ids)


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
