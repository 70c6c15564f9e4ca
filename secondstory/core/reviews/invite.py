"""The iCalendar (RFC 5545) text of a review meeting: an invite (REQUEST), a cancellation
(CANCEL) and the event calendar feeds list.

The ``icalendar`` package writes the text: CRLF line ends, lines folded at 75 octets
without splitting a UTF-8 character, and TEXT values escaped (``\\,``, ``\\;``, ``\\n``).
Times are written in UTC (``...Z``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event, vCalAddress, vText

PRODID = "-//secondstory//Review meetings//EN"


@dataclass(frozen=True, slots=True)
class Person:
    name: str
    email: str


@dataclass(frozen=True, slots=True)
class Meeting:
    """What an invite says about one meeting."""

    uid: str
    sequence: int
    start: datetime
    duration: timedelta
    summary: str
    description: str
    location: str
    url: str
    organizer: Person
    attendees: Sequence[Person]
    cancelled: bool = False


def _address(person: Person, *, attendee: bool) -> vCalAddress:
    address = vCalAddress(f"mailto:{person.email}")
    address.params["CN"] = vText(person.name)
    if attendee:
        address.params["ROLE"] = vText("REQ-PARTICIPANT")
        address.params["PARTSTAT"] = vText("NEEDS-ACTION")
        address.params["RSVP"] = vText("TRUE")
    return address


def event(meeting: Meeting, stamp: datetime) -> Event:
    """The VEVENT of ``meeting`` (also what a calendar feed lists)."""
    if meeting.start.tzinfo is None:
        raise ValueError("start: needs a time zone")
    start = meeting.start.astimezone(UTC)
    vevent = Event()
    vevent.add("uid", meeting.uid)
    vevent.add("dtstamp", stamp.astimezone(UTC))
    vevent.add("sequence", meeting.sequence)
    vevent.add("dtstart", start)
    vevent.add("dtend", start + meeting.duration)
    vevent.add("summary", meeting.summary)
    vevent.add("description", meeting.description)
    if meeting.location:
        vevent.add("location", meeting.location)
    if meeting.url:
        vevent.add("url", meeting.url)
    vevent.add("status", "CANCELLED" if meeting.cancelled else "CONFIRMED")
    vevent.add("organizer", _address(meeting.organizer, attendee=False))
    for person in meeting.attendees:
        vevent.add("attendee", _address(person, attendee=True))
    return vevent


def render_invite(meeting: Meeting, stamp: datetime) -> bytes:
    """The ``.ics`` attachment: METHOD:REQUEST, or METHOD:CANCEL for a cancelled meeting."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "CANCEL" if meeting.cancelled else "REQUEST")
    calendar.add_component(event(meeting, stamp))
    return bytes(calendar.to_ical())
