"""IRC logs as written by irssi, WeeChat, ZNC, supybot/Limnoria and year-less loggers.

The style is told line by line from the shape of the timestamp, so a file never needs a
header. Messages, ``/me`` actions, notices, joins, parts, quits, kicks, nick, topic and mode
changes all become ``chat`` events. IRC logs carry no UTC offset (``--tz`` is required),
except supybot/Limnoria lines written with one (``2024-05-02T14:03:11+0000``);
lines that carry no date take it from an irssi ``Log opened`` / ``Day changed`` line, from the
file name (``#ops_20240115.log``, ``2024-01-15.log``) or from ``--date``, and a clock that
goes back by more than twelve hours without a day marker moves to the next day.

The ``source_ref`` of an event is a hash of its local date and time, its actor and its text,
with a counter for identical lines: it does not move when a log grows at the top or is cut
differently, and the same line logged by two clients gives the same reference.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, tzinfo
from pathlib import PurePath

from secondstory.core.timeline.event import TimelineEvent
from secondstory.core.timeline.sources.base import (
    ParseOptions,
    Source,
    Where,
    actor_name,
    decode,
    parse_offset,
    require_date,
    require_zone,
    text_lines,
)
from secondstory.core.timeline.sources.lines import line_ref, place, roll_over

NAME = "irc"
DESCRIPTION = "IRC logs (irssi, WeeChat, ZNC, supybot/Limnoria, year-less [15 Jan 08:42])"

MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
        start=1,
    )
}
MAX_LINE = 4096  # the protocol limits a message to 512 bytes; longer lines are not IRC lines

_TIME = r"(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2}))?"
_MON = r"(?P<mon>[A-Za-z]{3})"

# irssi day markers: "--- Log opened Mon Jan 15 08:00:00 2024", "--- Day changed Tue Jan 16 2024"
_IRSSI_OPENED = re.compile(
    r"^--- Log (?:opened|closed) [A-Za-z]{3} " + _MON + r" +(?P<d>\d{1,2}) "
    r"\d{1,2}:\d{2}:\d{2} (?P<y>\d{4})\s*$"
)
_IRSSI_DAY = re.compile(
    r"^--- Day changed [A-Za-z]{3} " + _MON + r" +(?P<d>\d{1,2}) (?P<y>\d{4})\s*$"
)
# The line styles, each with its own timestamp; the rest of the line is the body.
_WEECHAT = re.compile(
    r"^(?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2}) " + _TIME + r"\t(?P<prefix>[^\t]*)\t(?P<body>.*)$"
)
# supybot/Limnoria; a ``timestampFormat`` with ``%z`` adds the offset (``+0000``).
_SUPYBOT = re.compile(
    r"^(?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2})T"
    + _TIME
    + r"(?:[.,]\d{1,6})?(?P<off>Z|[+-]\d{2}:?\d{2})?  (?P<body>\S.*)$"
)
_YEARLESS = re.compile(r"^\[(?P<d>\d{1,2}) " + _MON + r" " + _TIME + r"\] (?P<body>\S.*)$")
_ZNC = re.compile(r"^\[" + _TIME + r"\] (?P<body>\S.*)$")
_IRSSI = re.compile(r"^" + _TIME + r" (?P<body>\S.*|\s\*\s.*)$")

# Bodies.
_NICK = r"[^\s<>\[\]()]+"
_MESSAGE = re.compile(r"^<\s?[@+%&~!]?(?P<nick>" + _NICK + r")\s?> ?(?P<text>.*)$")
_ACTION = re.compile(r"^\s?\* (?P<nick>" + _NICK + r") ?(?P<text>.*)$")
_NOTICE = re.compile(r"^-(?P<nick>[^\s\-(:]+)(?:\([^)]*\)|:\S+)?- ?(?P<text>.*)$")
_STATUS = re.compile(r"^(?:-!-|\*\*\*) (?P<text>.*)$")

# Status texts ("-!-" in irssi, "***" in ZNC and supybot, the prefix column in WeeChat).
_HOST = r"(?: [\[(<][^\])>]*[\])>])?"
_REASON = r"(?: [\[(](?P<reason>.*)[\])])?"
_JOINED = re.compile(r"^(?P<nick>" + _NICK + r")" + _HOST + r" has joined (?P<chan>\S+)\s*$")
_JOINS = re.compile(r"^Joins: (?P<nick>" + _NICK + r")" + _HOST + r"\s*$")
_LEFT = re.compile(
    r"^(?P<nick>" + _NICK + r")" + _HOST + r" has left (?P<chan>\S+)" + _REASON + r"\s*$"
)
_PARTS = re.compile(r"^Parts: (?P<nick>" + _NICK + r")" + _HOST + _REASON + r"\s*$")
_QUIT = re.compile(r"^(?P<nick>" + _NICK + r")" + _HOST + r" has quit(?: IRC)?" + _REASON + r"\s*$")
_QUITS = re.compile(r"^Quits: (?P<nick>" + _NICK + r")" + _HOST + _REASON + r"\s*$")
_NICK_CHANGE = re.compile(r"^(?P<nick>" + _NICK + r") is now known as (?P<new>" + _NICK + r")\s*$")
_TOPIC = re.compile(
    r"^(?P<nick>" + _NICK + r") changed the topic of (?P<chan>\S+) to: ?(?P<topic>.*)$"
)
_TOPIC_FOR = re.compile(
    r"^(?P<nick>" + _NICK + r") has changed topic for (?P<chan>\S+) (?P<rest>.*)$"
)
_TOPIC_QUOTED = re.compile(
    r"^(?P<nick>" + _NICK + r") changes topic to (?P<q>['\"])(?P<topic>.*)(?P=q)\s*$"
)
_KICK = re.compile(
    r"^(?P<victim>"
    + _NICK
    + r") was kicked (?:from (?P<chan>\S+) )?by (?P<nick>"
    + _NICK
    + r")"
    + _REASON
    + r"\s*$"
)
_KICKED = re.compile(
    r"^(?P<nick>" + _NICK + r") has kicked (?P<victim>" + _NICK + r")" + _REASON + r"\s*$"
)
_WEECHAT_NOTICE = re.compile(r"^Notice\((?P<nick>[^)\s]+)\)(?: -> \S+)?: (?P<text>.*)$")
_WEECHAT_PREFIX = re.compile(r"^(?:-->|<--|--|=!=|\s?\*|[@+%&~!]?[^\s@+%&~!][^\s]*)$")
_MODE = re.compile(
    r"^(?:(?:mode/|Mode )(?P<chan>\S+) \[(?P<modes>[^\]]*)\] by (?P<nick>" + _NICK + r")"
    r"|(?P<nick2>" + _NICK + r") sets mode: (?P<modes2>.*\S))\s*$"
)

_FILE_DATE = re.compile(r"(?<!\d)(\d{4})-?(\d{2})-?(\d{2})(?!\d)")


@dataclass(slots=True)
class _Line:
    """What one log line says, before its time is placed."""

    number: int
    line: str
    clock: time
    day: date | None  # the full date, when the line carries one
    month_day: tuple[int, int] | None  # (month, day), for year-less lines
    actor: str
    text: str
    offset: str = ""  # the UTC offset the line was written with, when it has one


def sniff(source: Source) -> bool:
    if source.is_dir:
        return False
    head = source.head()
    text = decode(head)
    lines = text.splitlines()
    if len(head) >= 16384 and len(lines) > 1:
        lines = lines[:-1]  # the last line may be cut
    total = matched = strong = 0
    for line in lines[:400]:
        if not line.strip():
            continue
        total += 1
        kind = _shape(line)
        if total == 1 and not kind:
            return False  # a log starts with a log line, a table with its header
        if kind:
            matched += 1
            if kind == "strong":
                strong += 1
    return strong > 0 and matched * 2 >= total


def _shape(line: str) -> str:
    """ "strong" for a line only an IRC log has, "weak" for one that fits other formats too."""
    if _IRSSI_OPENED.match(line) or _IRSSI_DAY.match(line):
        return "strong"
    for pattern in (_WEECHAT, _SUPYBOT, _YEARLESS, _ZNC):
        match = pattern.match(line)
        if match is None:
            continue
        if pattern is _WEECHAT and not _WEECHAT_PREFIX.match(match.group("prefix")):
            continue
        if _body_fits(match.group("body"), pattern is _WEECHAT):
            return "strong"
    match = _IRSSI.match(line)
    if match is not None:
        body = match.group("body")
        if _STATUS.match(body) and body.startswith("-!-"):
            return "strong"
        if _body_fits(body, False):
            return "weak"
    return ""


def _body_fits(body: str, weechat: bool) -> bool:
    if weechat:
        return True  # the prefix column is checked by _shape
    return bool(
        _MESSAGE.match(body) or _ACTION.match(body) or _STATUS.match(body) or _NOTICE.match(body)
    )


def parse(source: Source, options: ParseOptions) -> Iterator[TimelineEvent]:
    name = PurePath(source.name)
    file_day = _file_date(name)
    channel = _file_channel(name, source)
    if channel and not options.wants_channel(channel):
        return
    day: date | None = file_day
    last: datetime | None = None  # the local time of the previous line
    zone: tzinfo | None = None
    seen: dict[str, int] = {}
    matched = nonblank = 0
    for number, line in text_lines(source):
        if not line.strip():
            continue
        nonblank += 1
        where = Where(source.name, number)
        if len(line) > MAX_LINE:
            source.warn("longer than any IRC log line; skipped", line=number)
            continue
        marker = _IRSSI_OPENED.match(line) or _IRSSI_DAY.match(line)
        if marker is not None:
            matched += 1
            day = _marker_date(marker.group("y"), marker.group("mon"), marker.group("d"), where)
            last = None
            continue
        try:
            parsed = _read(line, where, channel)
        except _Noise:
            matched += 1
            continue
        if parsed is None:
            source.warn("not an IRC log line; skipped", line=number)
            continue
        matched += 1
        if not parsed.text.strip():
            source.warn("a message with no text; skipped", line=number)
            continue
        local = _place(parsed, day, last, file_day, options, where)
        day = local.date()
        last = local
        if parsed.offset:
            at = _at_offset(local, parsed.offset, where)
        else:
            if zone is None:
                zone = require_zone(options, where, "IRC logs without a UTC offset")
            at = place(local, zone, where)
        if not options.in_window(at):
            continue
        yield TimelineEvent(
            at=at,
            kind="chat",
            source=NAME,
            source_ref=line_ref(local, parsed.actor, parsed.text, seen),
            text=parsed.text,
            actor=actor_name(parsed.actor),
            raw={"line": line, "line_number": number},
        )
    if nonblank and not matched:
        raise Where(source.name).error("format", "no line looks like an IRC log line")


def _place(
    parsed: _Line,
    day: date | None,
    last: datetime | None,
    file_day: date | None,
    options: ParseOptions,
    where: Where,
) -> datetime:
    """The local date and time of a line."""
    if parsed.day is not None:
        return datetime.combine(parsed.day, parsed.clock)
    if parsed.month_day is not None:
        month, mday = parsed.month_day
        if last is not None:
            year = last.year + (1 if month < last.month else 0)
        elif file_day is not None:
            year = file_day.year
        else:
            if options.date is None:
                raise where.missing(
                    "date", "year-less lines", "year-less lines carry no year; give it with --date"
                )
            year = options.date.year
        try:
            return datetime.combine(date(year, month, mday), parsed.clock)
        except ValueError as exc:
            raise where.error("date", f"{exc}: {parsed.line[:40]!r}") from exc
    if day is None:
        day = require_date(options, where, "these IRC log lines")
    local = datetime.combine(day, parsed.clock)
    return roll_over(local, last, where, "the log runs past the year 9999")


def _at_offset(local: datetime, offset: str, where: Where) -> datetime:
    moment = local.replace(tzinfo=parse_offset(offset, where, "time"))
    try:
        moment.astimezone(UTC)
    except OverflowError as exc:
        raise where.error("time", f"out of range: {local.isoformat()}{offset}") from exc
    return moment


class _Noise(Exception):
    """A line of the log that says nothing about the incident (client status chatter)."""


def _read(line: str, where: Where, channel: str) -> _Line | None:
    match = _WEECHAT.match(line)
    if match is not None:
        actor, text = _weechat_body(match.group("prefix"), match.group("body"), channel)
        return _make(line, where, match, actor, text, full=True)
    for pattern, full in ((_SUPYBOT, True), (_YEARLESS, False), (_ZNC, False), (_IRSSI, False)):
        match = pattern.match(line)
        if match is not None:
            found = _body(match.group("body"), channel)
            if found is None:
                return None
            return _make(line, where, match, found[0], found[1], full=full)
    return None


def _make(
    line: str, where: Where, match: re.Match[str], actor: str, text: str, *, full: bool
) -> _Line:
    hour, minute, second = int(match.group("h")), int(match.group("m")), int(match.group("s") or 0)
    if hour > 23 or minute > 59 or second > 59:
        raise where.error("time", f"not a time of day: {line[:40]!r}")
    clock = time(hour, minute, second)
    groups = match.groupdict()
    day: date | None = None
    month_day: tuple[int, int] | None = None
    if full:
        try:
            day = date(int(groups["y"]), int(groups["mo"]), int(groups["d"]))
        except ValueError as exc:
            raise where.error("date", f"{exc}: {line[:40]!r}") from exc
    elif groups.get("mon"):
        month = MONTHS.get(groups["mon"].casefold())
        mday = int(groups["d"])
        if month is None or not 1 <= mday <= 31:
            raise where.error("date", f"not a day and month: {line[:40]!r}")
        month_day = (month, mday)
    return _Line(where.line, line, clock, day, month_day, actor, text, groups.get("off") or "")


def _body(body: str, channel: str) -> tuple[str, str] | None:
    match = _MESSAGE.match(body)
    if match is not None:
        return match.group("nick"), match.group("text")
    match = _STATUS.match(body)
    if match is not None:
        return _status(match.group("text"), channel)
    match = _ACTION.match(body)
    if match is not None:
        return match.group("nick"), f"* {match.group('nick')} {match.group('text')}".rstrip()
    match = _NOTICE.match(body)
    if match is not None:
        return match.group("nick"), match.group("text")
    return None


def _weechat_body(prefix: str, body: str, channel: str) -> tuple[str, str]:
    tag = prefix.strip()
    if tag in ("-->", "<--", "--", "=!="):
        notice = _WEECHAT_NOTICE.match(body)
        if notice is not None:
            return notice.group("nick"), notice.group("text")
        found = _status(body, channel)
        if found is None:
            raise _Noise
        return found
    if tag == "*":
        nick, _, rest = body.partition(" ")
        return nick, f"* {nick} {rest}".rstrip()
    nick = tag.lstrip("@+%&~!")
    if not nick:
        raise _Noise
    return nick, body


def _status(text: str, channel: str) -> tuple[str, str] | None:
    """A join, part, quit, kick, nick, topic or mode line as ``(actor, text)``."""
    match = _JOINED.match(text)
    if match is not None:
        return match.group("nick"), f"{match.group('nick')} joined {match.group('chan')}"
    match = _JOINS.match(text)
    if match is not None:
        return match.group("nick"), f"{match.group('nick')} joined {channel}".rstrip()
    for pattern, verb in ((_LEFT, "left"), (_PARTS, "left"), (_QUIT, "quit"), (_QUITS, "quit")):
        match = pattern.match(text)
        if match is not None:
            groups = match.groupdict()
            place = groups.get("chan") or (channel if verb == "left" else "")
            out = f"{match.group('nick')} {verb} {place}".rstrip()
            if groups.get("reason"):
                out += f" ({groups['reason']})"
            return match.group("nick"), out
    match = _NICK_CHANGE.match(text)
    if match is not None:
        return match.group("nick"), f"{match.group('nick')} is now known as {match.group('new')}"
    found = _topic(text)
    if found is not None:
        nick, place, topic = found
        where = f" of {place or channel}" if place or channel else ""
        return nick, f"{nick} changed the topic{where} to: {topic}"
    match = _KICK.match(text) or _KICKED.match(text)
    if match is not None:
        place = match.groupdict().get("chan") or channel
        out = f"{match.group('nick')} kicked {match.group('victim')}"
        out += f" from {place}" if place else ""
        if match.group("reason"):
            out += f" ({match.group('reason')})"
        return match.group("nick"), out
    match = _MODE.match(text)
    if match is not None:
        nick = match.group("nick") or match.group("nick2") or ""
        modes = match.group("modes") or match.group("modes2") or ""
        place = match.group("chan") or channel
        return nick, f"{nick} set mode {modes}" + (f" on {place}" if place else "")
    return None


def _topic(text: str) -> tuple[str, str, str] | None:
    """``(nick, channel, new topic)`` of a topic change, in any logger's wording."""
    match = _TOPIC.match(text) or _TOPIC_QUOTED.match(text)
    if match is not None:
        return match.group("nick"), match.groupdict().get("chan") or "", match.group("topic")
    match = _TOPIC_FOR.match(text)
    if match is None:
        return None
    # WeeChat: 'to "new"' or 'from "old" to "new"' (the old topic may hold anything).
    rest = match.group("rest").rstrip()
    cut = rest.rfind('" to "') if rest.startswith('from "') else -1
    new = rest[cut + 5 :] if cut >= 0 else rest[3:] if rest.startswith('to "') else ""
    if len(new) < 2 or not new.endswith('"'):
        return None
    return match.group("nick"), match.group("chan"), new[1:-1]


def _marker_date(year: str, month: str, day: str, where: Where) -> date:
    number = MONTHS.get(month.casefold())
    try:
        if number is None:
            raise ValueError(f"unknown month {month!r}")
        return date(int(year), number, int(day))
    except ValueError as exc:
        raise where.error("date", str(exc)) from exc


def _file_date(name: PurePath) -> date | None:
    """The date in a log's file name (``#ops_20240115.log``, ``2024-01-15.log``)."""
    found = None
    for match in _FILE_DATE.finditer(name.stem):
        found = match
    if found is None:
        return None
    try:
        return date(int(found.group(1)), int(found.group(2)), int(found.group(3)))
    except ValueError:
        return None


def _file_channel(name: PurePath, source: Source) -> str:
    """The channel a log is named after: ``#ops`` in ``net_#ops_20240115.log`` or in
    ``#ops/2024-01-15.log``."""
    stem = name.stem
    if "#" in stem:
        channel = stem[stem.index("#") :]
        channel = _FILE_DATE.sub("", channel).rstrip("_-. ")
        return channel if len(channel) > 1 else ""
    parent = name.parent.name or source.path.absolute().parent.name
    return parent if parent.startswith("#") and len(parent) > 1 else ""
