"""PagerDuty V3 webhooks and incident log entries."""

from __future__ import annotations

import atexit
import copy
import importlib
import json
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from secondstory.core.taxonomy import (
    MAX_ACTOR,
    MAX_ROLE,
    MAX_SOURCE_REF,
    MAX_URL,
    TIMELINE_KINDS,
)
from secondstory.core.timeline.event import TimelineEvent, event_json
from secondstory.core.timeline.sources import pagerduty as importer
from secondstory.core.timeline.sources.base import ParseOptions, Source, SourceError

FORMAT = "pagerduty"
FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "sources" / FORMAT
INPUTS = ["webhooks.jsonl", "log_entries.json"]
ALERT_FORMATS = ("pagerduty", "opsgenie", "alertmanager", "grafana", "statuspage")
KEYS = [
    "event",
    "id",
    "event_type",
    "resource_type",
    "occurred_at",
    "agent",
    "summary",
    "type",
    "data",
    "incident",
    "title",
    "number",
    "html_url",
    "service",
    "assignees",
    "priority",
    "urgency",
    "content",
    "message",
    "log_entries",
    "log_entry",
    "created_at",
    "channel",
    "note",
    "user",
]
SCRATCH = Path(tempfile.mkdtemp(prefix="secondstory-pagerduty-"))
atexit.register(shutil.rmtree, SCRATCH, ignore_errors=True)


# --- shared checks -----------------------------------------------------------------------------


def run(path: Path, options: ParseOptions | None = None) -> tuple[list[TimelineEvent], Source]:
    source = Source(path, name=path.name)
    return list(importer.parse(source, options or ParseOptions())), source


def write(name: str, content: str | bytes) -> Path:
    path = SCRATCH / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def expected(name: str) -> list[dict[str, Any]]:
    lines = (FIXTURES / name).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def check_event(event: TimelineEvent) -> None:
    assert event.kind in TIMELINE_KINDS
    assert event.source == FORMAT
    assert event.at.utcoffset() is not None
    assert 0 < len(event.source_ref) <= MAX_SOURCE_REF
    assert len(event.actor) <= MAX_ACTOR and len(event.actor_role) <= MAX_ROLE
    assert len(event.evidence_url) <= MAX_URL
    assert event.state in ("", "firing", "acknowledged", "resolved")
    json.dumps(event.raw, allow_nan=False)
    json.dumps(event_json(event))


def parses_or_fails_cleanly(path: Path) -> None:
    source = Source(path, name=path.name)
    importer.sniff(source)
    try:
        events = list(importer.parse(source, ParseOptions()))
    except SourceError as exc:
        assert str(exc).startswith(path.name)
        return
    refs = [event.source_ref for event in events]
    assert len(refs) == len(set(refs))
    for event in events:
        check_event(event)


LEAF = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=20)
    | st.sampled_from(
        [
            "2026-03-04T14:02:11.123456789Z",
            "0001-01-01T00:00:00Z",
            "9999-12-31T23:59:59-18:00",
            "yesterday",
            "firing",
            "resolved",
            "4",
            1772632931512,
            1772632931544000000,
        ]
    )
)
JSONISH = st.recursive(
    LEAF,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=6), inner, max_size=6)
    ),
    max_leaves=30,
)
FUZZ = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def documents() -> list[Any]:
    """Every payload of every fixture input, for mutation."""
    found: list[Any] = []
    for name in INPUTS:
        text = (FIXTURES / name).read_text(encoding="utf-8")
        if name.endswith(".jsonl"):
            found.extend(json.loads(line) for line in text.splitlines() if line.strip())
        else:
            found.append(json.loads(text))
    return found


