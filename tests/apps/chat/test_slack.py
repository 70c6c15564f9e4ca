"""Slack: signed slash commands and reaction events, against a fake Web API on 127.0.0.1."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from secondstory.audit.models import AuditEvent
from secondstory.chat.models import ChannelLink, ChatDelivery, ChatWorkspace
from secondstory.core.timeline.sources.base import Source
from secondstory.incidents.importing import ImportRequest, import_events
from secondstory.incidents.models import Incident, TimelineEvent
from secondstory.postmortems.models import Postmortem
from tests.fake_slack import FakeSlack, command_body, reaction_body, signed_headers

COMMANDS = "/integrations/slack/commands"
EVENTS = "/integrations/slack/events"
FORM = "application/x-www-form-urlencoded"
TS = "1765000000.000100"


def command(text: str, *, headers: dict[str, str] | None = None, **extra: str) -> Any:
    body = command_body(text, **extra)
    sent = signed_headers(body) if headers is None else headers
    return Client().post(COMMANDS, body, content_type=FORM, headers=sent)


def event(body: bytes, **headers: str) -> Any:
    return Client().post(
        EVENTS, body, content_type="application/json", headers={**signed_headers(body), **headers}
    )


def answer(response: Any) -> str:
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["response_type"] == "ephemeral"
    return str(data["text"])


def link(incident_key: str) -> str:
    return answer(command(f"start {incident_key}"))


# --- signatures -------------------------------------------------------------------------------


def test_a_bad_signature_is_refused(slack_workspace: ChatWorkspace) -> None:
    body = command_body("help")
    headers = signed_headers(body, secret="not-the-signing-secret")
    assert command("help", headers=headers).status_code == 403


def test_a_stale_timestamp_is_refused_even_when_signed(slack_workspace: ChatWorkspace) -> None:
    body = command_body("help")
    response = Client().post(
        COMMANDS, body, content_type=FORM, headers=signed_headers(body, at=time.time() - 301)
    )
    assert response.status_code == 403


def test_a_body_changed_after_signing_is_refused(slack_workspace: ChatWorkspace) -> None:
    headers = signed_headers(command_body("help"))
    assert command("note forged", headers=headers).status_code == 403


def test_an_unknown_or_disabled_workspace_is_refused(slack_workspace: ChatWorkspace) -> None:
    assert command("help", team_id="T0OTHER").status_code == 403
    slack_workspace.enabled = False
    slack_workspace.save()
    assert command("help").status_code == 403


def test_url_verification_echoes_the_challenge(slack_workspace: ChatWorkspace) -> None:
    body = json.dumps({"token": "x", "challenge": "c-123", "type": "url_verification"}).encode()
    response = event(body)
    assert response.status_code == 200
    assert response.json() == {"challenge": "c-123"}
    unsigned = Client().post(EVENTS, body, content_type="application/json")
    assert unsigned.status_code == 403


# --- commands ---------------------------------------------------------------------------------


def test_help_and_unknown_commands_list_the_commands(slack_workspace: ChatWorkspace) -> None:
    assert "/postmortem note TEXT" in answer(command("help"))
    text = answer(command("frobnicate now"))
    assert text.startswith("Unknown command 'frobnicate'") and "/postmortem start" in text


def test_start_links_the_channel_and_note_adds_an_event(
    slack_workspace: ChatWorkspace, postmortem: Postmortem
) -> None:
    incident = postmortem.incidents.get()
    assert "linked to INC-PM-1" in link("inc-pm-1")
    revisions = postmortem.revisions.count()
    assert answer(command("note the replica lag is back under 1s")) == (
        "Added to INC-PM-1's timeline."
    )
    row = TimelineEvent.objects.get(incident=incident, text="the replica lag is back under 1s")
    assert (row.source, row.kind, row.actor) == ("slack", "observation", "Alice Owner")
    assert row.source_ref.startswith("note/C0INCIDENT/trigger-")
    assert row.utc_offset_minutes == 60  # the Slack user's own zone
    assert postmortem.revisions.count() == revisions + 1
    audit = AuditEvent.objects.get(object_type="incidents.timelineevent", object_id=str(row.pk))
    assert (audit.actor, audit.actor_user_id) == ("alice via slack", postmortem.owner_id)
    assert "linked to INC-PM-1" in answer(command("status"))


def test_start_with_a_title_declares_an_incident(
    slack_workspace: ChatWorkspace, alice: Any
) -> None:
    from secondstory.incidents.models import Severity

    Severity.objects.get_or_create(code="SEV3", defaults={"name": "Minor", "rank": 3})
    text = answer(command("start Checkout latency above 2s"))
    incident = Incident.objects.get(title="Checkout latency above 2s")
    assert text.startswith(f"Declared {incident.key}")
    assert ChannelLink.objects.get(channel_id="C0INCIDENT").incident == incident


def test_a_note_in_an_unlinked_channel_says_how_to_link_it(
    slack_workspace: ChatWorkspace, postmortem: Postmortem
) -> None:
    assert "not linked to an incident" in answer(command("note hello"))
    assert not TimelineEvent.objects.filter(source="slack").exists()


def test_an_outsider_cannot_link_a_team_incident(
    slack_workspace: ChatWorkspace, postmortem: Postmortem
) -> None:
    text = answer(command("start INC-PM-1", user_id="U0CHARLIE", user_name="charlie"))
    assert text == "charlie may not edit INC-PM-1."
    assert not ChannelLink.objects.exists()


def test_an_unknown_chat_user_notes_through_the_integration_account(
    slack_workspace: ChatWorkspace, postmortem: Postmortem
) -> None:
    link("INC-PM-1")
    text = answer(command("note seen from the partner side", user_id="U0GUEST", user_name="guest"))
    assert text == "Added to INC-PM-1's timeline."
    row = TimelineEvent.objects.get(text="seen from the partner side")
    assert row.actor == "Gita Guest"
    audit = AuditEvent.objects.get(object_type="incidents.timelineevent", object_id=str(row.pk))
    assert audit.actor == "chatbot via slack for Gita Guest"


def test_a_restricted_incident_refuses_the_integration_account(
    slack_workspace: ChatWorkspace, restricted: Postmortem
) -> None:
    text = answer(command("start INC-PM-R", user_id="U0GUEST", user_name="guest"))
    assert "INC-PM-R is restricted" in text
    assert "linked to INC-PM-R" in link("INC-PM-R")  # alice's own account may edit it
    text = answer(command("note from a stranger", user_id="U0GUEST", user_name="guest"))
    assert "INC-PM-R is restricted" in text
    assert answer(command("note from alice")) == "Added to INC-PM-R's timeline."
    assert not TimelineEvent.objects.filter(text="from a stranger").exists()


def test_a_chat_username_alone_is_not_an_account_unless_the_workspace_says_so(
    slack_workspace: ChatWorkspace, postmortem: Postmortem
) -> None:
    link("INC-PM-1")
    # No users.info answer for this id: only the username Slack sent is known.
    answer(command("note typed as bob?", user_id="U0NOBODY", user_name="bob"))
    row = TimelineEvent.objects.get(text="typed as bob?")
    assert row.actor == "bob"  # the chat name, through the integration account
    audit = AuditEvent.objects.get(object_type="incidents.timelineevent", object_id=str(row.pk))
    assert audit.actor == "chatbot via slack for bob"
    slack_workspace.match_usernames = True
    slack_workspace.save()
    answer(command("note typed as bob", user_id="U0NOBODY", user_name="bob"))
    assert TimelineEvent.objects.get(text="typed as bob").actor == "Bob Teammate"


def test_without_an_integration_account_strangers_are_refused(
    slack_workspace: ChatWorkspace, postmortem: Postmortem
) -> None:
    link("INC-PM-1")
    slack_workspace.integration_user = None
    slack_workspace.save()
    text = answer(command("note hi", user_id="U0GUEST", user_name="guest"))
    assert "matches no secondstory account" in text


# --- reactions --------------------------------------------------------------------------------


def pinned_message(fake: FakeSlack) -> dict[str, Any]:
    message = {
        "type": "message", "user": "U0BOB", "ts": TS,
        "text": "rolling back <@U0ALICE>'s config change &amp; draining pool",
    }  # fmt: skip
    fake.messages["C0INCIDENT"] = [message]
    return message


def test_a_pushpin_adds_the_message_as_a_starred_chat_event(
    slack_workspace: ChatWorkspace, postmortem: Postmortem, fake_slack: FakeSlack
) -> None:
    link("INC-PM-1")
    pinned_message(fake_slack)
    assert event(reaction_body("C0INCIDENT", TS)).status_code == 200
    row = TimelineEvent.objects.get(source="slack", source_ref=f"C0INCIDENT/{TS}")
    assert (row.kind, row.actor, row.starred) == ("chat", "Bob Teammate", True)
    assert row.text == "rolling back @Alice Owner's config change & draining pool"
    assert row.at.timestamp() == pytest.approx(float(TS))


def test_a_retried_delivery_changes_nothing(
    slack_workspace: ChatWorkspace, postmortem: Postmortem, fake_slack: FakeSlack
) -> None:
    link("INC-PM-1")
    pinned_message(fake_slack)
    event(reaction_body("C0INCIDENT", TS, event_id="Ev9"))
    calls = len(fake_slack.calls)
    again = event(reaction_body("C0INCIDENT", TS, event_id="Ev9"), **{"X-Slack-Retry-Num": "1"})
    assert again.status_code == 200
    assert len(fake_slack.calls) == calls  # not even looked up again
    assert TimelineEvent.objects.filter(source="slack").count() == 1
    assert ChatDelivery.objects.filter(event_id="Ev9").count() == 1


def test_other_emoji_and_unlinked_channels_add_nothing(
    slack_workspace: ChatWorkspace, postmortem: Postmortem, fake_slack: FakeSlack
) -> None:
    pinned_message(fake_slack)
    assert event(reaction_body("C0INCIDENT", TS, event_id="E1")).status_code == 200  # unlinked
    link("INC-PM-1")
    event(reaction_body("C0INCIDENT", TS, event_id="E2", reaction="thumbsup"))
    assert not TimelineEvent.objects.filter(source="slack").exists()
    event(reaction_body("C0INCIDENT", TS, event_id="E3", reaction="pushpin::skin-tone-2"))
    assert TimelineEvent.objects.filter(source="slack").count() == 1


def test_a_web_api_that_does_not_answer_gets_a_retry(
    slack_workspace: ChatWorkspace, postmortem: Postmortem, fake_slack: FakeSlack, settings: Any
) -> None:
    link("INC-PM-1")
    pinned_message(fake_slack)
    settings.SECONDSTORY_CHAT_TIMEOUT = 1
    fake_slack.delay = 1.5
    response = event(reaction_body("C0INCIDENT", TS, event_id="Ev-slow"))
    assert response.status_code == 503
    assert not ChatDelivery.objects.filter(event_id="Ev-slow").exists()
    fake_slack.delay = 0
    assert event(reaction_body("C0INCIDENT", TS, event_id="Ev-slow")).status_code == 200
    assert TimelineEvent.objects.filter(source="slack").count() == 1


# --- the same event, live and imported ----------------------------------------------------------


def slack_export(folder: Path, message: dict[str, Any]) -> Source:
    (folder / "inc-checkout").mkdir(parents=True)
    users = [
        {"id": "U0BOB", "name": "bobby", "profile": {"real_name": "Bob Teammate"}},
        {"id": "U0ALICE", "name": "alice.o", "profile": {"real_name": "Alice Owner"}},
    ]
    (folder / "users.json").write_text(json.dumps(users))
    (folder / "channels.json").write_text(
        json.dumps([{"id": "C0INCIDENT", "name": "inc-checkout"}])
    )
    (folder / "inc-checkout" / "2025-12-06.json").write_text(json.dumps([message]))
    return Source(folder, "slack-export")


def test_live_then_import_adds_the_message_once(
    slack_workspace: ChatWorkspace, postmortem: Postmortem, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    incident = postmortem.incidents.get()
    link("INC-PM-1")
    message = pinned_message(fake_slack)
    event(reaction_body("C0INCIDENT", TS))
    summary = import_events(incident, ImportRequest([slack_export(tmp_path, message)]))
    assert (summary.added, summary.duplicates) == (0, 1)
    assert TimelineEvent.objects.filter(incident=incident, source="slack").count() == 1


def test_import_then_live_stars_the_imported_event(
    slack_workspace: ChatWorkspace, postmortem: Postmortem, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    incident = postmortem.incidents.get()
    message = pinned_message(fake_slack)
    summary = import_events(incident, ImportRequest([slack_export(tmp_path, message)]))
    assert summary.added == 1
    imported = TimelineEvent.objects.get(incident=incident, source="slack")
    assert not imported.starred
    link("INC-PM-1")
    event(reaction_body("C0INCIDENT", TS))
    assert TimelineEvent.objects.filter(incident=incident, source="slack").count() == 1
    imported.refresh_from_db()
    assert imported.starred


def test_a_pinned_thread_reply_is_read_from_its_thread(
    slack_workspace: ChatWorkspace, postmortem: Postmortem, fake_slack: FakeSlack
) -> None:
    link("INC-PM-1")
    parent = {"type": "message", "user": "U0BOB", "ts": TS, "text": "thread", "thread_ts": TS}
    reply = {
        "type": "message", "user": "U0ALICE", "ts": "1765000060.000200", "thread_ts": TS,
        "parent_user_id": "U0BOB", "text": "the pool size was 1",
    }  # fmt: skip
    fake_slack.messages["C0INCIDENT"] = [parent, reply]
    event(reaction_body("C0INCIDENT", "1765000060.000200"))
    row = TimelineEvent.objects.get(source="slack")
    assert (row.source_ref, row.text) == ("C0INCIDENT/1765000060.000200", "the pool size was 1")
    assert [method for method, _ in fake_slack.calls][-3:] == [
        "conversations.history", "conversations.replies", "users.info",
    ]  # fmt: skip


def test_handled_deliveries_are_forgotten_after_a_week(
    slack_workspace: ChatWorkspace, postmortem: Postmortem, fake_slack: FakeSlack
) -> None:
    import time_machine
    from django.utils import timezone

    with time_machine.travel(timezone.now() - timezone.timedelta(days=8)):
        ChatDelivery.objects.create(workspace=slack_workspace, event_id="Ev-old")
    ChatDelivery.objects.create(workspace=slack_workspace, event_id="Ev-recent")
    link("INC-PM-1")
    pinned_message(fake_slack)
    event(reaction_body("C0INCIDENT", TS, event_id="Ev-new"))
    kept = set(ChatDelivery.objects.values_list("event_id", flat=True))
    assert kept == {"Ev-recent", "Ev-new"}


def test_slacks_certificate_check_is_answered_without_a_command(
    slack_workspace: ChatWorkspace,
) -> None:
    response = command("", ssl_check="1")
    assert (response.status_code, response.content) == (200, b"")


def test_an_unreadable_message_is_passed_over_and_not_retried(
    slack_workspace: ChatWorkspace, postmortem: Postmortem, fake_slack: FakeSlack
) -> None:
    link("INC-PM-1")
    fake_slack.messages["C0INCIDENT"] = [{"type": "message", "ts": TS, "text": ["not text"]}]
    assert event(reaction_body("C0INCIDENT", TS, event_id="Ev-odd")).status_code == 200
    assert not TimelineEvent.objects.filter(source="slack").exists()
    assert ChatDelivery.objects.filter(event_id="Ev-odd").exists()
