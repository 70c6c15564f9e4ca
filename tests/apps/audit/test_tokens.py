"""Each use of a calendar or feed token is recorded, by the token, never with its secret."""

from __future__ import annotations

import json

from django.test import Client

from secondstory.accounts.models import User
from secondstory.audit.record import record_token_use
from secondstory.feeds import services as feeds
from secondstory.postmortems.models import Postmortem
from secondstory.sharing import services as sharing
from tests.apps.audit.conftest import events_since, mark


def test_a_calendar_feed_fetch_is_recorded_as_token_use(
    postmortem: Postmortem, alice: User
) -> None:
    feed = feeds.create_token(created_by=alice)
    start = mark()
    response = Client().get(f"/feeds/{feed.raw}.ics", REMOTE_ADDR="192.0.2.50")
    assert response.status_code == 200
    [event] = events_since(start)
    assert event.action == "token_use"
    assert (event.actor, event.actor_user_id) == (f"calendar-token:{feed.token.hint}", alice.pk)
    assert (event.object_type, event.object_id) == ("feeds.calendartoken", str(feed.token.pk))
    assert event.remote_addr == "192.0.2.50"
    assert feed.raw not in json.dumps([event.after, event.actor, event.object_label])


def test_a_revoked_calendar_token_is_recorded_as_refused(alice: User) -> None:
    feed = feeds.create_token(created_by=alice)
    feeds.revoke(feed.token)
    start = mark()
    assert Client().get(f"/feeds/{feed.raw}.ics").status_code == 410
    [event] = events_since(start)
    assert (event.action, event.after["refused"]) == ("token_refused", "revoked")


def test_an_unknown_token_records_nothing(db: None) -> None:
    start = mark()
    assert Client().get("/feeds/" + "x" * 43 + ".ics").status_code == 404
    assert events_since(start) == []


def test_an_atom_feed_fetch_is_recorded_as_token_use(postmortem: Postmortem, alice: User) -> None:
    feed = sharing.create_feed(created_by=alice, scope=sharing.parse_scope("all"))
    start = mark()
    assert Client().get(f"/sharing/feeds/{feed.raw}.atom").status_code == 200
    [event] = events_since(start)
    assert (event.action, event.actor) == ("token_use", f"feed-token:{feed.token.hint}")
    assert event.object_type == "sharing.feedtoken"


def test_an_atom_feed_of_an_inactive_creator_is_refused_and_recorded(alice: User) -> None:
    feed = sharing.create_feed(created_by=alice, scope=sharing.parse_scope("all"))
    User.objects.filter(pk=alice.pk).update(is_active=False)
    start = mark()
    assert Client().get(f"/sharing/feeds/{feed.raw}.atom").status_code == 404
    [event] = events_since(start)
    assert (event.action, event.after["refused"]) == ("token_refused", "its creator is inactive")


def test_record_token_use_serves_any_token_kind(alice: User) -> None:
    feed = feeds.create_token(created_by=alice)  # stands in for an API token
    start = mark()
    record_token_use("api", feed.token)
    [event] = events_since(start)
    assert (event.action, event.actor, event.after) == (
        "token_use",
        f"api-token:{feed.token.hint}",
        {"kind": "api"},
    )


def test_an_api_token_is_recorded_when_made_used_and_refused(alice: User) -> None:
    from secondstory.accounts.tokens import authenticate_token, create_token, revoke

    start = mark()
    made = create_token(alice, name="deploy bot", scopes=["read"], expires_at=None)
    assert authenticate_token(made.raw) is not None
    revoke(made.token)
    assert authenticate_token(made.raw) is None
    actions = [event.action for event in events_since(start)]
    assert actions[0] == "create" and actions[1] == "token_use"
    assert actions[-1] == "token_refused"
    for event in events_since(start):
        assert made.raw not in json.dumps([event.before, event.after, event.actor])
