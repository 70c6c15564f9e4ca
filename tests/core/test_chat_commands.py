"""Chat commands, Slack signatures and live references, without a database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from secondstory.core.chat_commands import (
    MAX_NOTE_CHARS,
    clip_note,
    looks_like_incident_key,
    parse_command,
    slack_refusal,
    slack_signature,
    token_matches,
)
from secondstory.core.timeline.live_chat import slack_message_event
from secondstory.core.timeline.sources import slack
from secondstory.core.timeline.sources.base import ParseOptions, Source

# Slack's published example of a signed slash command request.
SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
STAMP = "1531420618"
BODY = (
    b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id="
    b"G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-"
    b"collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700"
    b"885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2"
    b"c447fce8b6703c"
)
SIGNATURE = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"


def test_the_signature_is_slacks_for_its_published_example() -> None:
    assert slack_signature(SECRET, STAMP, BODY) == SIGNATURE


@pytest.mark.parametrize(
    ("secret", "stamp", "signature", "body", "now", "reason"),
    [
        (SECRET, STAMP, SIGNATURE, BODY, int(STAMP) + 299, ""),
        (SECRET, STAMP, SIGNATURE, BODY, int(STAMP) - 299, ""),
        (SECRET, STAMP, SIGNATURE, BODY, int(STAMP) + 301, "replay window"),
        (SECRET, STAMP, SIGNATURE, BODY, int(STAMP) - 301, "replay window"),
        (SECRET, STAMP, SIGNATURE, BODY + b"&x=1", int(STAMP), "does not match"),
        ("another-secret", STAMP, SIGNATURE, BODY, int(STAMP), "does not match"),
        (SECRET, "", SIGNATURE, BODY, int(STAMP), "not signed"),
        (SECRET, STAMP, "", BODY, int(STAMP), "not signed"),
        (SECRET, "１２３", SIGNATURE, BODY, int(STAMP), "not a number"),
        ("", STAMP, SIGNATURE, BODY, int(STAMP), "no signing secret"),
        (SECRET, STAMP, "v0=é", BODY, int(STAMP), "does not match"),
    ],
)
def test_refusals(
    secret: str, stamp: str, signature: str, body: bytes, now: int, reason: str
) -> None:
    refusal = slack_refusal(secret, stamp, signature, body, now)
    assert (reason in refusal) if reason else refusal == ""
    assert bool(refusal) == bool(reason)


def test_commands() -> None:
    assert parse_command("NOTE  db is back ").name == "note"
    assert parse_command("note").argument == ""
    assert parse_command("start Checkout is down").argument == "Checkout is down"
    assert not parse_command("frob x").known
    assert looks_like_incident_key("INC-0042") and looks_like_incident_key("PAY-INC-7")
    assert not looks_like_incident_key("INC-") and not looks_like_incident_key("checkout down")
    assert len(clip_note("x" * (MAX_NOTE_CHARS + 10))) == MAX_NOTE_CHARS


def test_tokens_compare_whole_and_never_match_when_unset() -> None:
    assert token_matches("abc123", "abc123")
    assert not token_matches("abc123", "abc12")
    assert not token_matches("", "")
    assert not token_matches("abc", "")


def test_a_live_slack_message_gets_the_reference_and_text_of_its_import(tmp_path: Path) -> None:
    message = {
        "type": "message", "user": "U1", "ts": "1765000000.000100",
        "text": "paging <@U2> &amp; <https://status.example|status page>",
    }  # fmt: skip
    users = {
        "U1": {"id": "U1", "name": "bo", "profile": {"real_name": "Bo Responder"}},
        "U2": {"id": "U2", "name": "cy", "profile": {"display_name": "cy", "real_name": "Cy"}},
    }
    live = slack_message_event(message, "C1", "inc-db", users)
    (tmp_path / "inc-db").mkdir()
    (tmp_path / "users.json").write_text(json.dumps(list(users.values())))
    (tmp_path / "channels.json").write_text(json.dumps([{"id": "C1", "name": "inc-db"}]))
    (tmp_path / "inc-db" / "2025-12-06.json").write_text(json.dumps([message]))
    [imported] = slack.parse(Source(tmp_path), ParseOptions())
    assert live is not None
    assert (live.ref, live.text, live.actor, live.at) == (
        imported.ref, imported.text, imported.actor, imported.at,
    )  # fmt: skip
    assert live.text == "paging @cy & status page (https://status.example)"


def test_a_deleted_message_gives_no_event() -> None:
    message = {"type": "message", "subtype": "tombstone", "ts": "1765000000.000100"}
    assert slack_message_event(message, "C1", "inc-db", {}) is None


@pytest.mark.parametrize(
    "module",
    ["secondstory.core.chat_commands", "secondstory.core.timeline.live_chat"],
)
def test_the_examples_in_the_docstrings_hold(module: str) -> None:
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module))
    assert result.failed == 0 and result.attempted > 0
