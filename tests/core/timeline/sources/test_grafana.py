"""Grafana alerting webhook notifications: unified and legacy."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import partial
from typing import Any

import pytest

from secondstory.core.timeline.sources import grafana as importer
from secondstory.core.timeline.sources.base import Source, SourceError
from tests.core.timeline.sources import support

FORMAT = "grafana"
FIXTURES = support.FIXTURES / FORMAT
INPUTS = ["unified.json", "legacy-captured.jsonl"]
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
write = support.scratch_writer(FORMAT)
run = partial(support.run, importer)


# --- shared checks -----------------------------------------------------------------------------


class TestAlertImporter(support.AlertImporterChecks):
    importer = importer
    inputs = INPUTS
    keys = KEYS

    @staticmethod
    def group(value: Any) -> Any:
        return {
            "received_at": "2026-03-04T14:00:00Z",
            "body": {"ruleId": 1, "ruleName": "r", "state": "alerting", "evalMatches": [value]},
        }


# --- this format -------------------------------------------------------------------------------


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


def test_a_notification_larger_than_the_head_is_claimed() -> None:
    group = json.loads((FIXTURES / "unified.json").read_text(encoding="utf-8"))[0]
    alert = group["alerts"][0]
    alerts = [dict(alert, fingerprint=f"{i:016x}") for i in range(200)]
    ordered = {"receiver": group["receiver"], "status": "firing", "alerts": alerts}
    ordered.update((k, v) for k, v in group.items() if k not in ordered)
    path = write("large.json", json.dumps(ordered, indent=2))
    assert path.stat().st_size > 16384
    assert support.claimed_by(path) == [FORMAT]
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
