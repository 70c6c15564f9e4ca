"""Values every supported database stores the same way.

SQLite stores almost anything; PostgreSQL refuses a NUL character in text or
JSON, a UTC offset of 16 hours or more, and JSON numbers that are not finite.
Python refuses an instant whose conversion to UTC (or to a display offset)
leaves the years 1 to 9999. A record is checked here, before anything is
written, so that what one installation accepts every other one accepts too,
and an export from SQLite always loads into PostgreSQL.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from secondstory.core.record import IncidentRecord, PostmortemRecord

Path = tuple[str | int, ...]

_ITEM_TEXTS = (
    "key",
    "title",
    "type",
    "priority",
    "owner",
    "status",
    "reason",
    "done_criterion",
    "tracker_url",
)
_EVENT_TEXTS = ("kind", "source", "source_ref", "text", "actor", "actor_role", "evidence_url")

# PostgreSQL reads offsets up to 15:59; real time zones span -12:00 to +14:00.
MAX_OFFSET = timedelta(hours=16)
# Far enough from Python's year 1 and 9999 that showing the instant at any
# offset (a display time zone, the offset it was recorded in) stays in range.
EARLIEST = datetime(1, 1, 2, tzinfo=UTC)
LATEST = datetime(9999, 12, 30, tzinfo=UTC)
# Searched in C: a generated organisation checks millions of characters.
_SURROGATE = re.compile("[\ud800-\udfff]")


def text_problem(value: str) -> str | None:
    """Why ``value`` cannot be stored as text everywhere, or None.

    >>> text_problem("fine"), text_problem("a\\x00b")
    (None, 'contains a NUL character (\\\\x00) at position 2, which PostgreSQL cannot store')
    """
    position = value.find("\x00")
    if position >= 0:
        return (
            f"contains a NUL character (\\x00) at position {position + 1}, "
            "which PostgreSQL cannot store"
        )
    surrogate = _SURROGATE.search(value)
    if surrogate:
        return (
            f"contains a lone surrogate ({surrogate.group()!r}) at position "
            f"{surrogate.start() + 1}, which is not a Unicode character"
        )
    return None


def moment_problem(moment: datetime) -> str | None:
    """Why an aware datetime cannot be stored everywhere, or None.

    >>> from datetime import timezone
    >>> moment_problem(datetime(2026, 3, 4, 14, 2, tzinfo=timezone(timedelta(hours=1)))) is None
    True
    >>> moment_problem(datetime(2026, 3, 4, tzinfo=timezone(timedelta(hours=23, minutes=59))))
    'the UTC offset +23:59 is out of range; it must be less than 16 hours either way'
    """
    offset = moment.utcoffset()
    if offset is None:
        return None  # reported as a naive datetime by the invariants
    if abs(offset) >= MAX_OFFSET:
        return (
            f"the UTC offset {_offset_text(offset)} is out of range; "
            "it must be less than 16 hours either way"
        )
    if offset % timedelta(minutes=1):
        return f"the UTC offset {_offset_text(offset)} is not a whole number of minutes"
    # Compare wall-clock times shifted by the offset: converting to UTC may overflow.
    utc_wall = moment.replace(tzinfo=None)
    lower, upper = EARLIEST.replace(tzinfo=None) + offset, LATEST.replace(tzinfo=None) + offset
    if not lower <= utc_wall < upper:
        return (
            f"{moment.isoformat()} is out of range; in UTC it must fall between "
            f"{EARLIEST.date()} and {LATEST.date()}"
        )
    return None


def json_problem(value: Any) -> tuple[Path, str] | None:
    """The first part of a JSON-like value that cannot be stored everywhere, or None."""
    if isinstance(value, str):
        message = text_problem(value)
        return ((), message) if message else None
    if isinstance(value, float) and not math.isfinite(value):
        return ((), f"{value} is not a finite number; PostgreSQL's JSON cannot store it")
    if isinstance(value, dict):
        for name, item in value.items():
            message = text_problem(name) if isinstance(name, str) else None
            if message:
                return ((name,), f"the key {message}")
            found = json_problem(item)
            if found:
                return ((name, *found[0]), found[1])
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            found = json_problem(item)
            if found:
                return ((index, *found[0]), found[1])
    return None


# From here on Python writes a float as ``1e+16``; PostgreSQL's JSON keeps such a
# number as an integer, read back rounded to the digits written. Stored as the
# integer it is, it reads back the same on every database.
_INTEGRAL_FLOAT = 1e16


def storable_json(value: Any) -> Any:
    """``value`` with every float of 1e16 or more (always a whole number) as an int.

    >>> storable_json({"n": [-3.4290299375106195e17, 1.5, 2]})
    {'n': [-342902993751061952, 1.5, 2]}
    """
    if isinstance(value, float) and math.isfinite(value) and abs(value) >= _INTEGRAL_FLOAT:
        return int(value)
    if isinstance(value, dict):
        return {name: storable_json(item) for name, item in value.items()}
    if isinstance(value, list):
        return [storable_json(item) for item in value]
    return value


def _offset_text(offset: timedelta) -> str:
    sign = "-" if offset < timedelta(0) else "+"
    minutes = int(abs(offset).total_seconds()) // 60
    seconds = int(abs(offset).total_seconds()) % 60
    text = f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"
    return f"{text}:{seconds:02d}" if seconds else text


def _texts(record: PostmortemRecord) -> Iterator[tuple[Path, str]]:
    yield ("key",), record.key
    yield ("title",), record.title
    yield ("status",), record.status
    yield ("owner",), record.owner
    yield ("facilitator",), record.facilitator
    yield ("not_required_reason",), record.not_required_reason
    for i, name in enumerate(record.collaborators):
        yield ("collaborators", i), name
    for i, name in enumerate(record.reviewers):
        yield ("reviewers", i), name
    for name, person in record.people.items():
        yield ("people", name), name
        yield ("people", name, "name"), person.name
        yield ("people", name, "email"), person.email
    for i, incident in enumerate(record.incidents):
        for path, value in _incident_texts(incident):
            yield ("incidents", i, *path), value
    for name, text in record.sections.items():
        yield ("sections", name), text
    for i, factor in enumerate(record.factors):
        for attribute in ("key", "category", "description", "evidence"):
            yield ("factors", i, attribute), getattr(factor, attribute)
        for j, ref in enumerate(factor.events):
            yield ("factors", i, "events", j), ref
    for i, item in enumerate(record.action_items):
        for attribute in _ITEM_TEXTS:
            yield ("action_items", i, attribute), getattr(item, attribute)
        for j, key in enumerate(item.factors):
            yield ("action_items", i, "factors", j), key
    for i, step in enumerate(record.transitions):
        for attribute in ("from_status", "to_status", "by", "note"):
            yield ("transitions", i, attribute), getattr(step, attribute)


def _incident_texts(incident: IncidentRecord) -> Iterator[tuple[Path, str]]:
    for attribute in ("key", "title", "severity", "visibility", "milestone_order_note"):
        yield (attribute,), getattr(incident, attribute)
    for attribute in ("services", "teams", "tags"):
        for j, value in enumerate(getattr(incident, attribute)):
            yield (attribute, j), value
    for j, ref in enumerate(incident.external_references):
        yield ("external_references", j, "system"), ref.system
        yield ("external_references", j, "identifier"), ref.identifier
        yield ("external_references", j, "url"), ref.url
    for j, milestone in enumerate(incident.milestones):
        yield ("milestones", j, "kind"), milestone.kind
    for j, event in enumerate(incident.timeline):
        for attribute in _EVENT_TEXTS:
            yield ("timeline", j, attribute), getattr(event, attribute)


def _moments(record: PostmortemRecord) -> Iterator[tuple[Path, datetime]]:
    if record.created_at is not None:
        yield ("created_at",), record.created_at
    for i, incident in enumerate(record.incidents):
        for j, milestone in enumerate(incident.milestones):
            yield ("incidents", i, "milestones", j, "at"), milestone.at
        for j, event in enumerate(incident.timeline):
            yield ("incidents", i, "timeline", j, "at"), event.at
    for i, item in enumerate(record.action_items):
        if item.completed_at is not None:
            yield ("action_items", i, "completed_at"), item.completed_at
    for i, step in enumerate(record.transitions):
        yield ("transitions", i, "at"), step.at


def storable_problems(record: PostmortemRecord) -> list[tuple[Path, str]]:
    """(path, message) for every value some supported database would refuse."""
    problems: list[tuple[Path, str]] = []
    for path, text in _texts(record):
        message = text_problem(text)
        if message:
            problems.append((path, message))
    for path, moment in _moments(record):
        message = moment_problem(moment)
        if message:
            problems.append((path, message))
    for i, incident in enumerate(record.incidents):
        for j, event in enumerate(incident.timeline):
            found = json_problem(event.raw)
            if found:
                problems.append((("incidents", i, "timeline", j, "raw", *found[0]), found[1]))
    return problems
