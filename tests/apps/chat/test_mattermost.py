"""Mattermost: the slash command and the outgoing webhook, with their tokens."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.test import Client

from secondstory.chat.models import ChannelLink, ChatWorkspace
from secondstory.core.timeline.sources.base import Source
from secondstory.incidents.importing import ImportRequest, import_events
from secondstory.incidents.models import TimelineEvent
from secondstory.postmortems.models import Postmortem
from tests.apps.chat.conftest import COMMAND_TOKEN, WEBHOOK_TOKEN

COMMANDS = "/integrations/mattermost/commands"
WEBHOOK = "/integrations/mattermost/webhook"
CREATED = 1765000000123


def command(text: str, *, token: str = COMMAND_TOKEN, **extra: str) -> Any:
    fields = {
        "token": token, "team_id": "mm-team", "team_domain": "ops",
        "channel_id": "mmchan1", "channel_name": "inc-checkout", "user_id": "mmu1",
        "user_name": "alice", "command": "/postmortem", "text": text,
        "trigger_id": "tr-1", "response_url": "http://mm.invalid/hooks/commands/1",
    }  # fmt: skip
    fields.update(extra)
    return Client().post(COMMANDS, fields)


def webhook(text: str, *, token: str = WEBHOOK_TOKEN, as_json: bool = False, **extra: Any) -> Any:
    fields: dict[str, Any] = {
        "token": token, "team_id": "mm-team", "team_domain": "ops",
        "channel_id": "mmchan1", "channel_name": "inc-checkout", "timestamp": CREATED,
        "user_id": "mmu1", "user_name": "alice", "post_id": "post1",
        "text": text, "trigger_word": "#postmortem", "file_ids": "",
    }  # fmt: skip
    fields.update(extra)
    if as_json:
        return Client().post(WEBHOOK, json.dumps(fields), content_type="application/json")
    return Client().post(WEBHOOK, {k: str(v) for k, v in fields.items()})


def text_of(response: Any) -> str:
    assert response.status_code == 200, response.content
    return str(response.json()["text"])


def test_wrong_or_missing_tokens_are_refused(mattermost_workspace: ChatWorkspace) -> None:
    assert command("help", token="guess").status_code == 403
    assert command("help", token="").status_code == 403
    assert command("help", token=WEBHOOK_TOKEN).status_code == 403  # each token has one use
    assert webhook("#postmortem help", token=COMMAND_TOKEN).status_code == 403
    assert command("help", team_id="other-team").status_code == 403


def test_the_authorization_header_carries_the_token_too(
    mattermost_workspace: ChatWorkspace,
) -> None:
    fields = {"team_id": "mm-team", "text": "help", "channel_id": "c"}
    response = Client().post(COMMANDS, fields, headers={"Authorization": f"Token {COMMAND_TOKEN}"})
    assert "/postmortem note TEXT" in text_of(response)


def test_slash_command_start_and_note(
    mattermost_workspace: ChatWorkspace, postmortem: Postmortem
) -> None:
    response = command("start INC-PM-1")
    assert response.json()["response_type"] == "ephemeral"
    assert "linked to INC-PM-1" in text_of(response)
    assert text_of(command("note failover done")) == "Added to INC-PM-1's timeline."
    row = TimelineEvent.objects.get(text="failover done")
    assert (row.source, row.source_ref, row.actor) == (
        "mattermost",
        "note/mmchan1/tr-1",
        "Alice Owner",
    )
    assert text_of(command("note failover done")) == "Already on INC-PM-1's timeline."


def test_an_unlinked_channel_and_a_restricted_incident(
    mattermost_workspace: ChatWorkspace, restricted: Postmortem
) -> None:
    assert "not linked" in text_of(command("note x"))
    refused = text_of(command("start INC-PM-R", user_name="stranger"))
    assert "INC-PM-R is restricted" in refused
    assert not ChannelLink.objects.exists()
    assert "linked to INC-PM-R" in text_of(command("start INC-PM-R"))  # alice may
    assert text_of(command("status", user_name="charlie")) == (
        "This channel is linked to an incident you may not see."
    )
    assert text_of(command("status", user_name="stranger")) == (
        "This channel is linked to an incident you may not see."
    )
    assert "INC-PM-R (" in text_of(command("status", user_name="bob"))


def test_webhook_note_is_the_post_with_its_export_reference(
    mattermost_workspace: ChatWorkspace, postmortem: Postmortem
) -> None:
    assert "linked to INC-PM-1" in text_of(webhook("#postmortem start INC-PM-1", as_json=True))
    answer = webhook("#postmortem note checkout-api rolled back")
    assert answer.json()["response_type"] == "comment"
    assert text_of(answer) == "Added to INC-PM-1's timeline."
    row = TimelineEvent.objects.get(source="mattermost")
    assert row.source_ref == f"ops/inc-checkout/alice/{CREATED}"
    assert row.text == "checkout-api rolled back"
    assert row.at.timestamp() * 1000 == CREATED


def mattermost_export(folder: Path, message: str) -> Source:
    lines = [
        {"type": "version", "version": 1},
        {"type": "team", "team": {"name": "ops", "display_name": "Ops"}},
        {"type": "channel", "channel": {"team": "ops", "name": "inc-checkout",
                                        "display_name": "Incident: checkout"}},
        {"type": "user", "user": {"username": "alice", "first_name": "Alice",
                                  "last_name": "Owner"}},
        {"type": "post", "post": {"team": "ops", "channel": "inc-checkout", "user": "alice",
                                  "message": message, "create_at": CREATED}},
    ]  # fmt: skip
    path = folder / "export.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    return Source(path, "export.jsonl")


def test_live_then_import_and_import_then_live_add_the_post_once(
    mattermost_workspace: ChatWorkspace, postmortem: Postmortem, tmp_path: Path
) -> None:
    incident = postmortem.incidents.get()
    webhook("#postmortem start INC-PM-1", timestamp=CREATED - 1000)
    webhook("#postmortem note pool size raised to 50")
    export = mattermost_export(tmp_path, "#postmortem note pool size raised to 50")
    summary = import_events(incident, ImportRequest([export]))
    assert (summary.added, summary.duplicates) == (0, 1)
    TimelineEvent.objects.filter(source="mattermost").delete()
    assert import_events(incident, ImportRequest([export])).added == 1
    assert text_of(webhook("#postmortem note pool size raised to 50")) == (
        "Already on INC-PM-1's timeline."
    )
    assert TimelineEvent.objects.filter(incident=incident, source="mattermost").count() == 1
