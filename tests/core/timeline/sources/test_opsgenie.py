"""Opsgenie alert webhooks."""

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
from secondstory.core.timeline.sources import opsgenie as importer
from secondstory.core.timeline.sources.base import ParseOptions, Source, SourceError

FORMAT = "opsgenie"
FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "sources" / FORMAT
INPUTS = ["webhooks.json"]
ALERT_FORMATS = ("pagerduty", "opsgenie", "alertmanager", "grafana", "statuspage")
KEYS = [
    "action",
    "alert",
    "alertId",
    "message",
    "tags",
    "tinyId",
    "entity",
    "alias",
    "createdAt",
    "updatedAt",
    "username",
    "description",
    "priority",
    "note",
    "owner",
    "responder",
    "team",
    "source",
    "name",
    "type",
    "integrationName",
]
SCRATCH = Path(tempfile.mkdtemp(prefix="secondstory-opsgenie-"))
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
            "action": "Create",
            "alert": {"alertId": "a1", "createdAt": 1772632931512, "note": value},
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


def test_mixed_units_kinds_and_actors() -> None:
    events, source = run(FIXTURES / "webhooks.json")
    create, ack, note, snooze, unknown, close = events
    # createdAt is in milliseconds, updatedAt in nanoseconds: the action time is updatedAt.
    assert create.at == datetime(2026, 3, 4, 14, 2, 11, 544000, tzinfo=UTC)
    assert close.at == datetime(2026, 3, 4, 14, 20, 12, 345678, tzinfo=UTC)
    assert [(e.kind, e.state) for e in events] == [
        ("alert", "firing"),
        ("action", "acknowledged"),
        ("chat", ""),
        ("action", ""),
        ("observation", ""),
        ("alert", "resolved"),
    ]
    assert {e.signal for e in events} == {"ledgerwritelatencyabove800ms"}
    assert (create.actor, create.actor_role) == ("Northwind Prometheus", "integration")
    assert (ack.actor, ack.actor_role) == ("aisha.okafor@northwind.example", "responder")
    assert "<i>" not in note.text and "deploy — rolling back." in note.text
    assert "<code>" not in create.text
    assert create.raw is not None and create.raw["action"] == "Create"
    assert snooze.source_ref.endswith("/Snooze/1772633300000000000")
    assert unknown.text.startswith("Rumble:")
    assert source.warnings == [
        "webhooks.json: $[4]: unknown Opsgenie action 'Rumble'; kept as an observation"
    ]


def test_created_at_is_used_without_updated_at() -> None:
    items = json.loads((FIXTURES / "webhooks.json").read_text(encoding="utf-8"))
    del items[0]["alert"]["updatedAt"]
    events, _ = run(write("created.json", json.dumps(items[0])))
    assert events[0].at == datetime(2026, 3, 4, 14, 2, 11, 512000, tzinfo=UTC)


def test_bad_time_names_the_path() -> None:
    items = json.loads((FIXTURES / "webhooks.json").read_text(encoding="utf-8"))
    items[1]["alert"]["updatedAt"] = "later"
    with pytest.raises(SourceError) as caught:
        run(write("hooks.json", json.dumps(items)))
    assert str(caught.value) == (
        "hooks.json: $[1].alert.updatedAt: not an ISO 8601 timestamp: 'later'"
    )


def test_json_lines_errors_name_the_line() -> None:
    items = json.loads((FIXTURES / "webhooks.json").read_text(encoding="utf-8"))
    del items[2]["alert"]["alertId"], items[2]["alert"]["tinyId"]
    path = write("hooks.jsonl", "\n".join(json.dumps(item) for item in items))
    with pytest.raises(SourceError) as caught:
        run(path)
    assert str(caught.value) == "hooks.jsonl:3: $.alert.alertId: is missing"


@pytest.mark.parametrize(
    "content",
    [b"", b"text\n", b'{"action": "opened", "pull_request": {}}', b'{"alert": {"alertId": 1}}'],
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
    items = json.loads((FIXTURES / "webhooks.json").read_text(encoding="utf-8"))
    many = [
        dict(item, alert=dict(item["alert"], updatedAt=item["alert"]["updatedAt"] + i))
        for i in range(40)
        for item in items
    ]
    lines = write("large.jsonl", "\n".join(json.dumps(item) for item in many))
    pretty = write("large.json", json.dumps(many, indent=2))
    for path in (lines, pretty):
        assert path.stat().st_size > 16384
        assert claimed_by(path) == [FORMAT]
        assert len(run(path)[0]) == 240
