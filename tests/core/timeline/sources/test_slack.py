"""Slack export importer: fixture export against expected events, edge cases and fuzzing."""

from __future__ import annotations

import contextlib
import json
import shutil
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from secondstory.core.timeline import sources
from secondstory.core.timeline.archives import ArchiveRefused
from secondstory.core.timeline.event import TimelineEvent, event_json
from secondstory.core.timeline.sources import slack
from secondstory.core.timeline.sources.base import ParseOptions, Source, SourceError

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "sources" / "slack"
EXPORT = FIXTURES / "export"
INCIDENT_DAY = EXPORT / "inc-checkout-latency" / "2026-03-04.json"


def lines(events: list[TimelineEvent]) -> list[dict[str, Any]]:
    return [event_json(e) for e in sorted(events, key=lambda e: (e.utc, e.source_ref))]


def expected(name: str) -> list[dict[str, Any]]:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def zip_folder(folder: Path, target: Path, prefix: str = "") -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, prefix + path.relative_to(folder).as_posix())
    return target


def test_export_folder_gives_the_expected_events() -> None:
    source = Source(EXPORT)
    assert sources.detect(source) == "slack"
    assert lines(list(sources.parse(source))) == expected("export.expected.jsonl")


def test_warnings_count_deleted_messages_once_per_file_and_unknown_authors_once() -> None:
    source = Source(EXPORT)
    list(slack.parse(source, ParseOptions()))
    deleted = [w for w in source.warnings if "deleted" in w]
    assert deleted == [
        f"{EXPORT}: skipped 2 deleted messages in inc-checkout-latency/2026-03-04.json"
    ]
    unknown = [w for w in source.warnings if "not in users.json" in w]
    assert len(unknown) == 1
    assert "U09GHOST" in unknown[0]
    assert "inc-checkout-latency/2026-03-04.json $[9].user" in unknown[0]


@pytest.mark.parametrize("prefix", ["", "northwind-2026-03/"])
def test_zip_gives_the_same_events_as_the_folder(tmp_path: Path, prefix: str) -> None:
    archive = zip_folder(EXPORT, tmp_path / "export.zip", prefix)
    source = Source(archive)
    assert sources.detect(source) == "slack"
    assert lines(list(sources.parse(source))) == expected("export.expected.jsonl")


def test_raw_is_the_message_with_its_channel_name_and_serialisable() -> None:
    events = {e.source_ref: e for e in slack.parse(Source(EXPORT), ParseOptions())}
    parent = events["C01INC/1772632900.123456"]
    assert parent.raw is not None
    assert parent.raw["channel"] == "inc-checkout-latency"
    assert parent.raw["client_msg_id"] == "0b6f3e4a-1111-4c5e-9a70-8d2f00000001"
    assert parent.raw["replies"] == [{"user": "U01PRIYA", "ts": "1772632960.654321"}]
    reply = events["C01INC/1772632960.654321"]
    assert reply.raw is not None and reply.raw["parent_user_id"] == "U01TOMASZ"
    assert events["D01PT/1772632895.000000"].raw == {
        "type": "message",
        "user": "U01TOMASZ",
        "text": "can you cover the rollback?",
        "ts": "1772632895.000000",
        "channel": "D01PT",
    }
    for event in events.values():
        json.dumps(event.raw)
        assert event.at.utcoffset() is not None
        assert event.at.tzinfo == UTC


def test_timestamps_keep_microseconds() -> None:
    events = {e.source_ref: e for e in slack.parse(Source(EXPORT), ParseOptions())}
    at = events["C01INC/1772632740.999999"].at
    assert at == datetime(2026, 3, 4, 13, 59, 0, 999999, tzinfo=UTC)


def test_channel_selection_by_name_or_id() -> None:
    by_name = slack.parse(Source(EXPORT), ParseOptions(channels=("#general",)))
    assert [e.source_ref for e in by_name] == ["C01GEN/1772632920.000000"]
    by_id = slack.parse(Source(EXPORT), ParseOptions(channels=("g01sre", "D01PT")))
    assert sorted(e.source_ref for e in by_id) == [
        "D01PT/1772632895.000000",
        "G01SRE/1772632890.000000",
    ]


