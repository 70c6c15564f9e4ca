"""Quick capture: timeline events typed one per line, as plain data.

The grammar (one event per line; blank lines and lines starting with ``#`` are skipped)::

    line    = ["!"] stamp [offset] { kind | actor } text [" (learned later)"]
    stamp   = [date ("T" | " ")] time          date = YYYY-MM-DD, time = HH:MM[:SS[.ffffff]]
    offset  = "Z" (right after the time) | "UTC" | ("+" | "-") HH[:]MM
    kind    = "[" name "]" | name ":"          one of the timeline kinds, or "deploy" (= change)
    actor   = "<" display name ">"
    continuation = a line starting with a space or a tab: more text for the event above

Examples::

    14:02 paged the on-call
    14:02:30 [alert] <Alertmanager> CheckoutErrorRate firing
    2026-03-04 14:02 +01:00 decision: roll back config 881
    2026-03-04T14:02Z status: incident declared
    !14:20 the pool size was 1 (found in the logs the next day)
    14:25 pool limit reached (learned later)

A time without a date takes the running date: ``default_date`` at first, then the date of the
last line that named one. A time without an offset is read in ``default_zone``; a local time
that does not exist there (skipped by a daylight-saving change) or that happened twice (the
clocks went back) is an error asking for an explicit offset. When a date-less time lies more
than twelve hours before the previous event, it is taken to be after midnight: the running date
moves on by a day and the line's ``note`` says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo

from secondstory.core.taxonomy import MAX_ACTOR, TIMELINE_KINDS
from secondstory.core.timeline.event import offset_text

DEFAULT_KIND = "observation"
KIND_ALIASES = {"deploy": "change"}
LEARNED_LATER_MARK = "(learned later)"
ROLLOVER_THRESHOLD = timedelta(hours=12)

_STAMP = re.compile(
    r"(?:(?P<date>\d{4}-\d{1,2}-\d{1,2})[T ])?"
    r"(?P<time>\d{1,2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?)"
    r"(?:(?P<z>Z)|\s*(?P<utc>UTC)|\s*(?P<offset>[+-]\d{2}:?\d{2}))?"
    r"(?=\s|$)"
)
_BRACKET_KIND = re.compile(r"\[(?P<name>[^\]\s]*)\]")
_COLON_KIND = re.compile(r"(?P<name>[A-Za-z]+):(?=\s|$)")
_ACTOR = re.compile(r"<(?P<name>[^>]*)>")


@dataclass(frozen=True, slots=True)
class CapturedLine:
    """One typed line: the event it describes, or an error naming the line and the problem.

    ``at`` is aware and carries the offset the time was typed in (or the default zone's offset
    at that instant). ``note`` explains an inference, such as a roll-over past midnight.
    """

    line_number: int
    source: str
    at: datetime | None = None
    kind: str = DEFAULT_KIND
    actor: str = ""
    text: str = ""
    known_at_the_time: bool = True
    error: str = ""
    note: str = ""

    @property
    def ok(self) -> bool:
        return not self.error

    @property
    def local_date(self) -> date:
        """The calendar date as typed (at the line's own offset)."""
        if self.at is None:
            raise ValueError(f"line {self.line_number} has no time")
        return self.at.date()


class _LineError(ValueError):
    """A problem with one line; the message does not yet name the line."""


class LocalTimeError(_LineError):
    """A local time that does not exist in a zone, or that happened twice there."""


def parse_quick_lines(text: str, *, default_date: date, default_zone: tzinfo) -> list[CapturedLine]:
    """Parse quick-capture text, one event per line.

    >>> from datetime import date, timezone
    >>> [line] = parse_quick_lines("14:02 [page] <Ana> paged the on-call",
    ...                            default_date=date(2026, 3, 4), default_zone=timezone.utc)
    >>> (line.at.isoformat(), line.kind, line.actor, line.text)
    ('2026-03-04T14:02:00+00:00', 'page', 'Ana', 'paged the on-call')
    """
    lines: list[CapturedLine] = []
    running_date = default_date
    previous: datetime | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        if raw[:1] in (" ", "\t") and raw.strip() and lines:
            lines[-1] = _continued(lines[-1], raw.strip())
            continue
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        try:
            line, dated = _parse_line(number, stripped, running_date, default_zone, previous)
        except _LineError as exc:
            lines.append(CapturedLine(number, stripped, error=f"line {number}: {exc}"))
            continue
        if dated:
            running_date = line.local_date
        previous = line.at
        lines.append(line)
    return lines


def _continued(line: CapturedLine, more: str) -> CapturedLine:
    text = f"{line.text}\n{more}" if line.text else more
    known = line.known_at_the_time
    if text.lower().endswith(LEARNED_LATER_MARK):
        text, known = text[: -len(LEARNED_LATER_MARK)].rstrip(), False
    return CapturedLine(
        line.line_number,
        f"{line.source}\n{more}",
        line.at,
        line.kind,
        line.actor,
        text,
        known,
        line.error,
        line.note,
    )


def _parse_line(
    number: int, line: str, running_date: date, zone: tzinfo, previous: datetime | None
) -> tuple[CapturedLine, bool]:
    """The line, and whether it moved the running date (an explicit date or a roll-over)."""
    known = True
    rest = line
    if rest.startswith("!"):
        known, rest = False, rest[1:].lstrip()
    stamp = _STAMP.match(rest)
    if stamp is None:
        raise _LineError(
            f"{_first_word(rest)!r} is not a time; start the line with a time such as "
            "14:02, 14:02:30 or 2026-03-04 14:02 +01:00"
        )
    at, note = _instant(stamp, running_date, zone, previous)
    kind, actor, text = _kind_actor_text(rest[stamp.end() :].strip())
    if text.lower().endswith(LEARNED_LATER_MARK):
        text, known = text[: -len(LEARNED_LATER_MARK)].rstrip(), False
    if not text:
        raise _LineError("there is no text after the time; say what happened")
    dated = bool(stamp.group("date") or note)
    return CapturedLine(number, line, at, kind, actor, text, known, "", note), dated


def _first_word(text: str) -> str:
    return text.split(maxsplit=1)[0] if text.split() else text


def _instant(
    stamp: re.Match[str], running_date: date, zone: tzinfo, previous: datetime | None
) -> tuple[datetime, str]:
    clock = _time_of_day(stamp.group("time"))
    explicit_date = stamp.group("date")
    day = _calendar_date(explicit_date) if explicit_date else running_date
    offset = _offset(stamp)
    at = _resolve(datetime.combine(day, clock), offset, zone)
    if explicit_date or previous is None or at >= previous - ROLLOVER_THRESHOLD:
        return at, ""
    later = _resolve(datetime.combine(day + timedelta(days=1), clock), offset, zone)
    earlier = previous.astimezone(at.tzinfo).strftime("%H:%M")
    return later, (
        f"{stamp.group('time')} comes after {earlier} across midnight: "
        f"read as {later.date().isoformat()}"
    )


def _time_of_day(value: str) -> time:
    hours, minutes, *more = value.split(":")
    seconds, _, fraction = (more[0] if more else "0").partition(".")
    h, m, s = int(hours), int(minutes), int(seconds)
    if not (0 <= h <= 23 and 0 <= m <= 59 and 0 <= s <= 59):
        raise _LineError(f"{value} is not a time of day (hours 00-23, minutes and seconds 00-59)")
    return time(h, m, s, int(fraction.ljust(6, "0")) if fraction else 0)


def _calendar_date(value: str) -> date:
    try:
        year, month, day = (int(part) for part in value.split("-"))
        return date(year, month, day)
    except ValueError:
        raise _LineError(f"{value} is not a date (write YYYY-MM-DD)") from None


def _offset(stamp: re.Match[str]) -> timezone | None:
    if stamp.group("z") or stamp.group("utc"):
        return UTC
    raw = stamp.group("offset")
    if raw is None:
        return None
    digits = raw[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:])
    if hours > 18 or minutes > 59 or (hours == 18 and minutes):
        raise _LineError(f"{raw} is not a UTC offset (from -18:00 to +18:00)")
    delta = timedelta(hours=hours, minutes=minutes)
    return timezone(-delta if raw.startswith("-") else delta)


