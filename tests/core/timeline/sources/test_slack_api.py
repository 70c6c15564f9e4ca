"""Slack Web API pages and single day files: fixtures against expected events, errors, fuzz."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from secondstory.core.timeline import sources
from secondstory.core.timeline.event import event_json
from secondstory.core.timeline.sources import slack, slack_api
from secondstory.core.timeline.sources.base import ParseOptions, Source, SourceError
from tests.core.timeline.sources import support

FIXTURES = support.FIXTURES
PAGES = FIXTURES / "slack_api" / "history-C05INCORD.json"
DAY = FIXTURES / "slack" / "day-file" / "inc-orders" / "2024-05-02.json"
MESSAGE_KEYS = ("ok", "messages", "has_more", "ts", "text", "user", "subtype", "root", "channel")


def test_pages_give_the_expected_events() -> None:
    source = Source(PAGES, name=PAGES.name)
    assert sources.detect(source) == "slack_api"
    support.assert_expected(slack_api.parse(source, ParseOptions()), support.expected_path(PAGES))
    assert source.warnings == []  # the first page has more, and the file holds the next one


def test_a_last_page_with_more_warns(tmp_path: Path) -> None:
    path = tmp_path / "C0123ABCDE.json"
    message = {"ts": "1714658591.000100", "text": "x"}
    path.write_text(json.dumps({"ok": True, "messages": [message], "has_more": True}))
    source = Source(path, name="page.json")
    assert len(list(slack_api.parse(source, ParseOptions()))) == 1
    assert source.warnings == [
        "page.json: $: this page says has_more: the channel holds more messages; fetch the "
        "next page (cursor from response_metadata.next_cursor) and import it too"
    ]


def test_users_and_the_channel_come_from_the_files_beside_the_page() -> None:
    events = list(slack_api.parse(Source(PAGES), ParseOptions()))
    assert {e.actor for e in events} == {"Dara Okafor", "Kofi Mensah", "PagerDuty"}
    assert all(e.raw is not None and e.raw["channel"] == "inc-orders-db" for e in events)
    assert len(list(slack_api.parse(Source(PAGES), ParseOptions(channels=("inc-orders-db",))))) == 6
    assert list(slack_api.parse(Source(PAGES), ParseOptions(channels=("general",)))) == []


def test_without_the_files_beside_it_ids_are_shown_and_the_channel_is_the_id(
    tmp_path: Path,
) -> None:
    path = tmp_path / PAGES.name
    shutil.copy(PAGES, path)
    events = list(slack_api.parse(Source(path), ParseOptions()))
    assert events[0].text.startswith("resolved; thanks @kofi & @pagerbot.")
    assert {e.source_ref.split("/")[0] for e in events} == {"C05INCORD"}


def test_a_page_named_without_the_channel_id_warns(tmp_path: Path) -> None:
    path = tmp_path / "history.json"
    path.write_text(
        json.dumps({"ok": True, "messages": [{"ts": "1714658591.000100", "text": "x"}]})
    )
    source = Source(path, name="history.json")
    (event,) = slack_api.parse(source, ParseOptions())
    assert event.source_ref == "history/1714658591.000100"
    assert "the channel id is neither in the file name nor in the page" in source.warnings[0]


def test_the_same_message_in_a_page_and_a_replies_page_is_one_event(tmp_path: Path) -> None:
    message = {"ts": "1714658591.000100", "text": "root", "user": "U1"}
    pages = [{"ok": True, "messages": [message]}, {"ok": True, "messages": [message]}]
    path = tmp_path / "C0123ABCDE.json"
    path.write_text(json.dumps(pages))
    assert [e.source_ref for e in slack_api.parse(Source(path), ParseOptions())] == [
        "C0123ABCDE/1714658591.000100"
    ]


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"ok": False, "error": "not_in_channel"}, "$: ok: this response is Slack's refusal"),
        ({"ok": True, "messages": {}}, "$: messages: expected a list of messages"),
        ({"ok": True, "messages": [{"text": "x"}]}, "$.messages[0]: ts: is missing"),
        ([{"ok": True, "messages": []}, 3], "$[1]: expected a response object"),
    ],
)
def test_bad_pages_name_the_path_and_field(tmp_path: Path, document: Any, message: str) -> None:
    path = tmp_path / "C0123ABCDE.json"
    path.write_text(json.dumps(document))
    with pytest.raises(SourceError) as caught:
        list(slack_api.parse(Source(path, name="page.json"), ParseOptions()))
    assert str(caught.value).startswith("page.json: " + message)


def test_files_beside_the_pages_are_companions_not_inputs() -> None:
    folder = PAGES.parent
    for name in ("users-list.json", "conversations-info.json"):
        source = Source(folder / name)
        assert slack_api.companion(source)
        assert not slack_api.sniff(source)
    assert slack_api.companion(Source(PAGES)) == ""


def test_only_this_importer_claims_the_pages() -> None:
    assert support.claimed_elsewhere(slack_api.sniff, ("slack_api",)) == []
    assert not slack.sniff(Source(PAGES))


def test_a_day_file_with_sorted_keys_and_a_broadcast_is_detected_and_read() -> None:
    source = Source(DAY, name=DAY.name)
    assert '"type": "message"' not in DAY.read_text()[:4096]  # the shape detection missed
    assert sources.detect(source) == "slack"
    events = list(slack.parse(source, ParseOptions()))
    support.assert_expected(events, support.expected_path(DAY))
    broadcast = events[-1]
    assert broadcast.raw is not None and broadcast.raw["subtype"] == "thread_broadcast"
    assert "@kofi" in broadcast.text  # a mention of an author known from an earlier profile


# --- fuzzing -----------------------------------------------------------------------------------

DOCUMENTS = support.fixture_documents([PAGES, DAY])
VALUES = support.json_values(
    keys=MESSAGE_KEYS, leaves=("1714658591.000100", "<@U03DARA|dara>", True, "C05INCORD")
)


def parses_or_fails_cleanly(importer: Any, data: bytes, name: str) -> None:
    """Events with an instant in UTC, a reference and a JSON payload, or a SourceError naming
    the file (Slack keeps messages whose text is empty: the store shows them as "(no text)")."""
    folder = Path(tempfile.mkdtemp(prefix="secondstory-slack-fuzz-"))
    try:
        path = folder / name
        path.write_bytes(data)
        source = Source(path, name=name)
        importer.sniff(source)
        try:
            events = list(importer.parse(source, ParseOptions()))
        except SourceError as exc:
            assert str(exc).startswith(name)
            return
    finally:
        shutil.rmtree(folder)
    refs = [event.source_ref for event in events]
    assert len(refs) == len(set(refs)) or importer is slack
    for event in events:
        assert event.kind == "chat" and event.source == "slack" and event.source_ref
        json.dumps(event_json(event))
        json.dumps(event.raw)


@support.FUZZ
@given(st.binary(max_size=400))
def test_arbitrary_bytes_parse_or_raise_source_error(data: bytes) -> None:
    parses_or_fails_cleanly(slack_api, data, "C0123ABCDE.json")


@support.FUZZ
@given(st.data())
def test_mutated_pages_parse_or_raise_source_error(data: st.DataObject) -> None:
    changed, _ = data.draw(support.mutated_documents(DOCUMENTS[:1], VALUES))
    parses_or_fails_cleanly(slack_api, json.dumps(changed).encode(), "C0123ABCDE.json")


@support.FUZZ
@given(st.data())
def test_mutated_day_files_parse_or_raise_source_error(data: st.DataObject) -> None:
    changed, _ = data.draw(support.mutated_documents(DOCUMENTS[1:], VALUES))
    parses_or_fails_cleanly(slack, json.dumps(changed).encode(), "2024-05-02.json")


def test_a_page_saved_with_its_keys_in_another_order_is_detected(tmp_path: Path) -> None:
    page = json.loads(PAGES.read_text())[1]
    reordered = {"messages": page["messages"] * 40, "has_more": False, "ok": True}
    path = tmp_path / "C05INCORD.json"
    path.write_text(json.dumps(reordered, indent=2))
    assert '"ok"' not in path.read_text()[:16384]
    assert sources.detect(Source(path)) == "slack_api"
