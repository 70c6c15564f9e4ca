"""The GitHub importer: deployment, deployment_status, release and workflow_run payloads."""

from __future__ import annotations

import importlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from secondstory.core.taxonomy import (
    MAX_ACTOR,
    MAX_ROLE,
    MAX_SOURCE,
    MAX_SOURCE_REF,
    MAX_URL,
    TIMELINE_KINDS,
)
from secondstory.core.timeline.event import TimelineEvent, event_json
from secondstory.core.timeline.sources import FORMATS, github
from secondstory.core.timeline.sources.base import ParseOptions, Source, SourceError

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "sources" / "github"
CASES = ["deployment_status.json", "mixed.jsonl", "array.json"]


def detect(source: Source) -> str:
    """The registry's detection, over the importers present in this tree."""
    for name in FORMATS:
        try:
            importer = importlib.import_module(f"secondstory.core.timeline.sources.{name}")
        except ModuleNotFoundError:
            continue
        if importer.sniff(source):
            return name
    return ""


def _expected(name: str) -> list[dict[str, object]]:
    stem = name.rsplit(".", 1)[0]
    lines = (FIXTURES / f"{stem}.expected.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def _parse(path: Path, options: ParseOptions | None = None) -> list[Any]:
    return list(github.parse(Source(path, name=path.name), options or ParseOptions()))


@pytest.mark.parametrize("name", CASES)
def test_fixture_gives_the_expected_events(name: str) -> None:
    events = _parse(FIXTURES / name)
    assert [event_json(e) for e in events] == _expected(name)
    assert len({e.source_ref for e in events}) == len(events)
    for event in events:
        assert isinstance(event.raw, dict)
        json.dumps(event.raw)
        assert len(event.evidence_url) <= 500


@pytest.mark.parametrize("name", CASES)
def test_fixture_is_detected_as_github(name: str) -> None:
    assert detect(Source(FIXTURES / name)) == "github"


def test_a_failed_deployment_status_links_to_the_target_and_keeps_the_payload() -> None:
    (event,) = _parse(FIXTURES / "deployment_status.json")
    payload = json.loads((FIXTURES / "deployment_status.json").read_text(encoding="utf-8"))
    assert event.raw == payload
    assert event.kind == "change"
    assert "failed" in event.text
    assert event.evidence_url == "https://ci.northwind.example/deploys/880001"


def test_envelopes_are_unwrapped_and_skips_are_warned() -> None:
    source = Source(FIXTURES / "mixed.jsonl", name="mixed.jsonl")
    events = list(github.parse(source, ParseOptions()))
    # The delivery's body, not the wrapper, is the raw payload.
    status = next(e for e in events if e.source_ref == "deployment_status/990001")
    assert status.raw is not None and "headers" not in status.raw
    assert status.evidence_url == "https://ci.northwind.example/deploys/880001/log"
    deployment = next(e for e in events if e.source_ref == "deployment/880001")
    assert deployment.evidence_url == (
        "https://github.com/northwind-traders/storefront/commit/"
        "7be03c5e1d2c3b4a59687766554433221100ffee"
    )
    assert source.warnings == [
        "mixed.jsonl:4: $: release action 'edited' carries no time of its own; skipped",
        "mixed.jsonl:7: $: not a recognised payload; skipped",
    ]


def test_release_time_keeps_its_offset() -> None:
    release = next(e for e in _parse(FIXTURES / "mixed.jsonl") if e.source_ref.startswith("rel"))
    assert release.at.isoformat() == "2024-01-15T08:31:45+01:00"


def test_each_workflow_run_attempt_and_stage_is_its_own_event() -> None:
    refs = [e.source_ref for e in _parse(FIXTURES / "mixed.jsonl")]
    assert "workflow_run/7700991/requested/1" in refs
    assert "workflow_run/7700991/completed/2" in refs


def test_the_time_window_is_respected() -> None:
    options = ParseOptions(
        since=datetime(2024, 1, 15, 7, 53, tzinfo=UTC),
        until=datetime(2024, 1, 15, 8, 0, tzinfo=UTC),
    )
    assert [e.source_ref for e in _parse(FIXTURES / "mixed.jsonl", options)] == [
        "deployment_status/990001"
    ]


def test_a_named_event_wrapper_is_used(tmp_path: Path) -> None:
    body = {
        "action": "created",
        "deployment": {
            "id": 1,
            "ref": "v1",
            "environment": "staging",
            "created_at": "2024-01-01T00:00:00Z",
        },
    }
    path = tmp_path / "wrapped.json"
    path.write_text(
        json.dumps({"headers": {"x-github-event": "deployment"}, "body": json.dumps(body)})
    )
    (event,) = _parse(path)
    assert event.source_ref == "deployment/1"
    assert event.text == "Deployment of v1 to staging created"


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ("[1, 2]", "wrong.json:1: $[0]: payload: expected a JSON object, got int"),
        (
            '{"action": "created", "deployment": {"id": 5}}',
            "wrong.json:1: $.deployment.created_at: created_at: is missing",
        ),
        (
            '{"deployment_status": {"id": 9, "state": "success", "created_at": "yesterday"}}',
            "wrong.json:1: $.deployment_status.created_at: created_at: not an ISO 8601 timestamp",
        ),
        (
            '{"workflow_run": {"id": 3, "run_attempt": "two", '
            '"updated_at": "2024-01-01T00:00:00Z"}}',
            "wrong.json:1: $.workflow_run.run_attempt: run_attempt: expected a whole number",
        ),
        (
            '{"release": {"id": 4, "author": "someone"}}',
            "wrong.json:1: $.release.author: author: expected an object, got str",
        ),
        ('{"deployment": {', "wrong.json:1: not valid JSON"),
    ],
)
def test_bad_payloads_name_the_place_and_field(
    tmp_path: Path, document: str, expected: str
) -> None:
    path = tmp_path / "wrong.json"
    path.write_text(document)
    with pytest.raises(SourceError) as caught:
        _parse(path)
    assert str(caught.value).startswith(expected)