def test_day_files_are_not_utc_days() -> None:
    since = datetime(2026, 3, 5, 2, 0, tzinfo=UTC)
    events = list(sources.parse(Source(EXPORT), ParseOptions(since=since)))
    # 02:30 UTC on 5 March is in the day file named 2026-03-04 (the exporter's local day).
    assert [e.text for e in sorted(events, key=lambda e: e.at)] == [
        "error budget burn is flat again, signing off",
        "postmortem draft is up",
    ]
    until = datetime(2026, 3, 4, 14, 1, 35, tzinfo=UTC)
    early = list(slack.parse(Source(EXPORT), ParseOptions(until=until)))
    assert len(early) == 4
    assert all(e.at <= until for e in early)


def test_window_skips_day_files_far_outside_it(tmp_path: Path) -> None:
    folder = tmp_path / "export"
    shutil.copytree(EXPORT, folder)
    (folder / "general" / "2025-01-01.json").write_text("not json at all")
    late = ParseOptions(since=datetime(2026, 3, 1, tzinfo=UTC))
    assert len(list(slack.parse(Source(folder), late))) == 18
    with pytest.raises(SourceError, match="not valid JSON"):
        list(slack.parse(Source(folder), ParseOptions()))


def test_a_single_day_file_takes_its_folder_as_channel() -> None:
    source = Source(INCIDENT_DAY)
    assert sources.detect(source) == "slack"
    events = list(sources.parse(source))
    assert {e.source_ref.split("/")[0] for e in events} == {"C01INC"}
    assert len(events) == 14
    assert any(e.text.startswith("@Tomasz Kowal on it") for e in events)


def test_text_rendering() -> None:
    state = slack._State(
        Source("x"),
        {"U1": slack._User("Ada Lovelace", "ada", False)},
        {"C1": "ops"},
        ParseOptions(),
    )
    cases = {
        "<@U1> hi": "@ada hi",
        "<@U1|old> hi": "@ada hi",
        "<@U2|bob> hi": "@bob hi",
        "<@U2>": "@U2",
        "<#C1>": "#ops",
        "<#C9|eng>": "#eng",
        "<!here> <!channel> <!everyone>": "@here @channel @everyone",
        "<!subteam^S1|@dba> <!subteam^S2>": "@dba @S2",
        "<!date^1700000000^{date}|14 Nov 2023>": "14 Nov 2023",
        "<https://a.example/x?a=1&amp;b=2|the panel>": "the panel (https://a.example/x?a=1&b=2)",
        "<https://a.example>": "https://a.example",
        "<https://a.example|a.example>": "a.example",
        "<mailto:x@y.example|x@y.example>": "x@y.example",
        "a &lt;b&gt; &amp;lt; c": "a <b> &lt; c",
        "5 < 6": "5 < 6",
        "<@U1": "<@U1",
    }
    for text, shown in cases.items():
        assert state.render(text) == shown, text


def write_export(folder: Path, day: object, users: object = None) -> Path:
    (folder / "ops").mkdir(parents=True)
    (folder / "users.json").write_text(json.dumps([] if users is None else users))
    (folder / "channels.json").write_text(json.dumps([{"id": "C1", "name": "ops"}]))
    (folder / "ops" / "2026-03-04.json").write_text(json.dumps(day))
    return folder


@pytest.mark.parametrize(
    ("day", "place"),
    [
        ({"ts": "1"}, "ops/2026-03-04.json: $: expected an array of messages"),
        ([1], "ops/2026-03-04.json: $[0]: expected a message object"),
        ([{"text": "x"}], "ops/2026-03-04.json: $[0]: ts: is missing"),
        ([{"ts": "soon", "text": "x"}], "ops/2026-03-04.json: $[0]: ts: expected an epoch"),
        ([{"ts": "1.5"}, {"ts": "2", "text": 5}], "$[1]: text: expected text, got int"),
        ([{"ts": "1", "user": ["U1"]}], "$[0]: user: expected a user id, got list"),
        ([{"ts": "9" * 30}], "$[0]: ts: the timestamp is out of range"),
    ],
)
def test_bad_messages_name_file_path_and_field(tmp_path: Path, day: object, place: str) -> None:
    folder = write_export(tmp_path / "export", day)
    with pytest.raises(SourceError) as caught:
        list(slack.parse(Source(folder), ParseOptions()))
    assert place in str(caught.value)


