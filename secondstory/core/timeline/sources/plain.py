"""Plain timestamped lines: ``HH:MM[:SS] [<nick>] text``, one event a line.

Notes typed during an incident, a terminal scroll-back, a chat copied out of a client that
exports nothing better. The lines carry neither a date nor a zone, so ``--date`` and ``--tz``
are both required. A line that starts with white space continues the text of the previous
one; a clock that goes back by more than twelve hours moves to the next day.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime, time, tzinfo
from typing import Any

from secondstory.core.timeline.event import TimelineEvent
from secondstory.core.timeline.sources.base import (
    HEAD_SIZE,
    ParseOptions,
    Source,
    Where,
    actor_name,
    decode,
    require_date,
    require_zone,
    text_lines,
)
from secondstory.core.timeline.sources.lines import line_ref, place, roll_over

NAME = "plain"
DESCRIPTION = "plain lines 'HH:MM[:SS] [<nick>] text' (needs --date and --tz)"

_LINE = re.compile(
    r"^(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2}))?(?:\s+|$)"
    r"(?:<\s?[@+%&~!]?(?P<nick>[^\s<>]+)\s?>\s*)?(?P<text>.*)$"
)
# Space-separated only: a time followed by a tab is a column of a table (the CSV importer's).
_STARTS_WITH_TIME = re.compile(r"^\d{1,2}:\d{2}(?::\d{2})?(?: +\S| *$)")


def sniff(source: Source) -> bool:
    if source.is_dir:
        return False
    head = source.head()
    lines = decode(head).splitlines()
    if len(head) >= HEAD_SIZE and len(lines) > 1:
        lines = lines[:-1]  # the last line may be cut
    timed = counted = 0
    for line in lines:
        if not line.strip() or line[0].isspace():
            continue  # blank lines and continuations do not count
        counted += 1
        if _STARTS_WITH_TIME.match(line):
            timed += 1
    return timed > 0 and timed * 2 > counted


class _Pending:
    """An event being read: its first line and any continuation lines."""

    def __init__(self, number: int, line: str, local: datetime, nick: str, text: str) -> None:
        self.number = number
        self.line = line
        self.local = local
        self.nick = nick
        self.text = text
        self.more: list[str] = []


def parse(source: Source, options: ParseOptions) -> Iterator[TimelineEvent]:
    start = source.where
    day = require_date(options, start, "plain lines")
    zone = require_zone(options, start, "plain lines")
    seen: dict[str, int] = {}
    last: datetime | None = None
    pending: _Pending | None = None
    matched = nonblank = 0
    for number, line in text_lines(source):
        if not line.strip():
            continue
        nonblank += 1
        if line[0].isspace():
            if pending is None:
                source.warn("a continued line with nothing before it; skipped", line=number)
            else:
                matched += 1
                pending.more.append(line)
                pending.text = f"{pending.text}\n{line.strip()}".strip()
            continue
        match = _LINE.match(line)
        if match is None:
            source.warn("does not start with a time HH:MM; skipped", line=number)
            continue
        matched += 1
        where = Where(source.name, number)
        local = _local(match, day, last, line, where)
        day, last = local.date(), local
        if pending is not None:
            yield from _emit(pending, zone, options, seen, source)
        pending = _Pending(number, line, local, match.group("nick") or "", match.group("text"))
    if pending is not None:
        yield from _emit(pending, zone, options, seen, source)
    if nonblank and not matched:
        raise start.error("format", "no line starts with a time HH:MM")


def _local(
    match: re.Match[str], day: date, last: datetime | None, line: str, where: Where
) -> datetime:
    hour, minute, second = int(match.group("h")), int(match.group("m")), int(match.group("s") or 0)
    if hour > 23 or minute > 59 or second > 59:
        raise where.error("time", f"not a time of day: {line[:40]!r}")
    local = datetime.combine(day, time(hour, minute, second))
    return roll_over(local, last, where, "the lines run past the year 9999")


def _emit(
    pending: _Pending,
    zone: tzinfo,
    options: ParseOptions,
    seen: dict[str, int],
    source: Source,
) -> Iterator[TimelineEvent]:
    where = Where(source.name, pending.number)
    if not pending.text:
        source.warn("a time with no text; skipped", line=pending.number)
        return
    at = place(pending.local, zone, where)
    if not options.in_window(at):
        return
    raw: dict[str, Any] = {"line": pending.line, "line_number": pending.number}
    if pending.more:
        raw["continued"] = pending.more
    yield TimelineEvent(
        at=at,
        kind="chat" if pending.nick else "observation",
        source=NAME,
        source_ref=line_ref(pending.local, pending.nick, pending.text, seen),
        text=pending.text,
        actor=actor_name(pending.nick),
        raw=raw,
    )