def test_other_formats_are_not_claimed(tmp_path: Path) -> None:
    path = tmp_path / "other.json"
    path.write_text(
        '{"at": "2024-01-01T00:00:00Z", "text": "deployment finished", "kind": "change"}'
    )
    assert not github.sniff(Source(path))


def _check_limits(event: TimelineEvent) -> None:
    assert event.kind in TIMELINE_KINDS
    assert event.text.strip()
    assert 0 < len(event.source) <= MAX_SOURCE
    assert 0 < len(event.source_ref) <= MAX_SOURCE_REF
    assert len(event.actor) <= MAX_ACTOR
    assert len(event.actor_role) <= MAX_ROLE
    assert len(event.evidence_url) <= MAX_URL


# --- never anything but SourceError ---------------------------------------------------------

_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5)
    ),
    max_leaves=25,
)
_KEYS = [
    "deployment",
    "deployment_status",
    "release",
    "workflow_run",
    "action",
    "id",
    "state",
    "created_at",
    "updated_at",
    "published_at",
    "run_attempt",
    "creator",
    "login",
    "headers",
    "body",
    "event",
    "payload",
    "X-GitHub-Event",
    "sha",
    "ref",
    "environment",
    "html_url",
]


def _run(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "fuzz.json"
    path.write_bytes(data)
    source = Source(path)
    github.sniff(source)
    try:
        for event in github.parse(source, ParseOptions()):
            json.dumps(event.raw)
            assert event.at.tzinfo is not None
            _check_limits(event)
    except SourceError:
        pass


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.binary(max_size=1000))
def test_fuzz_arbitrary_bytes(tmp_path: Path, data: bytes) -> None:
    _run(tmp_path, data)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    shape=st.dictionaries(
        st.sampled_from(_KEYS),
        _json | st.dictionaries(st.sampled_from(_KEYS), _json, max_size=6),
        max_size=6,
    )
)
def test_fuzz_json_shapes(tmp_path: Path, shape: dict[str, Any]) -> None:
    _run(tmp_path, json.dumps(shape).encode())


_PAYLOADS = [
    payload
    for name in CASES
    for payload in (
        [json.loads(line) for line in (FIXTURES / name).read_text(encoding="utf-8").splitlines()]
        if name.endswith(".jsonl")
        else [json.loads((FIXTURES / name).read_text(encoding="utf-8"))]
    )
]


def _mutate(value: Any, path: list[int], replacement: Any) -> Any:
    """``value`` with the node reached by following ``path`` (indexes into keys) replaced."""
    if not path or not isinstance(value, (dict, list)) or not value:
        return replacement
    keys = list(value.keys()) if isinstance(value, dict) else list(range(len(value)))
    key = keys[path[0] % len(keys)]
    copy = dict(value) if isinstance(value, dict) else list(value)
    copy[key] = _mutate(value[key], path[1:], replacement)  # type: ignore[index]
    return copy


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    which=st.integers(min_value=0, max_value=len(_PAYLOADS) - 1),
    path=st.lists(st.integers(min_value=0, max_value=50), min_size=1, max_size=4),
    replacement=_json,
)
def test_fuzz_mutated_fixtures(
    tmp_path: Path, which: int, path: list[int], replacement: Any
) -> None:
    _run(tmp_path, json.dumps(_mutate(_PAYLOADS[which], path, replacement)).encode())


def test_a_deployment_made_by_a_workflow_is_a_deployment(tmp_path: Path) -> None:
    payload = {
        "action": "created",
        "deployment": {
            "id": 42,
            "sha": "5f4e3d2c1b0a99887766554433221100aabbccdd",
            "ref": "main",
            "environment": "staging",
            "created_at": "2024-01-16T09:00:00+09:00",
        },
        "workflow": {"id": 31, "name": "Deploy storefront"},
        "workflow_run": {"id": 7702000, "run_attempt": 1, "updated_at": "2024-01-16T00:01:00Z"},
        "sender": {"login": "kofi-mensah"},
    }
    path = tmp_path / "deploy.json"
    path.write_text(json.dumps(payload))
    (event,) = _parse(path)
    assert (event.source_ref, event.actor) == ("deployment/42", "kofi-mensah")
    assert event.at.isoformat() == "2024-01-16T09:00:00+09:00"
    assert event.text == "Deployment of main (5f4e3d2) to staging created"


def test_a_long_link_is_left_out_with_a_warning(tmp_path: Path) -> None:
    payload = json.loads((FIXTURES / "deployment_status.json").read_text(encoding="utf-8"))
    payload["deployment_status"]["target_url"] = "https://ci.northwind.example/" + "x" * 600
    path = tmp_path / "long.json"
    path.write_text(json.dumps(payload))
    source = Source(path, name="long.json")
    (event,) = github.parse(source, ParseOptions())
    assert event.evidence_url == ""
    assert source.warnings == ["long.json:1: a link longer than 500 characters was left out"]


def test_references_fit_their_column(tmp_path: Path) -> None:
    payload = {
        "action": "completed" * 50,
        "workflow_run": {"id": "9" * 400, "updated_at": "2024-01-16T00:01:00Z"},
    }
    path = tmp_path / "long-ref.json"
    path.write_text(json.dumps(payload))
    first = _parse(path)[0].source_ref
    assert len(first) <= 300
    assert first == _parse(path)[0].source_ref