def test_bad_users_file_is_named(tmp_path: Path) -> None:
    folder = write_export(tmp_path / "export", [], users={"U1": {}})
    with pytest.raises(SourceError, match=r"users\.json: \$: expected an array of users"):
        list(slack.parse(Source(folder), ParseOptions()))


def test_broken_zip_is_a_source_error(tmp_path: Path) -> None:
    archive = zip_folder(EXPORT, tmp_path / "export.zip")
    data = bytearray(archive.read_bytes())
    data[len(data) // 2 : len(data) // 2 + 200] = b"\0" * 200
    archive.write_bytes(bytes(data))
    with pytest.raises(SourceError):
        list(slack.parse(Source(archive), ParseOptions()))


@pytest.mark.parametrize(
    "content",
    [
        b'{"type": "version", "version": 1}\n{"type": "team", "team": {"name": "x"}}\n',
        b'{"value": [{"id": "1", "messageType": "message", "createdDateTime": "2026"}]}',
        b'[{"ts": 1, "msg": "not slack"}]',
        b"14:02 <ada> hello\n",
        b"PK\x03\x04 not really a zip",
    ],
)
def test_other_inputs_are_not_claimed(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "input.json"
    path.write_bytes(content)
    assert slack.sniff(Source(path)) is False


def test_folder_without_channel_folders_is_not_claimed(tmp_path: Path) -> None:
    (tmp_path / "users.json").write_text("[]")
    assert slack.sniff(Source(tmp_path)) is False


def test_generated_export_streams_every_message(tmp_path: Path) -> None:
    from benchmarks.slack_export import generate

    path = generate(tmp_path / "gen.zip", 3000, channels=5, seed=7, zip=True)
    events = list(sources.parse(Source(path)))
    with zipfile.ZipFile(path) as archive:
        days = [n for n in archive.namelist() if n.count("/") == 1]
        stored = [m for n in days for m in json.loads(archive.read(n))]
    deleted = sum(1 for m in stored if m.get("subtype") == "tombstone")
    assert len(stored) == 3000
    assert len(events) == 3000 - deleted
    assert len({e.source_ref for e in events}) == len(events)
    assert all(e.actor for e in events)


# --- fuzzing ---------------------------------------------------------------------------------

KEYS = [
    "ts",
    "text",
    "user",
    "subtype",
    "bot_id",
    "files",
    "file",
    "attachments",
    "edited",
    "user_profile",
    "bot_profile",
    "username",
    "message",
    "id",
    "name",
    "profile",
    "real_name",
    "is_bot",
    "fields",
    "title",
    "fallback",
]
JSONISH = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=20)
    | st.sampled_from(["1772632800.5", "<@U1|x> &amp; <#C1>", "bot_message", "tombstone"]),
    lambda children: (
        st.lists(children, max_size=5)
        | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=5), children, max_size=6)
    ),
    max_leaves=25,
)
FUZZ = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def run(source: Source) -> None:
    try:
        for event in slack.parse(source, ParseOptions()):
            json.dumps([event.raw, event_json(event)])
    except SourceError:
        pass


@FUZZ
@given(data=st.binary(max_size=300))
def test_fuzz_bytes(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "input.json"
    path.write_bytes(data)
    slack.sniff(Source(path))
    run(Source(path))


@FUZZ
@given(day=JSONISH, users=JSONISH, channels=JSONISH)
def test_fuzz_json_structures(tmp_path: Path, day: object, users: object, channels: object) -> None:
    folder = tmp_path / "export"
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "ops").mkdir(parents=True)
    (folder / "users.json").write_text(json.dumps(users))
    (folder / "channels.json").write_text(json.dumps(channels))
    (folder / "ops" / "2026-03-04.json").write_text(json.dumps([day, day]))
    assert slack.sniff(Source(folder))
    run(Source(folder))


