"""CSV (or semicolon- or tab-separated) spreadsheets of events, with a column mapping.

``ParseOptions.columns`` maps event fields to column names (``at``, ``text``, ``actor``,
``kind``, ``actor_role``, ``source_ref``, ``evidence_url``, ``date``, ``time``, ``offset``);
fields it leaves out are found by common header names.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from secondstory.core.timeline.event import TimelineEvent
from secondstory.core.timeline.sources.base import (
    ParseOptions,
    Source,
    SourceError,
    Where,
    actor_name,
    clip,
    parse_offset,
    require_date,
    role_name,
    stable_ref,
)
from secondstory.core.timeline.sources.documents import decode_any, head_text, instant, kind_of, url

NAME = "csv"
DESCRIPTION = "CSV/TSV spreadsheet of events, columns mapped with --column or found by name"

FIELDS = (
    "at",
    "date",
    "time",
    "offset",
    "text",
    "actor",
    "actor_role",
    "kind",
    "source_ref",
    "evidence_url",
)
HEADER_NAMES: dict[str, tuple[str, ...]] = {
    "at": ("at", "timestamp", "datetime", "date time", "date_time", "when", "ts", "occurred at"),
    "date": ("date", "day"),
    "time": ("time", "time of day", "clock"),
    "offset": ("offset", "utc offset", "tz offset", "timezone", "tz"),
    "text": ("text", "message", "event", "description", "summary", "what", "details", "note"),
    "actor": ("actor", "user", "author", "who", "name", "person", "by"),
    "actor_role": ("actor_role", "role"),
    "kind": ("kind", "type", "category"),
    "source_ref": ("source_ref", "id", "ref", "reference"),
    "evidence_url": ("evidence_url", "url", "link", "evidence"),
}
DELIMITERS = (",", ";", "\t")

_DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")
_OFFSET = re.compile(r"[+-]\d{2}(?::?\d{2})?|Z|UTC")
_HAS_OFFSET = re.compile(r":\d{2}(?:[.,]\d+)?\s*(?:[+-]\d{2}(?::?\d{2})?|Z|UTC)$")
_EPOCH = re.compile(r"-?\d+(?:\.\d+)?")
_CLOCK = re.compile(r"\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?")


def _fold(name: str) -> str:
    return " ".join(name.replace("\ufeff", "").split()).casefold()


def _delimiter(header: str) -> str:
    """The delimiter that splits the header line most often (outside quotes)."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in header:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def sniff(source: Source) -> bool:
    """A header line naming a time column and a text column, split by , ; or tab."""
    try:
        if source.is_dir:
            return False
        text = head_text(source)
        first = next((line for line in text.splitlines() if line.strip()), "")
        if not first or first.lstrip().startswith(("{", "[", "<")):
            return False
        names = {_fold(cell) for cell in next(csv.reader([first], delimiter=_delimiter(first)))}
        has_time = bool(names & set(HEADER_NAMES["at"] + HEADER_NAMES["time"]))
        has_text = bool(names & set(HEADER_NAMES["text"]))
        return has_time and has_text
    except Exception:
        return False


def _columns(header: list[str], options: ParseOptions, where: Where) -> dict[str, int]:
    folded = [_fold(cell) for cell in header]
    found: dict[str, int] = {}
    for field, column in options.columns.items():
        if field not in FIELDS:
            raise where.error(
                "columns", f"unknown event field {field!r}; known: {', '.join(FIELDS)}"
            )
        wanted = _fold(column)
        if wanted not in folded:
            shown = ", ".join(repr(c) for c in header[:30])
            raise where.error(f"column {column!r}", f"not in the header (columns: {shown})")
        found[field] = folded.index(wanted)
    taken = set(found.values())
    for field, names in HEADER_NAMES.items():
        if field in found or (field == "at" and ("date" in found or "time" in found)):
            continue
        for name in names:
            if name in folded and folded.index(name) not in taken:
                found[field] = folded.index(name)
                taken.add(found[field])
                break
    if "at" not in found and "time" not in found and "date" in found:
        found["at"] = found.pop("date")
    if "at" not in found and "time" not in found:
        raise where.error(
            "columns",
            "no time column; name it with --column at=COLUMN "
            "(or --column date=COLUMN --column time=COLUMN)",
        )
    if "text" not in found:
        raise where.error("columns", "no text column; name it with --column text=COLUMN")
    return found


