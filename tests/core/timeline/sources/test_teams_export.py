"""Microsoft Teams user data export (PascalCase keys, ids left out): fixture, traps, fuzz."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from secondstory.core.timeline import sources
from secondstory.core.timeline.sources import teams
from secondstory.core.timeline.sources.base import ParseOptions, Source
from tests.core.timeline.sources import support

TEAM = "7d2f0c4e-1b3a-4c5d-9e8f-0a1b2c3d4e5f"
EXPORT = support.FIXTURES / "teams" / "TeamsDataExport" / "teams" / TEAM / f"messages_{TEAM}.json"
CHANNEL = "19:b1e7a2c4d6f8091a3b5c7d9e0f1a2b3c@thread.tacv2"
KEYS = ("Id", "ReplyToId", "MessageType", "CreatedDateTime", "From", "User", "DisplayName",
        "Body", "Content", "ContentType", "ChannelIdentity", "ChannelId", "EventDetail",
        "DeletedDateTime", "LastEditedDateTime", "Attachments", "Name")  # fmt: skip


def test_the_export_gives_the_expected_events() -> None:
    source = Source(EXPORT, name=EXPORT.name)
    assert sources.detect(source) == "teams"
    support.assert_expected(teams.parse(source, ParseOptions()), support.expected_path(EXPORT))
    assert source.warnings == [f"{EXPORT.name}: skipped 1 deleted message in this file"]


def test_messages_without_an_id_are_read_with_a_stable_reference() -> None:
    first = [e.source_ref for e in teams.parse(Source(EXPORT), ParseOptions())]
    again = [e.source_ref for e in teams.parse(Source(EXPORT), ParseOptions())]
    assert first == again
    assert [ref for ref in first if "at-" in ref] == [
        "1714658591123/at-bbec9e7f9a19e7a15d448c54",
        "at-84ba34b57743a3c433dc83b3",
    ]


def test_channel_selection_uses_the_channel_identity() -> None:
    assert len(list(teams.parse(Source(EXPORT), ParseOptions(channels=(CHANNEL,))))) == 5
    assert list(teams.parse(Source(EXPORT), ParseOptions(channels=("general",)))) == []


def test_two_identical_messages_without_ids_are_two_events(tmp_path: Path) -> None:
    message = {"MessageType": "message", "CreatedDateTime": "2024-05-02T14:03:11Z", "Body": "ok"}
    path = tmp_path / "messages.json"
    path.write_text(json.dumps({"Messages": [message, message]}))
    events = list(teams.parse(Source(path), ParseOptions()))
    assert len(events) == 2 and events[1].source_ref == events[0].source_ref + "/#2"
    assert events[0].text == "ok"


def test_the_author_may_be_a_name_and_the_body_its_content(tmp_path: Path) -> None:
    message = {
        "Id": "9",
        "MessageType": "message",
        "CreatedDateTime": "2024-05-02T14:03:11Z",
        "From": "Dara Okafor",
        "Body": "<p>primary is back</p>",
    }
    path = tmp_path / "messages.json"
    path.write_text(json.dumps([message]))
    (event,) = teams.parse(Source(path), ParseOptions())
    assert (event.actor, event.text) == ("Dara Okafor", "primary is back")


# --- fuzzing -----------------------------------------------------------------------------------

DOCUMENTS = support.fixture_documents([EXPORT])
VALUES = support.json_values(keys=KEYS, leaves=("2024-05-02T14:03:11Z", "message", None))


@support.FUZZ
@given(st.data())
def test_mutated_exports_parse_or_raise_source_error(data: st.DataObject) -> None:
    changed, _ = data.draw(support.mutated_documents(DOCUMENTS, VALUES))
    support.parses_or_fails_cleanly(
        teams,
        json.dumps(changed).encode(),
        name="messages.json",
        errors_name_the_file=True,
        unique_refs=True,
        kinds={"chat"},
    )