def _resolve(local: datetime, offset: timezone | None, zone: tzinfo) -> datetime:
    """The aware instant, at a fixed offset; gaps and folds in ``zone`` are errors."""
    if offset is not None:
        return local.replace(tzinfo=offset)
    return resolve_local_time(local, zone)


def resolve_local_time(local: datetime, zone: tzinfo) -> datetime:
    """``local`` (naive) read in ``zone``, as an aware datetime at a fixed UTC offset.

    Raises LocalTimeError (a ValueError) when the local time does not exist in the zone (the
    clocks jumped over it) or happened twice (the clocks went back), naming the offsets.

    >>> from zoneinfo import ZoneInfo
    >>> resolve_local_time(datetime(2026, 3, 4, 14, 2), ZoneInfo("Europe/Berlin")).isoformat()
    '2026-03-04T14:02:00+01:00'
    >>> try:  # doctest: +ELLIPSIS
    ...     resolve_local_time(datetime(2026, 3, 29, 2, 30), ZoneInfo("Europe/Berlin"))
    ... except LocalTimeError as exc:
    ...     print(exc)
    2026-03-29 02:30 does not exist in Europe/Berlin: the clocks jumped from +01:00 to +02:00; ...
    """
    first, second = local.replace(tzinfo=zone, fold=0), local.replace(tzinfo=zone, fold=1)
    first_offset, second_offset = first.utcoffset(), second.utcoffset()
    if first_offset is None or second_offset is None:
        raise ValueError(f"{zone} gives no UTC offset for {local:%Y-%m-%d %H:%M}")
    shown = f"{local:%Y-%m-%d %H:%M}"
    if first_offset != second_offset:
        if _exists(first, local):
            raise LocalTimeError(
                f"{shown} happened twice in {zone} (the clocks went back): at "
                f"{_format_offset(first_offset)} and at {_format_offset(second_offset)}; "
                "type the offset you mean"
            )
        raise LocalTimeError(
            f"{shown} does not exist in {zone}: the clocks jumped from "
            f"{_format_offset(first_offset)} to {_format_offset(second_offset)}; "
            "type the offset you mean"
        )
    return local.replace(tzinfo=timezone(first_offset))


