"""The generic JSON lines importer, and the round trip through `parse --format jsonl`."""

from __future__ import annotations

import importlib
import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from secondstory.core.timeline.event import TimelineEvent, event_json
from secondstory.core.timeline.sources import jsonl
from secondstory.core.timeline.sources.base import ParseOptions, Source, SourceError, Where
from tests.core.timeline.sources import support

FIXTURES = support.FIXTURES
CASES: list[tuple[str, ParseOptions]] = [
    ("printed", ParseOptions()),
    ("handwritten", ParseOptions(tz=ZoneInfo("America/Sao_Paulo"))),
]


def _expected(name: str) -> list[dict[str, Any]]:
    return support.read_expected(FIXTURES / "jsonl" / f"{name}.expected.jsonl")


def _parse(path: Path, options: ParseOptions | None = None) -> list[TimelineEvent]:
    return support.run(jsonl, path, options)[0]


@pytest.mark.parametrize(("name", "options"), CASES)
def test_fixture_gives_the_expected_events(name: str, options: ParseOptions) -> None:
    events = support.assert_fixture(jsonl, FIXTURES / "jsonl" / f"{name}.jsonl", options)
    assert len({e.ref for e in events}) == len(events)
    for event in events:
        assert isinstance(event.raw, dict)
        json.dumps(event.raw)


@pytest.mark.parametrize(("name", "options"), CASES)
def test_fixture_is_detected_as_jsonl(name: str, options: ParseOptions) -> None:
    assert support.detect(Source(FIXTURES / "jsonl" / f"{name}.jsonl")) == "jsonl"


def test_printed_lines_restore_the_original_offset() -> None:
    events = _parse(FIXTURES / "jsonl" / "printed.jsonl")
    assert [e.at.utcoffset() for e in events] == [
        timedelta(hours=1),
        timedelta(hours=5, minutes=30),
        timedelta(hours=-8),
    ]
    assert events[2].at.isoformat() == "2024-01-14T23:49:02.125000-08:00"
    assert (events[2].source, events[2].actor_role) == ("slack", "Incident commander")


def _write(path: Path, events: list[TimelineEvent]) -> None:
    lines = [json.dumps(event_json(e), ensure_ascii=False) for e in events]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.parametrize(
    ("folder", "name", "fmt"),
    [
        ("gitlog", "default.log", "gitlog"),
        ("kubernetes", "core-v1-list.json", "kubernetes"),
        ("github", "mixed.jsonl", "github"),
        ("csv", "bom-comma.csv", "csv"),
    ],
)
def test_round_trip_of_other_formats(tmp_path: Path, folder: str, name: str, fmt: str) -> None:
    importer = importlib.import_module(f"secondstory.core.timeline.sources.{fmt}")
    original = list(importer.parse(Source(FIXTURES / folder / name), ParseOptions()))
    assert original
    _write(tmp_path / "printed.jsonl", original)
    again = _parse(tmp_path / "printed.jsonl")
    assert [event_json(e) for e in again] == [event_json(e) for e in original]
    for before, after in zip(original, again, strict=True):
        assert after.at == before.at
        assert after.at.utcoffset() == before.at.utcoffset()
        assert (after.source, after.source_ref, after.kind) == (
            before.source,
            before.source_ref,
            before.kind,
        )
    _write(tmp_path / "twice.jsonl", again)
    assert (tmp_path / "twice.jsonl").read_bytes() == (tmp_path / "printed.jsonl").read_bytes()


@given(
    seconds=st.integers(min_value=0, max_value=4_000_000_000),
    micros=st.integers(min_value=0, max_value=999_999),
    offset=st.integers(min_value=-18 * 60 + 1, max_value=18 * 60 - 1),
    text=st.text(min_size=1, max_size=40).filter(lambda t: t.strip()),
    actor=st.text(max_size=20),
)
@settings(max_examples=200, deadline=None)
def test_round_trip_keeps_instant_and_offset(
    seconds: int, micros: int, offset: int, text: str, actor: str
) -> None:
    moment = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=seconds, microseconds=micros)
    event = TimelineEvent(
        at=moment.astimezone(timezone(timedelta(minutes=offset))),
        kind="chat",
        source="slack",
        source_ref=f"C1/{seconds}",
        text=text,
        actor=" ".join(actor.split()),
    )
    line = json.dumps(event_json(event))
    obj = json.loads(line)
    source = Source("round.jsonl")
    seen: dict[str, int] = {}
    again = jsonl._event(obj, Where("round.jsonl", 1), source, ParseOptions(), seen)
    assert again is not None
    assert event_json(again) == event_json(event)
    assert again.at.utcoffset() == event.at.utcoffset()


def test_lines_without_source_get_stable_hashed_refs() -> None:
    first = [e.source_ref for e in _parse(FIXTURES / "jsonl" / "handwritten.jsonl", CASES[1][1])]
    second = [e.source_ref for e in _parse(FIXTURES / "jsonl" / "handwritten.jsonl", CASES[1][1])]
    assert first == second
    assert first[1] == "synth-551"
    assert first[3] == first[2] + "#2"