def places(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from places(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from places(item, (*prefix, index))


def mutated(document: Any, place: tuple[Any, ...], new: Any, delete: bool) -> Any:
    if not place:
        return new
    copied = copy.deepcopy(document)
    parent = copied
    for step in place[:-1]:
        parent = parent[step]
    if delete and isinstance(parent, dict):
        del parent[place[-1]]
    else:
        parent[place[-1]] = new
    return copied


@FUZZ
@given(st.binary(max_size=400))
def test_arbitrary_bytes_parse_or_raise_source_error(data: bytes) -> None:
    parses_or_fails_cleanly(write("fuzz.bin", data))


@FUZZ
@given(JSONISH, st.booleans())
def test_arbitrary_json_parses_or_raises_source_error(value: Any, as_group: bool) -> None:
    if as_group:
        value = {
            "event": {
                "id": "E1",
                "event_type": "incident.triggered",
                "occurred_at": "2026-03-04T14:00:00Z",
                "data": value,
            }
        }
    parses_or_fails_cleanly(write("fuzz.json", json.dumps(value)))


@FUZZ
@given(st.data())
def test_mutated_fixtures_parse_or_raise_source_error(data: st.DataObject) -> None:
    document = data.draw(st.sampled_from(documents()))
    place = data.draw(st.sampled_from(list(places(document))))
    changed = mutated(document, place, data.draw(JSONISH), data.draw(st.booleans()))
    parses_or_fails_cleanly(write("fuzz.jsonl", json.dumps(changed) + "\n" + json.dumps(document)))


# --- this format -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", INPUTS)
def test_fixture_gives_the_expected_events(name: str) -> None:
    events, _ = run(FIXTURES / name)
    assert [event_json(e) for e in events] == expected(name.split(".")[0] + ".expected.jsonl")


@pytest.mark.parametrize("name", INPUTS)
def test_only_this_importer_claims_the_fixture(name: str) -> None:
    source = Source(FIXTURES / name)
    claims = [
        fmt
        for fmt in ALERT_FORMATS
        if importlib.import_module(f"secondstory.core.timeline.sources.{fmt}").sniff(source)
    ]
    assert claims == [FORMAT]


def test_webhook_kinds_states_and_signals() -> None:
    events, source = run(FIXTURES / "webhooks.jsonl")
    assert [(e.kind, e.state) for e in events] == [
        ("page", "firing"),
        ("page", ""),
        ("action", "acknowledged"),
        ("status", ""),
        ("chat", ""),
        ("comms", ""),
        ("observation", ""),
        ("action", "resolved"),
    ]
    assert {e.signal for e in events} == {"checkouterrorbudgetburn"}
    escalated = events[1]
    assert (escalated.actor, escalated.actor_role) == ("PagerDuty", "paging")
    note = events[4]
    assert note.utc_offset_minutes == 330
    assert "<b>" not in note.text and "checkout-api to 2026.03.2 —" in note.text
    assert events[-1].at.microsecond == 918273 and events[-1].utc_offset_minutes == -300
    assert events[0].raw is not None and events[0].raw["event"]["id"] == events[0].source_ref
    assert events[0].evidence_url == "https://northwind.pagerduty.com/incidents/Q2NW8KJ5T3ZPQA"
    assert source.warnings == [
        "webhooks.jsonl:8: $.event: unknown PagerDuty event type 'incident.wobbled'; "
        "kept as an observation"
    ]


def test_a_retried_delivery_is_one_event() -> None:
    events, _ = run(FIXTURES / "webhooks.jsonl")
    refs = [e.source_ref for e in events]
    assert refs.count("01EVT0TRIG000000000000001") == 1
    assert len(refs) == len(set(refs))


def test_log_entries_kinds_and_actors() -> None:
    events, source = run(FIXTURES / "log_entries.json")
    assert [(e.kind, e.state) for e in events] == [
        ("page", "firing"),
        ("page", ""),
        ("page", ""),
        ("action", "acknowledged"),
        ("chat", ""),
        ("observation", ""),
        ("action", "resolved"),
        ("observation", ""),
    ]
    assert (events[0].actor, events[0].actor_role) == ("Checkout API", "integration")
    assert events[3].utc_offset_minutes == 60
    assert events[4].text.endswith("Rollback of checkout-api & cache flush under way")
    assert events[0].raw is not None and events[0].raw["id"] == "R1TRIG0000000001"
    assert len(source.warnings) == 1 and "mystery_log_entry" in source.warnings[0]


def test_bare_list_of_log_entries() -> None:
    response = json.loads((FIXTURES / "log_entries.json").read_text(encoding="utf-8"))
    path = write("bare.json", json.dumps(response["log_entries"][:3]))
    assert importer.sniff(Source(path))
    events, _ = run(path)
    assert [e.source_ref for e in events] == [
        "R1TRIG0000000001",
        "R2NOTIFY00000002",
        "R3ESC00000000003",
    ]


def test_missing_time_names_the_path() -> None:
    response = json.loads((FIXTURES / "log_entries.json").read_text(encoding="utf-8"))
    response["log_entries"][2]["created_at"] = None
    with pytest.raises(SourceError) as caught:
        run(write("entries.json", json.dumps(response)))
    assert str(caught.value) == "entries.json: $.log_entries[2].created_at: is missing"


def test_webhook_with_bad_time_names_line_and_path() -> None:
    lines = (FIXTURES / "webhooks.jsonl").read_text(encoding="utf-8").splitlines()
    broken = json.loads(lines[2])
    broken["event"]["occurred_at"] = "soon"
    lines[2] = json.dumps(broken)
    with pytest.raises(SourceError) as caught:
        run(write("hooks.jsonl", "\n".join(lines)))
    assert str(caught.value) == (
        "hooks.jsonl:3: $.event.occurred_at: not an ISO 8601 timestamp: 'soon'"
    )


@pytest.mark.parametrize(
    "content",
    [b"", b"words\n", b'{"event": "deploy"}', b'[{"type": "message", "ts": "1"}]'],
)
def test_sniff_declines_other_inputs(content: bytes) -> None:
    assert importer.sniff(Source(write("other.txt", content))) is False


def claimed_by(path: Path) -> list[str]:
    source = Source(path)
    return [
        fmt
        for fmt in ALERT_FORMATS
        if importlib.import_module(f"secondstory.core.timeline.sources.{fmt}").sniff(source)
    ]


def test_files_larger_than_the_head_are_claimed() -> None:
    response = json.loads((FIXTURES / "log_entries.json").read_text(encoding="utf-8"))
    entry = response["log_entries"][1]
    response["log_entries"] = [dict(entry, id=f"RN{i:08d}") for i in range(300)]
    path = write("large.json", json.dumps(response))
    assert path.stat().st_size > 16384
    assert claimed_by(path) == [FORMAT]
    assert len(run(path)[0]) == 300
    hook = json.loads((FIXTURES / "webhooks.jsonl").read_text(encoding="utf-8").splitlines()[0])
    hooks = [dict(hook, event=dict(hook["event"], id=f"EV{i:06d}")) for i in range(100)]
    pretty = write("large-array.json", json.dumps(hooks, indent=2))
    assert pretty.stat().st_size > 16384
    assert claimed_by(pretty) == [FORMAT]
    assert len(run(pretty)[0]) == 100
