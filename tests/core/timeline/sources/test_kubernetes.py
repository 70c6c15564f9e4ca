"""The Kubernetes importer: `kubectl get events -o json` in its shapes and both Event APIs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from secondstory.core.timeline.event import event_json
from secondstory.core.timeline.sources import kubernetes
from secondstory.core.timeline.sources.base import ParseOptions, Source, SourceError
from tests.core.timeline.sources import support

FIXTURES = support.FIXTURES / "kubernetes"
CASES = ["core-v1-list", "events-v1-list", "watch"]


def _expected(name: str) -> list[dict[str, Any]]:
    return support.read_expected(FIXTURES / f"{name}.expected.jsonl")


def _parse(path: Path) -> list[Any]:
    return support.run(kubernetes, path)[0]


@pytest.mark.parametrize("name", CASES)
def test_fixture_gives_the_expected_events(name: str) -> None:
    events = support.assert_fixture(kubernetes, FIXTURES / f"{name}.json")
    assert len({e.source_ref for e in events}) == len(events)
    for event in events:
        assert isinstance(event.raw, dict)
        json.dumps(event.raw)


@pytest.mark.parametrize("name", CASES)
def test_fixture_is_detected_as_kubernetes(name: str) -> None:
    assert support.detect(Source(FIXTURES / f"{name}.json")) == "kubernetes"


def test_warnings_are_alerts_with_a_signal_and_repeats_are_counted() -> None:
    events = {e.source_ref: e for e in _parse(FIXTURES / "core-v1-list.json")}
    backoff = events["8c1f2e3d-4b5a-4c6d-8e7f-901a2b3c0002"]
    assert backoff.kind == "alert"
    assert backoff.signal == "backoff"
    assert backoff.state == ""
    assert backoff.text.endswith("(×14 until 2024-01-15T08:06:40Z)")
    assert backoff.actor == "kubelet"
    assert backoff.raw is not None and backoff.raw["count"] == 14
    scaled = events["8c1f2e3d-4b5a-4c6d-8e7f-901a2b3c0001"]
    assert (scaled.kind, scaled.signal) == ("change", "")


def test_unset_times_fall_back_to_the_creation_time() -> None:
    events = {e.source_ref: e for e in _parse(FIXTURES / "core-v1-list.json")}
    assert events["8c1f2e3d-4b5a-4c6d-8e7f-901a2b3c0003"].at.isoformat() == (
        "2024-01-15T07:53:00+00:00"
    )


def test_micro_time_and_series_of_the_events_api() -> None:
    probe = _parse(FIXTURES / "events-v1-list.json")[0]
    assert probe.at.isoformat() == "2024-01-15T08:10:01.734512+00:00"
    assert "×6 until 2024-01-15T08:14:31.002211Z" in probe.text


def test_a_watch_stream_keeps_the_latest_version_of_each_event() -> None:
    events = _parse(FIXTURES / "watch.json")
    node = next(e for e in events if e.text.startswith("Node/"))
    assert "(×3 until" in node.text
    assert node.raw is not None and node.raw["count"] == 3
    killing = next(e for e in events if "Killing" in e.text)
    assert killing.at.isoformat() == "2024-01-15T08:21:15+01:00"


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ('{"kind": "List", "items": [3]}', "k.json:1: $.items[0]: item: expected an object"),
        ('{"kind": "List", "items": {"a": 1}}', "k.json:1: $.items: items: expected a list"),
        (
            '{"kind": "Event", "involvedObject": {"kind": "Pod"}, "reason": "X"}',
            "k.json:1: $: eventTime: no time",
        ),
        (
            '{"kind": "Event", "firstTimestamp": "soon", "involvedObject": {}}',
            "k.json:1: $.firstTimestamp: firstTimestamp: not an ISO 8601 timestamp",
        ),
        (
            '{"kind": "Event", "eventTime": "2024-01-15T08:00:00Z", "count": true}',
            "k.json:1: $.count: count: expected a whole number",
        ),
        ('{"items": [', "k.json:1: not valid JSON"),
    ],
)
def test_bad_events_name_the_place_and_field(tmp_path: Path, document: str, expected: str) -> None:
    path = tmp_path / "k.json"
    path.write_text(document)
    with pytest.raises(SourceError) as caught:
        _parse(path)
    assert str(caught.value).startswith(expected)


def test_objects_that_are_not_events_are_skipped_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "pods.json"
    path.write_text('{"kind": "List", "items": [{"kind": "Pod", "metadata": {"name": "p"}}]}')
    source = Source(path, name="pods.json")
    assert list(kubernetes.parse(source, ParseOptions())) == []
    assert source.warnings == ["pods.json:1: a 'Pod' object, not an Event; skipped"]


# --- never anything but SourceError ---------------------------------------------------------

_json = support.json_values(key_size=12, dict_size=5, max_leaves=25)
_KEYS = [
    "kind",
    "items",
    "metadata",
    "uid",
    "involvedObject",
    "regarding",
    "reason",
    "message",
    "note",
    "type",
    "object",
    "eventTime",
    "firstTimestamp",
    "lastTimestamp",
    "count",
    "series",
    "lastObservedTime",
    "source",
    "deprecatedSource",
    "reportingController",
    "creationTimestamp",
]


def _run(data: bytes) -> None:
    support.parses_or_fails_cleanly(kubernetes, data, name="fuzz.json")


@support.FUZZ
@given(data=st.binary(max_size=1000))
def test_fuzz_arbitrary_bytes(data: bytes) -> None:
    _run(data)


@support.FUZZ
@given(shape=support.json_objects(_KEYS, _json, max_size=8))
def test_fuzz_json_shapes(shape: dict[str, Any]) -> None:
    _run(json.dumps(shape).encode())
    _run(json.dumps({"kind": "EventList", "items": [shape]}).encode())


_DOCUMENTS = support.fixture_documents(
    FIXTURES / f"{name}.json" for name in ("core-v1-list", "events-v1-list")
)


@support.FUZZ
@given(document=support.replaced_documents(_DOCUMENTS, _json, depth=5))
def test_fuzz_mutated_fixtures(document: Any) -> None:
    _run(json.dumps(document).encode())


def test_utf16_output_of_windows_powershell_is_read(tmp_path: Path) -> None:
    path = tmp_path / "events.json"
    text = (FIXTURES / "core-v1-list.json").read_text(encoding="utf-8")
    path.write_bytes(text.encode("utf-16"))
    assert kubernetes.sniff(Source(path))
    assert [event_json(e) for e in _parse(path)] == _expected("core-v1-list")