def test_the_time_window_is_applied_without_shifting_refs() -> None:
    options = ParseOptions(
        tz=ZoneInfo("America/Sao_Paulo"), since=datetime(2024, 1, 15, 11, 0, tzinfo=UTC)
    )
    refs = [e.source_ref for e in _parse(FIXTURES / "jsonl" / "handwritten.jsonl", options)]
    everything = [
        e.source_ref for e in _parse(FIXTURES / "jsonl" / "handwritten.jsonl", CASES[1][1])
    ]
    assert refs == everything[2:4]  # 11:52 twice; 07:42, 07:50 and 09:10 are outside


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("[1]", "l.jsonl:1: line: expected a JSON object, got list"),
        ('{"text": "x"}', "l.jsonl:1: at: no time"),
        ('{"at": "2024-01-01T00:00:00Z"}', "l.jsonl:1: text: no text"),
        ('{"at": "noon", "text": "x"}', "l.jsonl:1: at: not an ISO 8601 timestamp"),
        ('{"at": "2024-01-01T00:00:00", "text": "x"}', "l.jsonl:1: at: '2024-01-01T00:00:00'"),
        ('{"at": "2024-01-01T00:00:00Z", "offset": "+5h", "text": "x"}', "l.jsonl:1: offset:"),
        ('{"at": "2024-01-01T00:00:00Z", "text": ["x"]}', "l.jsonl:1: $.text: text: expected text"),
        ('{"at": 1e400, "text": "x"}', "l.jsonl:1: at: "),
        ('{"at": "2024-01-01T00:00:00Z", "text": "x"', "l.jsonl:1: not valid JSON"),
        ('{"ts": ' + "9" * 5000 + ', "text": "x"}', "l.jsonl:1: not valid JSON"),
    ],
)
def test_bad_lines_name_line_and_field(tmp_path: Path, line: str, expected: str) -> None:
    path = tmp_path / "l.jsonl"
    path.write_text(line + "\n")
    with pytest.raises(SourceError) as caught:
        _parse(path)
    assert str(caught.value).startswith(expected)


@pytest.mark.parametrize(
    "line",
    [
        '{"type": "version", "version": 1}',
        '{"type": "post", "post": {"create_at": 1705304531000, "message": "hi"}}',
        '{"action": "created", "deployment": {"created_at": "2024-01-01T00:00:00Z"}}',
        '{"type": "trigger_log_entry", "created_at": "2024-01-01T00:00:00Z", "summary": "x"}',
        '{"alert": {"message": "x"}, "action": "Create", "timestamp": 1}',
        '{"time": "2024-01-01T00:00:00Z"}',
        "not json at all",
    ],
)
def test_other_formats_are_not_claimed(tmp_path: Path, line: str) -> None:
    path = tmp_path / "other.jsonl"
    path.write_text(line + "\n")
    assert not jsonl.sniff(Source(path))


# --- never anything but SourceError ---------------------------------------------------------

_json = support.json_values(key_size=12, dict_size=5, max_leaves=20)
_KEYS = [*jsonl.TIME_KEYS, *jsonl.TEXT_KEYS, *jsonl.ACTOR_KEYS, *jsonl.KIND_KEYS, "offset"]
_KEYS += ["source", "source_ref", "id", "actor_role", "evidence_url", "starred"]


def _run(data: bytes) -> None:
    options = ParseOptions(tz=ZoneInfo("Asia/Kolkata"))
    support.parses_or_fails_cleanly(jsonl, data, options, name="fuzz.jsonl")


@support.FUZZ
@given(data=st.binary(max_size=1000))
def test_fuzz_arbitrary_bytes(data: bytes) -> None:
    _run(data)


@support.FUZZ
@given(lines=st.lists(st.dictionaries(st.sampled_from(_KEYS), _json, max_size=8), max_size=5))
def test_fuzz_json_shapes(lines: list[dict[str, Any]]) -> None:
    _run("\n".join(json.dumps(line) for line in lines).encode())


_SEED = support.fixture_documents(FIXTURES / "jsonl" / f"{name}.jsonl" for name, _ in CASES)


@support.FUZZ
@given(
    which=st.integers(min_value=0, max_value=len(_SEED) - 1),
    key=st.sampled_from(_KEYS),
    replacement=_json,
)
def test_fuzz_mutated_fixtures(which: int, key: str, replacement: Any) -> None:
    _run(json.dumps({**_SEED[which], key: replacement}).encode())


def test_a_printed_event_repeated_is_kept_once(tmp_path: Path) -> None:
    printed = (FIXTURES / "jsonl" / "printed.jsonl").read_text(encoding="utf-8")
    path = tmp_path / "joined.jsonl"
    path.write_text(printed + printed, encoding="utf-8")
    source = Source(path, name="joined.jsonl")
    events = list(jsonl.parse(source, ParseOptions()))
    assert [event_json(e) for e in events] == _expected("printed")
    assert source.warnings[0] == (
        "joined.jsonl:4: git:9c1e4b7a2f0d3e8b6a5c4d3e2f1a0b9c8d7e6f5a repeats an earlier line; "
        "skipped"
    )
    assert source.warning_count == 3


def test_generic_chat_lines_with_a_channel_are_claimed(tmp_path: Path) -> None:
    path = tmp_path / "chat.jsonl"
    path.write_text('{"ts": 1705304531, "user": "ines", "text": "on it", "channel": "#ops"}\n')
    assert jsonl.sniff(Source(path))
    (event,) = _parse(path)
    assert (event.kind, event.actor, event.at.isoformat()) == (
        "observation",
        "ines",
        "2024-01-15T07:42:11+00:00",
    )
