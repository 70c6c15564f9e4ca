"""Atlassian Statuspage incidents and webhooks."""

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
from secondstory.core.timeline.sources import statuspage as importer
from secondstory.core.timeline.sources.base import ParseOptions, Source, SourceError

FORMAT = "statuspage"
FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "sources" / FORMAT
INPUTS = ["incident.json", "incidents.json", "webhooks.jsonl"]
ALERT_FORMATS = ("pagerduty", "opsgenie", "alertmanager", "grafana", "statuspage")
KEYS = [
    "id",
    "name",
    "status",
    "impact",
    "shortlink",
    "page_id",
    "page",
    "incidents",
    "incident",
    "meta",
    "incident_updates",
    "body",
    "created_at",
    "display_at",
    "affected_components",
    "code",
    "old_status",
    "new_status",
    "component_update",
    "component",
    "component_id",
]
SCRATCH = Path(tempfile.mkdtemp(prefix="secondstory-statuspage-"))
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
        value = {"impact": "minor", "incident_updates": [value]}
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


def test_updates_states_offsets_and_components() -> None:
    events, _ = run(FIXTURES / "incident.json")
    investigating, identified, monitoring, resolved = events
    assert all(e.kind == "comms" for e in events)
    assert [e.state for e in events] == ["", "", "", "resolved"]
    assert {e.signal for e in events} == {"cardpaymentsfailingineurope"}
    # display_at wins over created_at and keeps its own offset.
    assert investigating.utc_offset_minutes == 60
    assert investigating.at == datetime(2026, 3, 4, 14, 14, 2, 125000, tzinfo=UTC)
    # no display_at: created_at
    assert identified.at == datetime(2026, 3, 4, 14, 22, 31, tzinfo=UTC)
    assert "<strong>" not in investigating.text and "looking into it." in investigating.text
    assert "A rollback is in progress." in identified.text.splitlines()
    assert "partial outage → degraded performance" in monitoring.text
    assert resolved.evidence_url == "https://stspg.io/nw4127"
    assert resolved.raw is not None and resolved.raw["id"] == "u4res0000004"
    assert (resolved.actor, resolved.actor_role) == ("Statuspage", "status page")


def test_incident_list_names_the_page() -> None:
    events, _ = run(FIXTURES / "incidents.json")
    assert {e.actor for e in events} == {"Northwind Payments"}
    assert [e.text.split(":")[0] for e in events[4:]] == ["Scheduled", "In progress", "Completed"]


def test_component_update_webhook() -> None:
    events, _ = run(FIXTURES / "webhooks.jsonl")
    component = events[1]
    assert component.kind == "status"
    assert component.text == "Component Card payments: operational → partial outage"
    assert component.source_ref == "component/cu9k2m1x"


def test_the_same_update_twice_is_one_event() -> None:
    events, _ = run(
        write("twice.json", json.dumps([json.loads((FIXTURES / "incident.json").read_text())] * 2))
    )
    assert len(events) == 4


def test_bad_time_names_the_path() -> None:
    incident = json.loads((FIXTURES / "incident.json").read_text(encoding="utf-8"))
    incident["incident_updates"][1]["created_at"] = "2026-13-40T00:00:00Z"
    with pytest.raises(SourceError) as caught:
        run(write("incident.json", json.dumps(incident)))
    assert str(caught.value).startswith("incident.json: $.incident_updates[1].created_at: ")


def test_unknown_update_status_is_kept_with_a_warning() -> None:
    incident = json.loads((FIXTURES / "incident.json").read_text(encoding="utf-8"))
    incident["incident_updates"][0]["status"] = "pondering"
    events, source = run(write("odd.json", json.dumps(incident)))
    assert events[0].text.startswith("Pondering: ")
    assert source.warnings == [
        "odd.json: $.incident_updates[0]: unknown incident update status 'pondering'"
    ]


@pytest.mark.parametrize(
    "content",
    [b"", b"words\n", b'{"incidents": [{"id": 1}]}', b'{"incident": {"title": "x"}}'],
)
def test_sniff_declines_other_inputs(content: bytes) -> None:
    assert importer.sniff(Source(write("other.txt", content))) is False


def test_scheduled_maintenances_list() -> None:
    listing = json.loads((FIXTURES / "incidents.json").read_text(encoding="utf-8"))
    path = write(
        "maint.json",
        json.dumps({"page": listing["page"], "scheduled_maintenances": listing["incidents"][1:]}),
    )
    assert importer.sniff(Source(path))
    events, _ = run(path)
    assert [e.source_ref for e in events] == ["m1u1", "m1u2", "m1u3"]


def claimed_by(path: Path) -> list[str]:
    source = Source(path)
    return [
        fmt
        for fmt in ALERT_FORMATS
        if importlib.import_module(f"secondstory.core.timeline.sources.{fmt}").sniff(source)
    ]


def test_an_incident_larger_than_the_head_is_claimed() -> None:
    incident = json.loads((FIXTURES / "incident.json").read_text(encoding="utf-8"))
    update = incident["incident_updates"][0]
    incident["incident_updates"] = [dict(update, id=f"u{i:05d}") for i in range(100)]
    path = write("large.json", json.dumps(incident, indent=2))
    assert path.stat().st_size > 16384
    assert claimed_by(path) == [FORMAT]
    assert len(run(path)[0]) == 100
