"""Grafana alerting webhook notifications: unified and legacy."""

from __future__ import annotations

import atexit
import copy
import importlib
import json
import shutil
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
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
from secondstory.core.timeline.sources import grafana as importer
from secondstory.core.timeline.sources.base import ParseOptions, Source, SourceError

FORMAT = "grafana"
FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "sources" / FORMAT
INPUTS = ["unified.json", "legacy-captured.jsonl"]
ALERT_FORMATS = ("pagerduty", "opsgenie", "alertmanager", "grafana", "statuspage")
KEYS = [
    "version",
    "groupKey",
    "status",
    "receiver",
    "orgId",
    "title",
    "state",
    "message",
    "alerts",
    "labels",
    "annotations",
    "startsAt",
    "endsAt",
    "values",
    "dashboardURL",
    "panelURL",
    "fingerprint",
    "evalMatches",
    "metric",
    "value",
    "tags",
    "ruleId",
    "ruleName",
    "ruleUrl",
    "received_at",
    "body",
    "payload",
    "timestamp",
]
SCRATCH = Path(tempfile.mkdtemp(prefix="secondstory-grafana-"))
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
            "received_at": "2026-03-04T14:00:00Z",
            "body": {"ruleId": 1, "ruleName": "r", "state": "alerting", "evalMatches": [value]},
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


def test_legacy_bare_payload_is_claimed_but_needs_a_capture_time() -> None:
    path = FIXTURES / "legacy-bare.json"
    assert importer.sniff(Source(path))
    with pytest.raises(SourceError) as caught:
        run(path)
    message = str(caught.value)
    assert message.startswith("legacy-bare.json: $.received_at: ")
    assert "legacy Grafana webhooks carry no timestamp" in message


def test_unified_signal_state_values_and_panel_link() -> None:
    events, _ = run(FIXTURES / "unified.json")
    firing, resolved = events
    assert (firing.signal, firing.state) == ("warehouseapilatency", "firing")
    assert (resolved.signal, resolved.state) == ("warehouseapilatency", "resolved")
    assert firing.utc_offset_minutes == 330
    assert firing.at == datetime(2026, 3, 4, 14, 5, 2, 417000, tzinfo=UTC)
    assert "A=1.734" in firing.text
    assert firing.evidence_url.endswith("viewPanel=4")
    assert firing.raw is not None and firing.raw["fingerprint"] == "4f0c7be81a2d3e96"
    assert firing.source_ref != resolved.source_ref


def test_legacy_states_times_and_warnings() -> None:
    events, source = run(FIXTURES / "legacy-captured.jsonl")
    assert [(e.kind, e.state) for e in events] == [
        ("alert", "firing"),
        ("alert", ""),
        ("alert", "resolved"),
        ("observation", ""),
    ]
    assert {e.signal for e in events} == {"pickingqueuedepth"}
    assert events[1].at == datetime(2026, 3, 4, 14, 15, tzinfo=UTC)
    assert events[2].utc_offset_minutes == 60
    assert events[0].raw is not None and events[0].raw["ruleId"] == 27
    assert "site=leeds" in events[0].text
    assert source.warnings == [
        "legacy-captured.jsonl:4: $.body: unknown legacy alert state 'flapping'; "
        "kept as an observation"
    ]


def test_the_same_signal_as_alertmanager_and_pagerduty() -> None:
    events, _ = run(FIXTURES / "unified.json")
    title = "[FIRING:1] Warehouse API latency Fulfilment (warning wh-api-2)"
    from secondstory.core.timeline.sources.base import signal_key

    assert signal_key(title) != ""
    assert events[0].signal == signal_key("Warehouse API latency")


def test_captured_body_as_text_must_be_an_object() -> None:
    path = write(
        "text-body.jsonl", json.dumps({"received_at": "2026-03-04T14:00:00Z", "body": "{"})
    )
    with pytest.raises(SourceError, match=r"text-body.jsonl:1: not valid JSON"):
        run(path)


@pytest.mark.parametrize(
    "content",
    [b"", b"plain words\n", b'{"alerts": [], "groupKey": "g", "version": "4"}', b"\x00\x01"],
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


def test_a_notification_larger_than_the_head_is_claimed() -> None:
    group = json.loads((FIXTURES / "unified.json").read_text(encoding="utf-8"))[0]
    alert = group["alerts"][0]
    alerts = [dict(alert, fingerprint=f"{i:016x}") for i in range(200)]
    ordered = {"receiver": group["receiver"], "status": "firing", "alerts": alerts}
    ordered.update((k, v) for k, v in group.items() if k not in ordered)
    path = write("large.json", json.dumps(ordered, indent=2))
    assert path.stat().st_size > 16384
    assert claimed_by(path) == [FORMAT]
    events, _ = run(path)
    assert len(events) == 200


def test_values_that_are_not_numbers_stay_standard_json() -> None:
    group = json.loads((FIXTURES / "unified.json").read_text(encoding="utf-8"))[0]
    text = json.dumps(group).replace('"A": 1.734', '"A": NaN').replace('"B": 1', '"B": 1e999')
    events, _ = run(write("nan.json", text))
    assert events[0].raw is not None
    assert events[0].raw["values"] == {"A": "NaN", "B": "1e999"}
    assert "A=NaN, B=1e999" in events[0].text
    json.dumps(events[0].raw, allow_nan=False)
