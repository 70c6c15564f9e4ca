"""The invite is valid RFC 5545: parsed back by a real parser, folded, CRLF, escaped."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from icalendar import Calendar

from secondstory.core.reviews.invite import Meeting, Person, render_invite

TOKYO = timezone(timedelta(hours=9))


def meeting(**changes: object) -> Meeting:
    values: dict[str, object] = {
        "uid": "review-1234@secondstory",
        "sequence": 2,
        "start": datetime(2026, 12, 8, 18, 30, tzinfo=TOKYO),
        "duration": timedelta(minutes=90),
        "summary": "Postmortem review: PM-7 Checkout, payments; and a very long title " * 2,
        "description": "Line one\nLine two, with a comma; and semicolon",
        "location": "Room 4, floor 2",
        "url": "https://pm.example.com/postmortems/PM-7/meetings/1/",
        "organizer": Person("Alice Owner", "alice@example.com"),
        "attendees": [Person("Bob Ü", "bob@example.com"), Person("Chloé", "chloe@example.com")],
    }
    values.update(changes)
    return Meeting(**values)  # type: ignore[arg-type]


STAMP = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def test_request_round_trip() -> None:
    raw = render_invite(meeting(), STAMP)
    calendar = Calendar.from_ical(raw)
    assert calendar["METHOD"] == "REQUEST"
    (event,) = calendar.walk("VEVENT")
    assert str(event["UID"]) == "review-1234@secondstory"
    assert event["SEQUENCE"] == 2
    assert event.decoded("DTSTART") == datetime(2026, 12, 8, 9, 30, tzinfo=UTC)
    assert event.decoded("DTEND") == datetime(2026, 12, 8, 11, 0, tzinfo=UTC)
    assert event.decoded("DTSTAMP") == STAMP
    assert str(event["DESCRIPTION"]) == "Line one\nLine two, with a comma; and semicolon"
    assert str(event["LOCATION"]) == "Room 4, floor 2"
    assert str(event["ORGANIZER"]) == "mailto:alice@example.com"
    attendees = event["ATTENDEE"]
    assert [str(a) for a in attendees] == ["mailto:bob@example.com", "mailto:chloe@example.com"]
    assert attendees[0].params["CN"] == "Bob Ü"
    assert attendees[0].params["RSVP"] == "TRUE"


def test_text_is_folded_crlf_and_escaped() -> None:
    raw = render_invite(meeting(), STAMP)
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")
    lines = raw.split(b"\r\n")
    assert all(len(line) <= 75 for line in lines)
    assert any(line.startswith(b" ") for line in lines)  # the long summary was folded
    assert b"DTSTART:20261208T093000Z" in raw
    assert b"Line one\\nLine two\\, with a comma\\; and semicolon" in raw.replace(b"\r\n ", b"")


def test_cancel() -> None:
    raw = render_invite(meeting(cancelled=True, sequence=3), STAMP)
    calendar = Calendar.from_ical(raw)
    assert calendar["METHOD"] == "CANCEL"
    (event,) = calendar.walk("VEVENT")
    assert event["STATUS"] == "CANCELLED" and event["SEQUENCE"] == 3


def test_naive_start_is_refused() -> None:
    with pytest.raises(ValueError, match="time zone"):
        render_invite(meeting(start=datetime(2026, 12, 8, 9, 30)), STAMP)
