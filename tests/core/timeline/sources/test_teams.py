"""Microsoft Teams (Graph chatMessage) importer: fixtures against expected events, errors, fuzz."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from secondstory.core.timeline import sources
from secondstory.core.timeline.event import TimelineEvent, event_json
from secondstory.core.timeline.sources import teams
from secondstory.core.timeline.sources.base import ParseOptions, Source, SourceError

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "sources" / "teams"
PAGE = FIXTURES / "channel-page.json"
CHANNEL = "19:c0ffee0123456789abcdef@thread.tacv2"


def lines(events: list[TimelineEvent]) -> list[dict[str, Any]]:
    return [event_json(e) for e in sorted(events, key=lambda e: (e.utc, e.source_ref))]


def expected(name: str) -> list[dict[str, Any]]:
    text = (FIXTURES / f"{name}.expected.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


@pytest.mark.parametrize("name", ["channel-page", "chat-list", "single-message"])
def test_fixture_gives_the_expected_events(name: str) -> None:
    source = Source(FIXTURES / f"{name}.json")
    assert sources.detect(source) == "teams"
    assert lines(list(sources.parse(source))) == expected(name)


def test_page_warnings_tell_of_the_next_link_and_deleted_messages() -> None:
    source = Source(PAGE)
    list(teams.parse(source, ParseOptions()))
    assert source.warnings == [
        f"{PAGE}: $: this page links to more messages (@odata.nextLink); only the messages "
        "in the file are imported",
        f"{PAGE}: skipped 1 deleted message in this file",
    ]


def test_times_keep_their_offset_and_seven_digit_fractions() -> None:
    events = {e.source_ref: e for e in teams.parse(Source(PAGE), ParseOptions())}
    first = events["1772632800123"].at
    assert first == datetime(2026, 3, 4, 14, 0, 0, 123456, tzinfo=UTC)
    india = events["1772633400000"].at
    assert india.utcoffset() == timedelta(hours=5, minutes=30)
    assert india == datetime(2026, 3, 4, 19, 40, 0, 500000, tzinfo=timezone(india.utcoffset()))


def test_raw_url_and_reply_refs() -> None:
    events = {e.source_ref: e for e in teams.parse(Source(PAGE), ParseOptions())}
    reply = events["1772632800123/1772632860456"]
    assert reply.raw is not None and reply.raw["replyToId"] == "1772632800123"
    assert reply.evidence_url.startswith("https://teams.microsoft.com/l/message/")
    assert events["1772632920000"].actor_role == "bot"
    for event in events.values():
        json.dumps(event.raw)


def test_channel_selection() -> None:
    assert len(list(teams.parse(Source(PAGE), ParseOptions(channels=(CHANNEL,))))) == 7
    assert list(teams.parse(Source(PAGE), ParseOptions(channels=("general",)))) == []


def test_html_body_rendering(tmp_path: Path) -> None:
    message = {
        "id": "1",
        "createdDateTime": "2026-03-04T14:00:00Z",
        "from": {"user": {"displayName": "Ada"}},
        "body": {
            "contentType": "html",
            "content": '<p>ping <at id="0">Bo Li</at> &amp; <at id="1">Cy</at></p>'
            '<p>fix<emoji id="1f525" alt="🔥" title=""></emoji></p><ul><li>one</li><li>two</li>'
            "</ul>",
        },
    }
    (event,) = teams.parse(_write(tmp_path, message), ParseOptions())
    assert event.text == "ping Bo Li & Cy\nfix🔥\none\ntwo"


def _write(folder: Path, document: object) -> Source:
    path = folder / "input.json"
    path.write_text(json.dumps(document))
    return Source(path)


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"value": [{"id": "1"}]}, "$.value[0].createdDateTime: createdDateTime: is missing"),
        (
            {"value": [{"id": "1", "createdDateTime": "yesterday"}]},
            "$.value[0].createdDateTime: createdDateTime: not an ISO 8601 timestamp",
        ),
        (
            [{"value": [{"id": "1", "createdDateTime": "2026-03-04T14:00:00Z"}, 5]}],
            "$[0].value[1]: expected a message object",
        ),
        (
            {"value": [{"id": ["1"], "createdDateTime": "2026-03-04T14:00:00Z"}]},
            "$.value[0]: id: expected text, got list",
        ),
        (
            {"value": [{"id": "1", "createdDateTime": "2026-03-04T14:00:00"}]},
            "$.value[0].createdDateTime: createdDateTime: '2026-03-04T14:00:00' has no UTC offset",
        ),
        (
            {"id": "1", "createdDateTime": "2026-03-04T14:00:00Z", "body": 5},
            "$.body: body: expected an object",
        ),
        (
            {"id": "1", "createdDateTime": "2026-03-04T14:00:00Z", "from": 5},
            "$.from: from: expected an object",
        ),
        ({"value": {"id": "1"}}, "$.value: expected a list of messages"),
        ("hello", "$: expected a page of messages, a list or a message"),
    ],
)
def test_errors_name_the_json_path_and_field(
    tmp_path: Path, document: object, message: str
) -> None:
    source = _write(tmp_path, document)
    with pytest.raises(SourceError) as caught:
        list(teams.parse(source, ParseOptions()))
    assert str(caught.value).startswith(f"{source.name}: {message}")


def test_naive_times_are_read_in_the_given_zone(tmp_path: Path) -> None:
    source = _write(tmp_path, {"id": "1", "createdDateTime": "2026-03-04T14:00:00"})
    (event,) = teams.parse(source, ParseOptions(tz=timezone(timedelta(hours=1))))
    assert event.at.utcoffset() == timedelta(hours=1)


def test_huge_numbers_and_bad_json_are_source_errors(tmp_path: Path) -> None:
    for text in ("[" + "1" * 5000 + "]", "{", "[" * 100000):
        path = tmp_path / "input.json"
        path.write_text(text)
        with pytest.raises(SourceError):
            list(teams.parse(Source(path), ParseOptions()))


@pytest.mark.parametrize(
    "content",
    [
        b'[{"type": "message", "ts": "1772632800.000100", "text": "x"}]',
        b'{"type": "version", "version": 1}\n',
        b'{"id": 1, "timestamp": "2026-03-04T14:00:00Z", "content": "x", "author": {}}',
        b'{"at": "2026-03-04T14:00:00Z", "kind": "chat"}\n',
    ],
)
def test_other_inputs_are_not_claimed(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "input.json"
    path.write_bytes(content)
    assert teams.sniff(Source(path)) is False


# --- fuzzing ---------------------------------------------------------------------------------

KEYS = ["value", "id", "replyToId", "messageType", "createdDateTime", "lastEditedDateTime",
        "deletedDateTime", "from", "user", "application", "displayName", "body", "content",
        "contentType", "attachments", "name", "eventDetail", "@odata.type", "members",
        "initiator", "channelIdentity", "channelId", "subject", "webUrl", "title",
        "text"]  # fmt: skip
JSONISH = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=12)
    | st.sampled_from(
        [
            "2026-03-04T14:00:00.1234567Z",
            "<at id='0'>Bo</at> &amp;",
            "html",
            "application/vnd.microsoft.card.adaptive",
            '{"body": [{"text": "x", "title": "t", "value": "v"}]}',
            "#microsoft.graph.membersAddedEventMessageDetail",
        ]
    ),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=4), children, max_size=6)
    ),
    max_leaves=25,
)
FUZZ = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def run(path: Path) -> None:
    source = Source(path)
    teams.sniff(source)
    try:
        for event in teams.parse(source, ParseOptions()):
            json.dumps([event.raw, event_json(event)])
            assert event.at.utcoffset() is not None
    except SourceError:
        pass


@FUZZ
@given(data=st.binary(max_size=300))
def test_fuzz_bytes(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "input.json"
    path.write_bytes(data)
    run(path)


@FUZZ
@given(document=JSONISH)
def test_fuzz_json_structures(tmp_path: Path, document: object) -> None:
    path = tmp_path / "input.json"
    path.write_text(json.dumps({"value": [document]}))
    run(path)
    path.write_text(json.dumps(document))
    run(path)


@FUZZ
@given(message=st.dictionaries(st.sampled_from(KEYS), JSONISH, max_size=8))
def test_fuzz_messages(tmp_path: Path, message: dict[str, Any]) -> None:
    base: dict[str, Any] = {"id": "1", "createdDateTime": "2026-03-04T14:00:00Z"}
    path = tmp_path / "input.json"
    path.write_text(json.dumps([{**base, **message}]))
    run(path)


@FUZZ
@given(st.data())
def test_fuzz_mutated_fixture(tmp_path: Path, data: st.DataObject) -> None:
    mutated = bytearray(PAGE.read_bytes())
    for _ in range(data.draw(st.integers(1, 8))):
        position = data.draw(st.integers(0, len(mutated) - 1))
        mutated[position] = data.draw(st.integers(0, 255))
    path = tmp_path / "input.json"
    path.write_bytes(bytes(mutated))
    run(path)


@pytest.mark.parametrize(
    "content", ["<" * 200_000, "<emoji " * 30_000, '<emoji alt="' * 30_000, "<img " * 50_000]
)
def test_unclosed_tags_take_linear_time(tmp_path: Path, content: str) -> None:
    body = {"contentType": "html", "content": content}
    source = _write(tmp_path, {"id": "1", "createdDateTime": "2026-03-04T14:00:00Z", "body": body})
    started = time.perf_counter()
    (event,) = teams.parse(source, ParseOptions())
    assert time.perf_counter() - started < 10
    assert len(event.text) <= len(content)


def test_window() -> None:
    since = datetime(2026, 3, 4, 14, 2, tzinfo=UTC)
    events = list(teams.parse(Source(PAGE), ParseOptions(since=since)))
    assert sorted(e.source_ref for e in events) == [
        "1772632920000",
        "1772632970000",
        "1772633100000",
        "1772633400000",
    ]