@FUZZ
@given(day=JSONISH)
def test_fuzz_single_messages(tmp_path: Path, day: object) -> None:
    path = tmp_path / "ops" / "2026-03-04.json"
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(day if isinstance(day, list) else [day]))
    run(Source(path))


@FUZZ
@given(st.data())
def test_fuzz_mutated_fixture(tmp_path: Path, data: st.DataObject) -> None:
    original = INCIDENT_DAY.read_bytes()
    mutated = bytearray(original)
    for _ in range(data.draw(st.integers(1, 8))):
        position = data.draw(st.integers(0, len(mutated) - 1))
        mutated[position] = data.draw(st.integers(0, 255))
    path = tmp_path / "inc-checkout-latency" / "2026-03-04.json"
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(bytes(mutated))
    run(Source(path))


@FUZZ
@given(st.data())
def test_fuzz_mutated_zip(tmp_path: Path, data: st.DataObject) -> None:
    archive = tmp_path / "export.zip"
    if not archive.exists():
        zip_folder(EXPORT, archive)
    mutated = bytearray(archive.read_bytes())
    for _ in range(data.draw(st.integers(1, 4))):
        position = data.draw(st.integers(0, len(mutated) - 1))
        mutated[position] = data.draw(st.integers(0, 255))
    path = tmp_path / "mutated.zip"
    path.write_bytes(bytes(mutated))
    # A sniffer never raises, except to refuse an archive too big to look into (a header that
    # now claims a member inflating past the limits): a located message, never a crash.
    with contextlib.suppress(ArchiveRefused):
        slack.sniff(Source(path))
    run(Source(path))


def test_numbers_past_the_int_limit_are_source_errors(tmp_path: Path) -> None:
    folder = write_export(tmp_path / "export", [])
    (folder / "ops" / "2026-03-04.json").write_text('[{"ts": ' + "1" * 5000 + "}]")
    with pytest.raises(SourceError, match=r"2026-03-04\.json: not valid JSON"):
        list(slack.parse(Source(folder), ParseOptions()))
    (folder / "ops" / "2026-03-04.json").write_text("[]")
    (folder / "users.json").write_text("[" * 100000)
    with pytest.raises(SourceError, match=r"users\.json: JSON nested too deeply"):
        list(slack.parse(Source(folder), ParseOptions()))


def test_edit_records_and_unlisted_channel_folders(tmp_path: Path) -> None:
    day = [
        {
            "type": "message",
            "subtype": "message_changed",
            "ts": "1772632900.000200",
            "message": {"type": "message", "user": "U1", "text": "fixed <@U1>", "ts": "1"},
            "previous_message": {"type": "message", "user": "U1", "text": "fxed"},
        }
    ]
    users = [{"id": "U1", "name": "ada", "profile": {"real_name": "Ada Byron"}}]
    folder = write_export(tmp_path / "export", day, users=users)
    (folder / "war-room").mkdir()
    (folder / "war-room" / "2026-03-04.json").write_text(
        json.dumps([{"type": "message", "user": "U1", "text": "here", "ts": "1772632901.5"}])
    )
    source = Source(folder)
    events = sorted(slack.parse(source, ParseOptions()), key=lambda e: e.at)
    assert [(e.source_ref, e.actor, e.text) for e in events] == [
        ("C1/1772632900.000200", "Ada Byron", "fixed @Ada Byron (edited)"),
        ("war-room/1772632901.5", "Ada Byron", "here"),
    ]
    assert events[1].at == datetime(2026, 3, 4, 14, 1, 41, 500000, tzinfo=UTC)
    assert events[0].raw is not None
    assert events[0].raw["previous_message"]["text"] == "fxed"
    assert events[0].raw["channel"] == "ops"
    assert source.warnings == [
        f"{folder}: channel folder 'war-room' is not listed in channels.json"
    ]