def parse(source: Source, options: ParseOptions) -> Iterator[TimelineEvent]:
    text = decode_any(source.read_bytes())
    first = next((line for line in text.splitlines() if line.strip()), "")
    if not first:
        return
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first), strict=True)
    yield from _rows(reader, source, options)


def _rows(reader: Any, source: Source, options: ParseOptions) -> Iterator[TimelineEvent]:
    header: list[str] | None = None
    columns: dict[str, int] = {}
    names: list[str] = []
    seen: dict[str, int] = {}
    start = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise SourceError(f"not readable as CSV: {exc}", file=source.name, line=start) from exc
        where = Where(source.name, start)
        start = reader.line_num + 1
        if not any(cell.strip() for cell in row):
            continue
        if header is None:
            header = row
            columns = _columns(row, options, where)
            names = row
            continue
        event = _event(row, columns, names, where, source, options, seen)
        if event is not None:
            yield event


def _cell(row: list[str], columns: dict[str, int], field: str) -> str:
    index = columns.get(field)
    if index is None or index >= len(row):
        return ""
    return row[index].replace("\r\n", "\n").replace("\r", "\n").strip()


def _event(
    row: list[str],
    columns: dict[str, int],
    names: list[str],
    where: Where,
    source: Source,
    options: ParseOptions,
    seen: dict[str, int],
) -> TimelineEvent | None:
    def label(field: str) -> str:
        return f"column {names[columns[field]]!r}"

    at = _when(row, columns, label, where, options)
    text = _cell(row, columns, "text")
    if not text:
        raise where.error(label("text"), "is empty")
    actor = actor_name(_cell(row, columns, "actor"))
    kind = "observation"
    if "kind" in columns:
        kind = kind_of(_cell(row, columns, "kind"), source, where, label("kind"))
    given = _cell(row, columns, "source_ref")
    base = given or _digest(at.astimezone(UTC).isoformat(), actor, text)
    count = seen[base] = seen.get(base, 0) + 1
    if given and count > 1:
        source.warn(f"{label('source_ref')}: {clip(given, 40)!r} repeats", line=where.line)
    if not options.in_window(at):
        return None
    return TimelineEvent(
        at=at,
        kind=kind,
        source=NAME,
        source_ref=stable_ref(base) if count == 1 else stable_ref(f"{base}#{count}"),
        text=text,
        actor=actor,
        actor_role=role_name(_cell(row, columns, "actor_role")),
        evidence_url=url(_cell(row, columns, "evidence_url"), source, where),
        raw={
            "line_number": where.line,
            "row": {names[i] if i < len(names) else str(i): c for i, c in enumerate(row)},
        },
    )


def _when(
    row: list[str], columns: dict[str, int], label: Any, where: Where, options: ParseOptions
) -> datetime:
    offset = _cell(row, columns, "offset")
    if "at" in columns:
        value = _cell(row, columns, "at")
        if not value:
            raise where.error(label("at"), "is empty")
        if _CLOCK.fullmatch(value):
            day = _cell(row, columns, "date") if "date" in columns else ""
            value = f"{day or require_date(options, where, 'times in this file')}T{value}"
        elif _DATE_ONLY.fullmatch(value) and "time" in columns:
            value = f"{value}T{_cell(row, columns, 'time')}"
        field = label("at")
    else:
        clock = _cell(row, columns, "time")
        if not clock:
            raise where.error(label("time"), "is empty")
        day = _cell(row, columns, "date") if "date" in columns else ""
        if not day and not _DATE_ONLY.match(clock):
            day = require_date(options, where, "times in this file").isoformat()
        value = f"{day}T{clock}" if day else clock
        field = label("time")
    if offset:
        if not _OFFSET.fullmatch(offset):
            raise where.error(
                label("offset"), f"not a UTC offset like +01:00: {clip(offset, 30)!r}"
            )
        if _EPOCH.fullmatch(value):
            moment = instant(value, where, field, options.tz)
            return moment.astimezone(parse_offset(offset, where, label("offset")))
        if not _HAS_OFFSET.search(value):
            value += offset
    return instant(value, where, field, options.tz)


def _digest(*parts: str) -> str:
    joined = "\x1f".join(parts)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:20]
