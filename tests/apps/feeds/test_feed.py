"""The iCalendar feed: its text, what it lists, and who it lists it for."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime

import pytest
from django.test import Client
from icalendar import Calendar

from secondstory.accounts.models import Team, User
from secondstory.actions.models import ActionItem
from secondstory.actions.services import create_action_item, set_status
from secondstory.feeds import services
from secondstory.feeds.models import CalendarToken
from secondstory.postmortems.models import Postmortem
from tests.apps.feeds import rfc5545

LONG_TITLE = (
    "Validate connection pool sizes in the configuration tool before rollout — "
    "refuse values under the documented minimum, naïvely set, for every région 🚦 "
    "and record the refusal in the deploy log"
)


def _fetch(raw: str) -> bytes:
    response = Client().get(f"/feeds/{raw}.ics")
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return bytes(response.content)


def _summaries(raw: str) -> set[str]:
    calendar = rfc5545.parse(_fetch(raw))
    return {rfc5545.unescape(event.value("SUMMARY")) for event in calendar.children}


def _item(
    postmortem: Postmortem, owner: User, title: str, due: date = date(2026, 5, 1)
) -> ActionItem:
    return create_action_item(
        postmortem, title=title, type="mitigate", priority="P2", owner=owner, due=due
    )


def test_the_feed_is_rfc5545_text_an_independent_reader_accepts(
    postmortem: Postmortem, alice: User, settings: object
) -> None:
    settings.SECONDSTORY_BASE_URL = "https://postmortems.example.com/"  # type: ignore[attr-defined]
    item = postmortem.action_items.get()
    item.title = LONG_TITLE
    item.save()
    feed = services.create_token(created_by=alice)

    data = _fetch(feed.raw)
    calendar = rfc5545.parse(data)  # checks CRLF, 75-octet lines and UTF-8-safe folding

    assert any(len(line) == 75 for line in data.split(b"\r\n")), "the long title was folded"
    assert calendar.name == "VCALENDAR"
    assert calendar.value("VERSION") == "2.0"
    assert calendar.value("PRODID") == services.PRODID
    assert rfc5545.unescape(calendar.value("X-WR-CALNAME")) == (
        "secondstory: Action items of Alice Owner"
    )
    [event] = calendar.children
    assert event.name == "VEVENT"
    assert event.value("UID") == f"{item.pk}@secondstory"
    assert event.value("DTSTART") == "20260404"
    assert event.params("DTSTART") == {"VALUE": "DATE"}
    assert event.value("DTEND") == "20260405"
    assert event.params("DTEND") == {"VALUE": "DATE"}
    assert event.value("DTSTAMP").endswith("Z") and len(event.value("DTSTAMP")) == 16
    assert rfc5545.unescape(event.value("SUMMARY")) == f"Due: {LONG_TITLE} (PM-1)"
    link = "https://postmortems.example.com/postmortems/PM-1/#action-A1"
    assert event.value("URL") == link
    description = rfc5545.unescape(event.value("DESCRIPTION")).split("\n")
    assert "Owner: Alice Owner" in description
    assert "Status: Open" in description
    assert "Priority: P1" in description
    assert description[-1] == link


def test_the_feed_round_trips_through_icalendar(postmortem: Postmortem, alice: User) -> None:
    feed = services.create_token(created_by=alice)
    parsed = Calendar.from_ical(_fetch(feed.raw))
    [event] = parsed.walk("VEVENT")
    assert event.decoded("dtstart") == date(2026, 4, 4)
    assert event.decoded("dtend") == date(2026, 4, 5)
    assert str(event["summary"]) == "Due: Validate pool sizes in the config tool (PM-1)"


def test_only_open_and_in_progress_items_are_listed(postmortem: Postmortem, alice: User) -> None:
    in_progress = _item(postmortem, alice, "Add a canary")
    set_status(in_progress, "in_progress")
    done = _item(postmortem, alice, "Page on saturation")
    set_status(done, "done", at=datetime(2026, 4, 1, tzinfo=UTC))
    dropped = _item(postmortem, alice, "Rewrite the config tool")
    set_status(dropped, "not_doing", reason="Replaced by validation.")
    feed = services.create_token(created_by=alice)

    assert _summaries(feed.raw) == {
        "Due: Validate pool sizes in the config tool (PM-1)",
        "Due: Add a canary (PM-1)",
    }


def test_a_personal_feed_lists_only_its_owners_items(
    postmortem: Postmortem, alice: User, bob: User
) -> None:
    _item(postmortem, bob, "Add a canary")
    assert _summaries(services.create_token(created_by=bob).raw) == {"Due: Add a canary (PM-1)"}


def test_a_team_feed_lists_the_items_of_its_members(
    postmortem: Postmortem, alice: User, bob: User, charlie: User, payments: Team
) -> None:
    _item(postmortem, bob, "Add a canary")
    _item(postmortem, charlie, "Write the runbook")
    feed = services.create_token(created_by=bob, team=payments)
    assert _summaries(feed.raw) == {
        "Due: Validate pool sizes in the config tool (PM-1)",
        "Due: Add a canary (PM-1)",
    }
    calendar = rfc5545.parse(_fetch(feed.raw))
    assert rfc5545.unescape(calendar.value("X-WR-CALNAME")) == (
        "secondstory: Action items of the Payments team"
    )


def test_restricted_items_never_reach_a_personal_feed_that_may_not_read_them(
    restricted: Postmortem, charlie: User, alice: User
) -> None:
    _item(restricted, charlie, "Hidden from charlie")
    assert _summaries(services.create_token(created_by=charlie).raw) == set()
    # alice owns PM-R's incident team: her own restricted item is in her feed.
    assert _summaries(services.create_token(created_by=alice).raw) == {
        "Due: Validate pool sizes in the config tool (PM-R)"
    }


def test_a_team_feed_leaves_out_what_any_member_may_not_read(
    restricted: Postmortem, postmortem: Postmortem, alice: User, charlie: User, payments: Team
) -> None:
    mixed = Team.objects.create(slug="ops", name="Ops")
    mixed.members.set([alice, charlie])
    feed = services.create_token(created_by=alice, team=mixed)
    assert _summaries(feed.raw) == {"Due: Validate pool sizes in the config tool (PM-1)"}
    # Every member of payments may read PM-R (its incident's team): its feed lists it.
    assert _summaries(services.create_token(created_by=alice, team=payments).raw) == {
        "Due: Validate pool sizes in the config tool (PM-1)",
        "Due: Validate pool sizes in the config tool (PM-R)",
    }


def test_a_staff_creator_does_not_open_restricted_items_to_a_team(
    restricted: Postmortem, alice: User, charlie: User
) -> None:
    staff = User.objects.create(username="sam", role="admin")
    mixed = Team.objects.create(slug="ops", name="Ops")
    mixed.members.set([alice, charlie])
    assert _summaries(services.create_token(created_by=staff, team=mixed).raw) == set()


def test_the_feed_needs_no_sign_in_and_is_not_cached(postmortem: Postmortem, alice: User) -> None:
    feed = services.create_token(created_by=alice)
    assert feed.token.last_used_at is None
    response = Client().get(f"/feeds/{feed.raw}.ics")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    feed.token.refresh_from_db()
    assert feed.token.last_used_at is not None


def test_unknown_revoked_and_orphaned_tokens_are_refused(
    postmortem: Postmortem, alice: User, bob: User, payments: Team
) -> None:
    client = Client()
    assert client.get("/feeds/" + "A" * 43 + ".ics").status_code == 404

    revoked = services.create_token(created_by=alice)
    services.revoke(revoked.token)
    response = client.get(f"/feeds/{revoked.raw}.ics")
    assert response.status_code == 410
    assert b"VEVENT" not in response.content

    left = services.create_token(created_by=bob, team=payments)
    payments.members.remove(bob)
    assert client.get(f"/feeds/{left.raw}.ics").status_code == 404

    personal = services.create_token(created_by=alice)
    alice.is_active = False
    alice.save()
    assert client.get(f"/feeds/{personal.raw}.ics").status_code == 404


def test_the_token_is_stored_only_as_a_digest(alice: User) -> None:
    feed = services.create_token(created_by=alice)
    assert len(feed.raw) >= 43
    row = CalendarToken.objects.filter(pk=feed.token.pk).values().get()
    assert row["token_hash"] == hashlib.sha256(feed.raw.encode()).hexdigest()
    assert not any(isinstance(value, str) and feed.raw in value for value in row.values())
    assert feed.raw.startswith(row["hint"]) and len(row["hint"]) < 10
    other = services.create_token(created_by=alice)
    assert other.raw != feed.raw


def test_only_members_and_staff_create_team_feeds(
    alice: User, charlie: User, payments: Team
) -> None:
    with pytest.raises(PermissionError):
        services.create_token(created_by=charlie, team=payments)
    assert not CalendarToken.objects.exists()
