"""Live capture from chat over real HTTP on 127.0.0.1: the application served by the live
server, signed Slack requests and token-carrying Mattermost requests sent with an HTTP
client, Slack's Web API played by a fake server on 127.0.0.1 (tests/fake_slack.py)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

import httpx
import pytest

from secondstory.accounts.models import Team, User
from secondstory.accounts.services import create_user
from secondstory.audit.models import AuditEvent
from secondstory.chat.models import MATTERMOST, SLACK, ChatWorkspace
from secondstory.incidents.models import TimelineEvent
from secondstory.postmortems.records import load_record
from tests.apps.factories import postmortem_record
from tests.fake_slack import (
    BOT_TOKEN,
    SIGNING_SECRET,
    FakeSlack,
    command_body,
    reaction_body,
    running_fake_slack,
    signed_headers,
)

if TYPE_CHECKING:
    from playwright.sync_api import Page
    from pytest_django.live_server_helper import LiveServer

PASSWORD = "a long enough test passphrase"
TS = "1765000000.000200"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
# Generous: a busy test machine may take seconds to answer; nothing here measures speed.
# A new connection per request: a kept-alive one would keep a server thread, and its database
# connection, open past the test.
http = httpx.Client(timeout=60, headers={"Connection": "close"})

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def organisation(transactional_db: None) -> User:
    alice = create_user("alice", password=PASSWORD, display_name="Alice Owner")
    alice.email = "alice@example.com"
    alice.save(update_fields=["email"])
    bob = create_user("bob", password=PASSWORD, display_name="Bob Teammate")
    bot = create_user("chatbot", password=PASSWORD, display_name="Chat integration")
    Team.objects.create(slug="payments", name="Payments").members.set([alice, bob, bot])
    load_record(postmortem_record())
    return bot


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    with running_fake_slack() as fake:
        fake.users = {
            "U0ALICE": {"id": "U0ALICE", "name": "alice",
                        "profile": {"real_name": "Alice Owner", "email": "alice@example.com"}},
            "U0BOB": {"id": "U0BOB", "name": "bob", "profile": {"real_name": "Bob Teammate"}},
        }  # fmt: skip
        fake.messages["C0INCIDENT"] = [
            {"type": "message", "user": "U0BOB", "ts": TS, "text": "failing over to the replica"}
        ]
        yield fake


@pytest.fixture
def slack(organisation: User, fake_slack: FakeSlack) -> ChatWorkspace:
    workspace = ChatWorkspace(
        platform=SLACK, team_id="T0TEAM", name="Acme", api_base_url=fake_slack.url,
        integration_user=organisation,
    )  # fmt: skip
    workspace.signing_secret, workspace.bot_token = SIGNING_SECRET, BOT_TOKEN
    workspace.save()
    return workspace


def slack_command(server: str, text: str) -> httpx.Response:
    body = command_body(text)
    headers = {**FORM, **signed_headers(body)}
    return http.post(f"{server}/integrations/slack/commands", content=body, headers=headers)


def slack_event(server: str, body: bytes, **extra: str) -> httpx.Response:
    headers = {"Content-Type": "application/json", **signed_headers(body), **extra}
    return http.post(f"{server}/integrations/slack/events", content=body, headers=headers)


def test_slack_capture_over_http(live_server: LiveServer, slack: ChatWorkspace) -> None:
    server = live_server.url
    challenge = json.dumps({"type": "url_verification", "challenge": "abc"}).encode()
    assert slack_event(server, challenge).json() == {"challenge": "abc"}
    stale = command_body("note too late")
    old = {**FORM, **signed_headers(stale, at=time.time() - 600)}
    assert (
        http.post(f"{server}/integrations/slack/commands", content=stale, headers=old).status_code
        == 403
    )
    assert "not linked" in slack_command(server, "note early").json()["text"]
    started = slack_command(server, "start INC-PM-1").json()
    assert started == {
        "response_type": "ephemeral",
        "text": "This channel is linked to INC-PM-1 "
        "(Checkout returned errors after a configuration change).",
    }
    noted = slack_command(server, "note error rate back under 0.1%").json()
    assert noted["text"] == "Added to INC-PM-1's timeline."
    pin = reaction_body("C0INCIDENT", TS, event_id="Ev-e2e")
    assert slack_event(server, pin).status_code == 200
    assert slack_event(server, pin, **{"X-Slack-Retry-Num": "1"}).status_code == 200
    events = TimelineEvent.objects.filter(source="slack").order_by("source_ref")
    assert [(e.source_ref, e.text, e.actor, e.starred) for e in events] == [
        (f"C0INCIDENT/{TS}", "failing over to the replica", "Bob Teammate", True),
        (events[1].source_ref, "error rate back under 0.1%", "Alice Owner", False),
    ]
    assert (
        AuditEvent.objects.filter(
            object_type="incidents.timelineevent", actor="alice via slack"
        ).count()
        == 2
    )


def test_mattermost_capture_over_http(live_server: LiveServer, organisation: User) -> None:
    workspace = ChatWorkspace(
        platform=MATTERMOST, team_id="mmteam", name="Ops", integration_user=organisation,
        match_usernames=True,
    )  # fmt: skip
    workspace.command_token, workspace.webhook_token = "cmd-token-abc", "hook-token-def"
    workspace.save()
    server = live_server.url
    base = {"team_id": "mmteam", "team_domain": "ops", "channel_id": "mmc1",
            "channel_name": "inc-checkout", "user_id": "mmu1", "user_name": "alice"}  # fmt: skip
    commands = f"{server}/integrations/mattermost/commands"
    refused = http.post(commands, data={**base, "token": "wrong", "text": "help"})
    assert refused.status_code == 403
    linked = http.post(commands, data={**base, "token": "cmd-token-abc", "text": "start INC-PM-1"})
    assert linked.json()["response_type"] == "ephemeral"
    assert "linked to INC-PM-1" in linked.json()["text"]
    hook = {**base, "token": "hook-token-def", "timestamp": 1765000000500, "post_id": "p1",
            "text": "#postmortem note cache warmed", "trigger_word": "#postmortem"}  # fmt: skip
    noted = http.post(f"{server}/integrations/mattermost/webhook", json=hook)
    assert noted.json() == {"text": "Added to INC-PM-1's timeline.", "response_type": "comment"}
    row = TimelineEvent.objects.get(source="mattermost")
    assert (row.source_ref, row.text) == ("ops/inc-checkout/alice/1765000000500", "cache warmed")


def test_a_captured_note_shows_on_the_postmortem_timeline(
    live_server: LiveServer, slack: ChatWorkspace, page: Page
) -> None:
    from playwright.sync_api import expect

    slack_command(live_server.url, "start INC-PM-1")
    slack_command(live_server.url, "note replica promoted, writes resumed")
    page.goto(live_server.url + "/login/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(live_server.url + "/")
    page.goto(live_server.url + "/postmortems/PM-1/")
    expect(page.get_by_text("replica promoted, writes resumed")).to_be_visible()
