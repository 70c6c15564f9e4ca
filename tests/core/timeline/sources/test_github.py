"""The GitHub importer: deployment, deployment_status, release and workflow_run payloads."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from secondstory.core.timeline.sources import github
from secondstory.core.timeline.sources.base import ParseOptions, Source, SourceError
from tests.core.timeline.sources import support

FIXTURES = support.FIXTURES / "github"
CASES = ["deployment_status.json", "mixed.jsonl", "array.json", "release.json"]


def _parse(path: Path, options: ParseOptions | None = None) -> list[Any]:
    return support.run(github, path, options)[0]


@pytest.mark.parametrize("name", CASES)
def test_fixture_gives_the_expected_events(name: str) -> None:
    events = support.assert_fixture(github, FIXTURES / name)
    assert len({e.source_ref for e in events}) == len(events)
    for event in events:
        assert isinstance(event.raw, dict)
        json.dumps(event.raw)
        assert len(event.evidence_url) <= 500


@pytest.mark.parametrize("name", CASES)
def test_fixture_is_detected_as_github(name: str) -> None:
    assert support.detect(Source(FIXTURES / name)) == "github"


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


# --- never anything but SourceError ---------------------------------------------------------

_json = support.json_values(key_size=12, dict_size=5, max_leaves=25)
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


def _run(data: bytes) -> None:
    support.parses_or_fails_cleanly(github, data, name="fuzz.json")


@support.FUZZ
@given(data=st.binary(max_size=1000))
def test_fuzz_arbitrary_bytes(data: bytes) -> None:
    _run(data)


@support.FUZZ
@given(shape=support.json_objects(_KEYS, _json, max_size=6))
def test_fuzz_json_shapes(shape: dict[str, Any]) -> None:
    _run(json.dumps(shape).encode())


_PAYLOADS = support.fixture_documents(FIXTURES / name for name in CASES)


@support.FUZZ
@given(document=support.replaced_documents(_PAYLOADS, _json, depth=4))
def test_fuzz_mutated_fixtures(document: Any) -> None:
    _run(json.dumps(document).encode())


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


def test_a_release_as_github_sends_it_is_detected() -> None:
    path = FIXTURES / "release.json"
    head = path.read_text(encoding="utf-8")
    # The author object and the URLs come before tag_name, as in GitHub's own payloads.
    assert head.index('"author"') < head.index('"tag_name"')
    assert support.detect(Source(path)) == "github"
    (event,) = _parse(path)
    assert event.utc == datetime(2024, 5, 2, 13, 44, 10, tzinfo=UTC)
    assert event.utc_offset_minutes == 60
