"""Timelines written as tables, timed bullets or lines, or time headings, as timeline events.

A date written on a line wins; otherwise the last date seen (a date heading, an earlier row)
or the incident date is used, and a time earlier than the previous one by more than six hours
moves to the next day (the night passed). The zone is, in order: one written next to the time,
one in the table header, one the document declares, the one given by the user; else UTC, and
the report says so.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo

from secondstory.core.postmortem_import import report as r
from secondstory.core.postmortem_import.blocks import (
    Line,
    is_table_row,
    is_table_separator,
    table_cells,
)
from secondstory.core.postmortem_import.clock import (
    DATE,
    RELATIVE_DAY,
    TIME,
    ZONE,
    Zone,
    find_zone,
    following_day,
    read_date,
    read_time,
    summer_time,
)
from secondstory.core.timeline.event import TimelineEvent
from secondstory.core.timeline.quick import LocalTimeError, resolve_local_time
from secondstory.core.timeline.sources.base import actor_name, stable_ref

SOURCE = "markdown"
ROLLOVER = timedelta(hours=6)

_STAMP = re.compile(
    r"(?:\*\*|__|`|\[|~|\(|approx\.?\s*)*\s*"
    r"(?:(?P<date>" + DATE + r")(?:\s*[,–—]?\s*(?:at\s+)?|\s+-\s+|T)"
    r"|(?P<rel>" + RELATIVE_DAY + r")(?![\w:])\s*,?\s*(?:at\s+)?)?"
    r"(?P<time>" + TIME + r")"
    r"(?:\s*\(?(?P<zone>" + ZONE + r")\)?)?"
    r"(?:\s*(?:,|\(|\bon\b)\s*(?P<after>" + DATE + r")\)?)?"
    r"(?:\*\*|__|`|\]|\))*\s*(?:[-–—:|>=]+\s*)?",
    re.IGNORECASE,
)
_DATE_ONLY = re.compile(
    r"(?:\*\*|__|`)*\s*(?P<date>" + DATE + r")\s*(?:\*\*|__|`)*\s*(?:\([^()]{0,60}\))?\s*:?\s*",
    re.IGNORECASE,
)
_MARKER = re.compile(r"\s*(?:[-*+]|\d{1,3}[.)])\s+(?:\[[ xX]\]\s*)?")
_HEADING = re.compile(r"\s{0,3}#{1,6}\s+(.*?)\s*#*\s*")

_KINDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("page", re.compile(r"\bpage[ds]?\b|\bpaging\b|pagerduty|opsgenie|\bpager\b")),
    ("alert", re.compile(r"\balerts?\b|\balerting\b|\balarms?\b|\balerted\b|\bfired\b")),
    (
        "change",
        re.compile(
            r"\bdeploy(?:ed|ing|s)?\b|\broll(?:ed|ing)? ?(?:back|out)\b|\brollback"
            r"|\breleased?\b|\bmerged?\b|\bupgraded?\b|\breverted?\b|\bconfig(?:uration)? change"
        ),
    ),
    ("decision", re.compile(r"\bdecided\b|\bdecision\b|\bagreed to\b")),
)
_TIME_HEADERS = re.compile(r"time|when|timestamp|hh:mm|utc|clock", re.IGNORECASE)
_DATE_HEADERS = re.compile(r"^\W*(?:date|day)\W*$", re.IGNORECASE)
_TEXT_HEADERS = re.compile(
    r"event|description|what|action|detail|update|message|note|activity|summary|happen",
    re.IGNORECASE,
)
_ACTOR_HEADERS = re.compile(r"who|actor|person|by\b|author|responder|owner|team", re.IGNORECASE)


def event_kind(text: str) -> str:
    """``observation`` unless a word clearly says page, alert, change or decision.

    >>> event_kind("PagerDuty paged the on-call"), event_kind("Deployed v2.3 to prod")
    ('page', 'change')
    >>> event_kind("Latency looked normal again")
    'observation'
    """
    lowered = text.casefold()
    for kind, pattern in _KINDS:
        if pattern.search(lowered):
            return kind
    return "observation"


@dataclass(slots=True)
class Context:
    stem: str
    base_date: date | None
    zone: Zone | None  # declared by the document
    fallback: tzinfo | None  # given by the user
    notes: r.Notes
    text_zone: Zone | None = None  # the one zone the text writes beside its times


@dataclass(slots=True)
class Timeline:
    events: list[TimelineEvent] = field(default_factory=list)
    leftovers: list[Line] = field(default_factory=list)
    dates: list[date] = field(default_factory=list)


@dataclass(slots=True)
class _Columns:
    time: int = 0
    date: int = -1
    text: int = -1
    actor: int = -1
    zone: Zone | None = None


class _Reader:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.out = Timeline()
        self.day = ctx.base_date
        self.last: datetime | None = None
        self.heading_time: tuple[datetime | None, str] | None = None
        self.pending: TimelineEvent | None = None
        self.refs: set[str] = set()
        self.heading_zone = ""

    # -- instants -------------------------------------------------------------------------------

    def instant(
        self,
        date_text: str,
        time_text: str,
        zone_text: str,
        line: int,
        header_zone: Zone | None,
        relative: str = "",
    ) -> datetime | None:
        clock = read_time(time_text)
        if clock is None:
            return None
        explicit = read_date(date_text, self.day.year if self.day else None) if date_text else None
        if explicit is None and relative and self.day is not None:
            explicit = following_day(self.day, relative)
        if explicit is not None:
            self.day = explicit
            local = datetime.combine(explicit, clock)
        else:
            if self.day is None:
                self.ctx.notes.once(
                    r.NO_DATE,
                    line,
                    "timeline",
                    "no incident date found (front matter date:, the title, the file name or a "
                    "date line); timed entries without a date are kept as text",
                )
                return None
            local = datetime.combine(self.day, clock)
            if self.last is not None and local < self.last - ROLLOVER:
                local += timedelta(days=1)
                self.day = local.date()
        self.last = local
        self.out.dates.append(local.date())
        return self.localize(local, zone_text, line, header_zone)

    def localize(
        self, local: datetime, zone_text: str, line: int, header_zone: Zone | None
    ) -> datetime:
        zone = find_zone(zone_text) if zone_text else None
        zone = zone or header_zone or self.ctx.zone
        tz: tzinfo
        if zone is None and self.ctx.fallback is None and self.ctx.text_zone is not None:
            zone = self.ctx.text_zone
            self.ctx.notes.once(
                r.ZONE_FROM_TEXT,
                line,
                "timeline",
                f"no time zone declared; times without one are read in {zone.label}, the zone "
                "the text writes beside its times",
            )
        if zone is not None:
            tz = zone.tz
        elif self.ctx.fallback is not None:
            tz = self.ctx.fallback
        else:
            self.ctx.notes.once(
                r.NO_ZONE,
                line,
                "timeline",
                "no time zone stated (e.g. 'All times in UTC'); times read as UTC",
            )
            tz = UTC
        try:
            moment = resolve_local_time(local, tz)
        except LocalTimeError as exc:
            self.ctx.notes.add(r.LOCAL_TIME, line, "timeline", f"{exc}; the first offset is used")
            offset = local.replace(tzinfo=tz, fold=0).utcoffset() or timedelta(0)
            moment = local.replace(tzinfo=timezone(offset))
        except ValueError as exc:
            self.ctx.notes.add(r.LOCAL_TIME, line, "timeline", f"{exc}; read as UTC")
            moment = local.replace(tzinfo=UTC)
        if zone is not None and summer_time(local.replace(tzinfo=zone.tz), zone):
            self.ctx.notes.once(
                r.SUMMER_TIME,
                line,
                "timeline",
                f"{zone.label} is written for summer dates; read as the local clock "
                f"({moment.isoformat()[-6:]} in summer)",
            )
        return moment

    # -- events ---------------------------------------------------------------------------------

    def add(self, at: datetime, text: str, line: int, raw_line: str, actor: str = "") -> None:
        text = text.strip()
        digest = hashlib.sha256(f"{at.isoformat()}|{text}".encode()).hexdigest()[:12]
        ref = stable_ref(self.ctx.stem, digest)
        number = 2
        while ref in self.refs:
            ref = stable_ref(self.ctx.stem, f"{digest}-{number}")
            number += 1
        self.refs.add(ref)
        event = TimelineEvent(
            at=at,
            kind=event_kind(text),
            source=SOURCE,
            source_ref=ref,
            text=text,
            actor=actor_name(actor),
            raw={"line": raw_line, "line_number": line},
        )
        self.out.events.append(event)
        self.pending = event

    def leftover(self, line: int, text: str, why: str = "") -> None:
        self.pending = None
        self.out.leftovers.append((line, text))
        if why:
            self.ctx.notes.add(r.UNTIMED, line, "timeline", why)

    # -- lines ----------------------------------------------------------------------------------

    def table(self, rows: list[Line]) -> None:
        self.pending = None
        columns = _Columns()
        data = rows
        if len(rows) >= 2 and is_table_separator(rows[1][1]):
            columns = _columns(table_cells(rows[0][1]))
            data = rows[2:]
        for number, row in data:
            if is_table_separator(row):
                continue
            cells = table_cells(row)
            time_cell = cells[columns.time] if columns.time < len(cells) else ""
            date_cell = cells[columns.date] if 0 <= columns.date < len(cells) else ""
            match = _STAMP.match(f"{date_cell} {time_cell}".strip())
            if columns.text >= 0:
                text = cells[columns.text] if columns.text < len(cells) else ""
            else:
                rest = [c for i, c in enumerate(cells) if i not in (columns.time, columns.date)]
                text = " — ".join(c for c in rest if c)
            actor = cells[columns.actor] if 0 <= columns.actor < len(cells) else ""
            at = None
            if match:
                at = self.instant(
                    match.group("date") or match.group("after") or "",
                    match.group("time"),
                    match.group("zone") or "",
                    number,
                    columns.zone,
                    match.group("rel") or "",
                )
            if at is None:
                if any(cells):
                    kept = "- " + " — ".join(cell for cell in cells if cell)
                    self.leftover(number, kept, f"no readable time in {time_cell!r}; row kept")
                continue
            if match is not None and match.end() < len(f"{date_cell} {time_cell}".strip()):
                text = f"{text} (time as written: {time_cell})"
            self.add(at, text, number, row, actor)

    def heading(self, number: int, line: str, text: str) -> None:
        self.pending = None
        match = _STAMP.match(text)
        if match and not text[match.end() :].strip():
            self.heading_time = (
                None,
                f"{match.group('date') or match.group('after') or ''}|{match.group('rel') or ''}"
                f"|{match.group('time')}",
            )
            self.heading_zone = match.group("zone") or ""
            return
        only_date = _DATE_ONLY.fullmatch(text)
        if only_date:
            found = read_date(only_date.group("date"), self.day.year if self.day else None)
            if found is not None:
                self.day, self.last, self.heading_time = found, None, None
                return
        self.heading_time = None
        self.leftover(number, line)

    def line(self, number: int, line: str, continuation: bool) -> None:
        marker = _MARKER.match(line)
        body = line[marker.end() :] if marker else line.strip()
        indented = line.startswith((" ", "\t"))
        match = _STAMP.match(body)
        if match and body[match.end() :].strip():
            at = self.instant(
                match.group("date") or match.group("after") or "",
                match.group("time"),
                match.group("zone") or "",
                number,
                None,
                match.group("rel") or "",
            )
            if at is not None:
                self.add(at, _unwrap(body[match.end() :]), number, line)
                return
        only_date = _DATE_ONLY.fullmatch(body)
        if only_date:
            found = read_date(only_date.group("date"), self.day.year if self.day else None)
            if found is not None:
                self.day, self.last = found, None
                self.pending = None
                return
        if self.pending is not None and (continuation or (indented and marker)):
            self.pending.text = f"{self.pending.text} {_unwrap(body)}".strip()
            raw = self.pending.raw or {}
            raw["line"] = f"{raw.get('line', '')}\n{line}"
            return
        if self.heading_time is not None:
            date_text, relative, time_text = self.heading_time[1].split("|", 2)
            at = self.instant(date_text, time_text, self.heading_zone, number, None, relative)
            if at is not None:
                self.add(at, _unwrap(body), number, line)
                return
        self.leftover(number, line)


def _columns(header: list[str]) -> _Columns:
    columns = _Columns(time=-1)
    for index, cell in enumerate(header):
        if columns.time < 0 and _TIME_HEADERS.search(cell):
            columns.time = index
            columns.zone = find_zone(cell)
        elif columns.date < 0 and _DATE_HEADERS.search(cell):
            columns.date = index
        elif columns.text < 0 and _TEXT_HEADERS.search(cell):
            columns.text = index
        elif columns.actor < 0 and _ACTOR_HEADERS.search(cell):
            columns.actor = index
    if columns.time < 0:
        columns.time = 0 if columns.date != 0 else 1
    return columns


def _unwrap(text: str) -> str:
    return text.strip().removesuffix("**").strip()


def read_timeline(lines: list[Line], ctx: Context) -> Timeline:
    """The events of a timeline section, and the lines that are not events."""
    reader = _Reader(ctx)
    index = 0
    previous_blank = True
    fence = False
    while index < len(lines):
        number, line = lines[index]
        if line.lstrip().startswith(("```", "~~~")):
            fence = not fence
            reader.leftover(number, line)
            index += 1
            continue
        if fence:
            reader.leftover(number, line)
            index += 1
            continue
        if not line.strip():
            reader.pending = None
            previous_blank = True
            index += 1
            continue
        if is_table_row(line):
            end = index
            while end < len(lines) and is_table_row(lines[end][1]):
                end += 1
            reader.table(lines[index:end])
            index = end
            previous_blank = False
            continue
        heading = _HEADING.fullmatch(line)
        if heading:
            reader.heading(number, line, heading.group(1))
        else:
            is_item = _MARKER.match(line) is not None and not line.startswith((" ", "\t"))
            reader.line(number, line, continuation=not previous_blank and not is_item)
        previous_blank = False
        index += 1
    return reader.out
