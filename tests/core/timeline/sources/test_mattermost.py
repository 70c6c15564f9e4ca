"""Mattermost bulk export importer: fixture against expected events, errors and fuzzing."""

from __future__ import annotations

import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from secondstory.core.timeline import sources
from secondstory.core.timeline.event import TimelineEvent, event_json
from secondstory.core.timeline.sources import mattermost
from secondstory.core.timeline.sources.base import ParseOptions, Source, SourceError

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "sources" / "mattermost"
EXPORT = FIXTURES / "export.jsonl"


def lines(events: list[TimelineEvent]) -> list[dict[str, Any]]:
    return [event_json(e) for e in sorted(events, key=lambda e: (e.utc, e.source_ref))]


def expected() -> list[dict[str, Any]]:
    text = (FIXTURES / "export.expected.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_export_gives_the_expected_events() -> None:
    source = Source(EXPORT)
    assert sources.detect(source) == "mattermost"
    assert lines(list(sources.parse(source))) == expected()
    assert source.warnings == [f"{EXPORT}: skipped 1 deleted post in the export"]


def test_zip_export_gives_the_same_events(tmp_path: Path) -> None:
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as handle:
        handle.write(EXPORT, "import.jsonl")
        handle.writestr("data/20260304/heap-0304.png", b"\x89PNG")
    source = Source(archive)
    assert sources.detect(source) == "mattermost"
    assert lines(list(sources.parse(source))) == expected()


def test_refs_are_stable_and_unique() -> None:
    first = [e.source_ref for e in mattermost.parse(Source(EXPORT), ParseOptions())]
    second = [e.source_ref for e in mattermost.parse(Source(EXPORT), ParseOptions())]
    assert first == second
    assert len(set(first)) == len(first)


def test_raw_keeps_the_post_without_its_replies() -> None:
    events = {e.source_ref: e for e in mattermost.parse(Source(EXPORT), ParseOptions())}
    root = events["northwind/inc-0304-checkout/priya/1772632800000"]
    assert root.raw is not None
    assert "replies" not in root.raw
    assert root.raw["reactions"][0]["emoji_name"] == "eyes"
    reply = events["northwind/inc-0304-checkout/priya/1772632800000/reply/tkowal/1772632860000"]
    assert reply.raw == {
        "user": "tkowal",
        "message": "on it, rolling back checkout-api",
        "create_at": 1772632860000,
        "channel": "inc-0304-checkout",
        "root_create_at": 1772632800000,
    }
    assert reply.at == datetime(2026, 3, 4, 14, 1, tzinfo=UTC)
    for event in events.values():
        json.dumps(event.raw)


def test_channel_selection_and_window() -> None:
    picked = mattermost.parse(Source(EXPORT), ParseOptions(channels=("Town Square",)))
    assert [e.text for e in picked] == ["checkout is degraded, follow ~inc-0304-checkout"]
    direct = mattermost.parse(Source(EXPORT), ParseOptions(channels=("priya+tkowal",)))
    assert [e.text for e in direct] == ["can you take incident commander?", "yes"]
    since = datetime(2026, 3, 4, 14, 3, tzinfo=UTC)
    late = list(mattermost.parse(Source(EXPORT), ParseOptions(since=since)))
    assert len(late) == 3
    assert all(e.at >= since for e in late)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("[1, 2]", ":2: $: type: expected an object with a type on every line"),
        ('{"type": "post", "post": []}', ":2: $.post: post: expected an object"),
        (
            '{"type": "post", "post": {"team": "t", "channel": "c", "user": "u"}}',
            ":2: $.post: create_at: is missing",
        ),
        (
            '{"type": "post", "post": {"team": "t", "channel": "c", "user": "u", '
            '"create_at": "soon"}}',
            ":2: $.post: create_at: expected epoch milliseconds, got 'soon'",
        ),
        (
            '{"type": "post", "post": {"team": "t", "user": "u", "create_at": 1}}',
            ":2: $.post: channel: is missing",
        ),
        (
            '{"type": "post", "post": {"team": "t", "channel": "c", "user": "u", '
            '"create_at": 1, "replies": [{"user": "v", "create_at": -5}]}}',
            ":2: $.post.replies[0]: create_at: epoch milliseconds out of range: -5",
        ),
        (
            '{"type": "direct_post", "direct_post": {"channel_members": "a,b", "user": "a"}}',
            ":2: $.direct_post: channel_members: expected a list of usernames",
        ),
        (
            '{"type": "post", "post": {"team": "t", "channel": "c", "user": "u", '
            '"create_at": 1, "message": ["hi"]}}',
            ":2: $.post: message: expected text, got list",
        ),
        ('{"type": "user", "user": {"email": "x@y.example"}}', ":2: $.user: username: is missing"),
        ("{not json", ":2: not valid JSON"),
    ],
)
def test_errors_name_the_line_path_and_field(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "export.jsonl"
    path.write_text('{"type": "version", "version": 1}\n' + line + "\n")
    with pytest.raises(SourceError) as caught:
        list(mattermost.parse(Source(path), ParseOptions()))
    assert str(caught.value).startswith(str(path) + message)


@pytest.mark.parametrize(
    "content",
    [
        b'{"at": "2026-03-04T14:00:00Z", "kind": "chat", "text": "x"}\n',
        b'{"type": "message", "ts": "1772632800.000100"}\n',
        b'[{"type": "message", "ts": "1772632800.000100", "text": "x"}]',
        b'{"value": [{"messageType": "message", "createdDateTime": "2026-03-04T14:00:00Z"}]}',
        b"14:02 <ada> hello\n",
    ],
)
def test_other_inputs_are_not_claimed(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "input.jsonl"
    path.write_bytes(content)
    assert mattermost.sniff(Source(path)) is False


# --- fuzzing ---------------------------------------------------------------------------------

KEYS = ["type", "post", "direct_post", "user", "team", "channel", "message", "create_at",
        "replies", "props", "attachments", "edit_at", "delete_at", "username", "channel_members",
        "from_bot", "override_username", "path", "bot", "version"]  # fmt: skip
JSONISH = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=12)
    | st.sampled_from(["post", "direct_post", "user", "1772632800000"]),
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
    mattermost.sniff(source)
    try:
        for event in mattermost.parse(source, ParseOptions()):
            json.dumps([event.raw, event_json(event)])
            assert len(event.source_ref) <= 300
    except SourceError:
        pass


@FUZZ
@given(data=st.binary(max_size=300))
def test_fuzz_bytes(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "input.jsonl"
    path.write_bytes(data)
    run(path)


@FUZZ
@given(values=st.lists(JSONISH, max_size=4))
def test_fuzz_json_lines(tmp_path: Path, values: list[object]) -> None:
    path = tmp_path / "input.jsonl"
    path.write_text("\n".join(json.dumps(v) for v in values))
    run(path)


@FUZZ
@given(kind=st.sampled_from(["post", "direct_post", "user", "bot", "channel"]), body=JSONISH)
def test_fuzz_typed_lines(tmp_path: Path, kind: str, body: object) -> None:
    path = tmp_path / "input.jsonl"
    path.write_text(json.dumps({"type": kind, kind: body}) + "\n")
    run(path)


@FUZZ
@given(st.data())
def test_fuzz_mutated_fixture(tmp_path: Path, data: st.DataObject) -> None:
    mutated = bytearray(EXPORT.read_bytes())
    for _ in range(data.draw(st.integers(1, 8))):
        position = data.draw(st.integers(0, len(mutated) - 1))
        mutated[position] = data.draw(st.integers(0, 255))
    path = tmp_path / "input.jsonl"
    path.write_bytes(bytes(mutated))
    run(path)


def test_numbers_past_the_int_limit_are_source_errors(tmp_path: Path) -> None:
    path = tmp_path / "export.jsonl"
    path.write_text('{"type": "version", "version": 1}\n' + "1" * 5000 + "\n")
    with pytest.raises(SourceError, match=r"export\.jsonl:2: "):
        list(mattermost.parse(Source(path), ParseOptions()))
