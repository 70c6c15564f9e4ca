"""Dates, clock times and zone names as people write them in postmortems.

Everything here reads free text and never raises: a value that cannot be read gives None.
Zone abbreviations of standard time that also have a summer time (``CET``, ``PST``, ``EST``)
name the local wall clock of a region, because that is what people mean when they write
"All times in CET" in July; the abbreviations of summer time (``CEST``, ``PDT``) and zones
without one (``IST``, ``JST``) are fixed offsets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_REGIONS: dict[str, str] = {
    "PST": "America/Los_Angeles",
    "PT": "America/Los_Angeles",
    "PACIFIC": "America/Los_Angeles",
    "MST": "America/Denver",
    "MT": "America/Denver",
    "CST": "America/Chicago",
    "CT": "America/Chicago",
    "EST": "America/New_York",
    "ET": "America/New_York",
    "EASTERN": "America/New_York",
    "CET": "Europe/Berlin",
    "WET": "Europe/Lisbon",
    "EET": "Europe/Helsinki",
    "AEST": "Australia/Sydney",
    "NZST": "Pacific/Auckland",
}
_FIXED_HOURS: dict[str, float] = {
    "UTC": 0,
    "GMT": 0,
    "Z": 0,
    "PDT": -7,
    "MDT": -6,
    "CDT": -5,
    "EDT": -4,
    "CEST": 2,
    "WEST": 1,
    "EEST": 3,
    "BST": 1,
    "IST": 5.5,
    "JST": 9,
    "KST": 9,
    "SGT": 8,
    "HKT": 8,
    "MSK": 3,
    "AEDT": 11,
    "NZDT": 13,
}
# Zones written out in words, as their abbreviation.
_LONG_NAMES: dict[str, str] = {
    "Coordinated Universal Time": "UTC",
    "Greenwich Mean Time": "GMT",
    "British Summer Time": "BST",
    "Central European Time": "CET",
    "Central European Summer Time": "CEST",
    "Eastern Time": "ET",
    "Eastern Standard Time": "EST",
    "Eastern Daylight Time": "EDT",
    "Central Time": "CT",
    "Central Standard Time": "CST",
    "Central Daylight Time": "CDT",
    "Mountain Time": "MT",
    "Mountain Standard Time": "MST",
    "Mountain Daylight Time": "MDT",
    "Pacific Time": "PT",
    "Pacific Standard Time": "PST",
    "Pacific Daylight Time": "PDT",
    "India Standard Time": "IST",
    "Japan Standard Time": "JST",
}
_LONG_UPPER = {name.upper(): short for name, short in _LONG_NAMES.items()}
ZONE_NAMES = sorted([*_REGIONS, *_FIXED_HOURS, *_LONG_NAMES], key=len, reverse=True)
# A zone as written after a time or in a declaration: an abbreviation, UTC+2, +05:30, an IANA name.
ZONE = (
    r"(?-i:(?<![A-Za-z])(?:(?:UTC|GMT|utc|gmt)\s?[+-]\s?\d{1,2}(?::?\d{2})?|[+-]\d{2}:?\d{2}"
    r"|[A-Z][A-Za-z]+/[A-Za-z_]+|(?:utc|gmt|" + "|".join(ZONE_NAMES) + r"))(?![A-Za-z/]))"
)
_ZONE_RE = re.compile(ZONE)
_OFFSET = re.compile(r"(?:UTC|GMT)?\s?([+-])\s?(\d{1,2})(?::?(\d{2}))?", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Zone:
    """A zone read from the text: the zone itself and how it was written."""

    tz: tzinfo
    label: str
    regional: bool  # a wall clock with summer time (CET, PST), not a fixed offset


def zone_named(text: str) -> Zone | None:
    """The zone an abbreviation, offset or IANA name stands for.

    >>> zone_named("IST").tz.utcoffset(None), zone_named("utc+2").label
    (datetime.timedelta(seconds=19800), 'UTC+2')
    """
    label = text.strip().strip("()")
    upper = label.upper()
    if upper in _LONG_UPPER:
        label = upper = _LONG_UPPER[upper]
    if upper in _FIXED_HOURS:
        minutes = int(_FIXED_HOURS[upper] * 60)
        return Zone(UTC if minutes == 0 else timezone(timedelta(minutes=minutes)), upper, False)
    if upper in _REGIONS:
        return Zone(ZoneInfo(_REGIONS[upper]), upper, True)
    offset = _OFFSET.fullmatch(label)
    if offset:
        sign, hours_text, minutes_text = offset.groups()
        total = int(hours_text) * 60 + int(minutes_text or 0)
        if total > 18 * 60:
            return None
        delta = timedelta(minutes=-total if sign == "-" else total)
        return Zone(timezone(delta) if total else UTC, label.upper().replace(" ", ""), False)
    if "/" in label and len(label) < 60:
        try:
            return Zone(ZoneInfo(label), label, True)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            return None
    return None


def find_zone(text: str) -> Zone | None:
    match = _ZONE_RE.search(text)
    return zone_named(match.group(0)) if match else None


_DECLARATION = re.compile(
    r"\b(?:times?|timestamps?|hours|timezone|time\s+zone)\b[^.\n|]{0,30}?"
    r"(?:\bin\b|\bare\b|\bis\b|:|\()?\s*\(?(" + ZONE + r")\)?",
    re.IGNORECASE,
)


def declared_zone(line: str) -> Zone | None:
    """The zone a line such as "All times in UTC" or "(times are CET)" declares.

    >>> declared_zone("All times in UTC.").label, declared_zone("Times are CET").label
    ('UTC', 'CET')
    >>> declared_zone("The cache timed out") is None
    True
    """
    match = _DECLARATION.search(line)
    return zone_named(match.group(1)) if match else None


_BESIDE_TIME = re.compile(
    r"(?<![\w:])(?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d)?(?:\s?[ap]\.?m\.?)?\s?\(?(" + ZONE + r")\)?",
    re.IGNORECASE,
)


def zone_beside_times(lines: list[str]) -> Zone | None:
    """The one zone the text writes beside its clock times ("began at 12:58 BST"), when the
    document declares none; None when it writes none, or several different ones.

    >>> zone_beside_times(["Errors from 12:58 BST to 14:20 BST.", "Paged at 1:06 PM"]).label
    'BST'
    >>> zone_beside_times(["12:58 BST", "13:58 CEST"]) is None
    True
    """
    found: dict[str, Zone] = {}
    for line in lines:
        if ":" not in line:
            continue
        for match in _BESIDE_TIME.finditer(line):
            zone = zone_named(match.group(1))
            if zone is not None:
                found.setdefault(zone.label, zone)
                if len(found) > 1:
                    return None
    return next(iter(found.values()), None)


MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_MONTH = r"(?:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_WEEKDAY = r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\s+)?"
DATE = (
    r"(?:\d{4}[-/]\d{1,2}[-/]\d{1,2}"
    r"|" + _WEEKDAY + _MONTH + r"\s+\d{1,2}(?:st|nd|rd|th)?(?:,?\s+\d{4})?"
    r"|" + _WEEKDAY + r"\d{1,2}(?:st|nd|rd|th)?\s+" + _MONTH + r"(?:,?\s+\d{4})?)"
)
_DATE_RE = re.compile(r"(?<![\w-])" + DATE + r"(?![\w])", re.IGNORECASE)
_NUMERIC = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})")
_DIGITS = re.compile(r"\d+")


def read_date(text: str, year: int | None = None) -> date | None:
    """A date written as 2020-03-04, 2020/03/04, March 4, 2020, 4 March 2020 or Wed, Mar 4.

    A date without a year takes ``year``; without one it is not read.

    >>> read_date("2020-03-04"), read_date("Thursday 5 December 2019")
    (datetime.date(2020, 3, 4), datetime.date(2019, 12, 5))
    >>> read_date("Mar 4th", 2021), read_date("Mar 4th")
    (datetime.date(2021, 3, 4), None)
    """
    text = text.strip()
    numeric = _NUMERIC.fullmatch(text)
    try:
        if numeric:
            y, m, d = (int(part) for part in numeric.groups())
            return date(y, m, d)
        month_match = re.search(_MONTH, text, re.IGNORECASE)
        if month_match is None:
            return None
        month = MONTHS[month_match.group(0).rstrip(".").lower()]
        numbers = [int(n) for n in _DIGITS.findall(text)]
        day = next((n for n in numbers if n <= 31), None)
        years = [n for n in numbers if n > 31]
        chosen = years[0] if years else year
        if day is None or chosen is None:
            return None
        return date(chosen, month, day)
    except ValueError:
        return None


def find_date(text: str, year: int | None = None) -> date | None:
    """The first readable date anywhere in ``text``."""
    for match in _DATE_RE.finditer(text[:2000]):
        found = read_date(match.group(0), year)
        if found is not None and 1970 <= found.year <= 2200:
            return found
    return None


_STEM_DATE = re.compile(r"(?<!\d)((?:19|20)\d{2})[-_.]?(\d{2})[-_.]?(\d{2})(?!\d)")


def date_in_name(name: str) -> date | None:
    """A date in a file name: ``2020-03-04-db-outage`` or ``20200304_outage``.

    >>> date_in_name("2020-03-04-db-outage"), date_in_name("incident_20191231")
    (datetime.date(2020, 3, 4), datetime.date(2019, 12, 31))
    """
    for match in _STEM_DATE.finditer(name):
        try:
            return date(*(int(part) for part in match.groups()))
        except ValueError:
            continue
    return None


# A later entry of a multi-day timeline may name only the weekday or the day of the month.
_WEEKDAY_NAME = (
    r"(?:mon(?:day)?|tue(?:s(?:day)?)?|wed(?:nesday)?|thu(?:r(?:s(?:day)?)?)?|fri(?:day)?"
    r"|sat(?:urday)?|sun(?:day)?)\.?"
)
RELATIVE_DAY = r"(?:" + _WEEKDAY_NAME + r"(?:,?\s+\d{1,2}(?:st|nd|rd|th)?)?|\d{1,2}(?:st|nd|rd|th))"
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_NUMBER = re.compile(r"\d{1,2}")


def following_day(current: date, relative: str) -> date | None:
    """The first date on or after ``current`` that a weekday or a day of the month names.

    >>> following_day(date(2023, 10, 30), "Wednesday"), following_day(date(2023, 10, 30), "2nd")
    (datetime.date(2023, 11, 1), datetime.date(2023, 11, 2))
    >>> following_day(date(2023, 10, 30), "Thu 02")
    datetime.date(2023, 11, 2)
    """
    number = _DAY_NUMBER.search(relative)
    weekday = relative.strip()[:3].casefold()
    for ahead in range(62):
        candidate = current + timedelta(days=ahead)
        if number is not None:
            if candidate.day == int(number.group(0)):
                return candidate
        elif weekday in _WEEKDAYS and candidate.weekday() == _WEEKDAYS.index(weekday):
            return candidate
    return None


TIME = (
    r"(?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:[.,]\d{1,9})?)?(?:\s?[ap]\.?m\.?(?![a-z]))?"
    r"|(?:1[0-2]|0?[1-9])\s?[ap]\.?m\.?(?![a-z])"
)
_CLOCK = re.compile(
    r"(\d{1,2})(?::(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s?(?:([ap])\.?m\.?)?", re.IGNORECASE
)


def read_time(text: str) -> time | None:
    """A clock time: 14:02, 14:02:33, 2:06 PM, 2pm, 12:15 am.

    >>> read_time("2:06 PM"), read_time("12:15 am"), read_time("23:59:01.5")
    (datetime.time(14, 6), datetime.time(0, 15), datetime.time(23, 59, 1, 500000))
    """
    match = _CLOCK.fullmatch(text.strip())
    if match is None:
        return None
    hour_s, minute_s, second_s, fraction, half = match.groups()
    hour, minute, second = int(hour_s), int(minute_s or 0), int(second_s or 0)
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half.lower() == "p" else 0)
    elif minute_s is None:
        return None
    micro = int((fraction + "00000")[:6]) if fraction else 0
    if hour > 23 or minute > 59 or second > 59:
        return None
    return time(hour, minute, second, micro)


def summer_time(moment: datetime, zone: Zone) -> bool:
    """Whether a regional standard-time name (CET) was used for a summer-time instant."""
    if not zone.regional or zone.label.upper() not in _REGIONS:
        return False
    dst = moment.dst()
    return bool(dst)