def _exists(aware: datetime, local: datetime) -> bool:
    return aware.astimezone(UTC).astimezone(aware.tzinfo).replace(tzinfo=None, fold=0) == local


def _format_offset(delta: timedelta) -> str:
    return offset_text(int(delta.total_seconds() // 60))


def format_offset(moment: datetime) -> str:
    """``+05:30`` for an aware datetime (``+00:00`` for UTC)."""
    delta = moment.utcoffset()
    if delta is None:
        raise ValueError("the datetime has no UTC offset")
    return _format_offset(delta)


def _kind_actor_text(rest: str) -> tuple[str, str, str]:
    kind: str | None = None
    actor: str | None = None
    while rest:
        if kind is None and (match := _BRACKET_KIND.match(rest)):
            kind = _kind(match.group("name"), strict=True)
        elif kind is None and (match := _COLON_KIND.match(rest)) and _kind(match.group("name")):
            kind = _kind(match.group("name"))
        elif actor is None and (match := _ACTOR.match(rest)):
            actor = match.group("name").strip()
            if not actor:
                raise _LineError("<> names no actor; write <Name> or leave it out")
            if len(actor) > MAX_ACTOR:
                raise _LineError(f"the actor is longer than {MAX_ACTOR} characters")
        else:
            break
        rest = rest[match.end() :].lstrip()
    return kind or DEFAULT_KIND, actor or "", rest


def _kind(name: str, *, strict: bool = False) -> str:
    lowered = name.lower()
    kind = KIND_ALIASES.get(lowered, lowered)
    if kind in TIMELINE_KINDS:
        return kind
    if strict:
        raise _LineError(f"[{name}] is not a kind of event; use one of {', '.join(TIMELINE_KINDS)}")
    return ""
