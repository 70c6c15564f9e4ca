"""Prometheus Alertmanager webhook notifications."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta, timezone
from functools import partial
from typing import Any

import pytest

from secondstory.core.timeline.event import event_json
from secondstory.core.timeline.sources import alertmanager as importer
from secondstory.core.timeline.sources.base import ParseOptions, Source, SourceError
from tests.core.timeline.sources import support

FORMAT = "alertmanager"
FIXTURES = support.FIXTURES / FORMAT
INPUTS = ["notifications.jsonl", "single.json"]
KEYS = [
    "version",
    "groupKey",
    "truncatedAlerts",
    "status",
    "receiver",
    "groupLabels",
    "commonLabels",
    "commonAnnotations",
    "externalURL",
    "alerts",
    "labels",
    "annotations",
    "startsAt",
    "endsAt",
    "generatorURL",
    "fingerprint",
    "alertname",
    "severity",
    "summary",
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
        return {"version": "4", "groupKey": "g", "receiver": "r", "alerts": [value]}


# --- this format -------------------------------------------------------------------------------


def test_signal_state_raw_and_link() -> None:
    events, source = run(FIXTURES / "notifications.jsonl")
    first, second, other, resolved = events
    assert (first.signal, first.state) == ("checkouterrorbudgetburn", "firing")
    assert first.raw is not None and first.raw["fingerprint"] == "a1f3c9d2e4b56780"
    assert first.evidence_url.startswith("https://prometheus.northwind.example/graph")
    assert first.at == datetime(2026, 3, 4, 14, 2, 11, 123456, tzinfo=UTC)
    assert second.at.microsecond == 500000
    assert other.utc_offset_minutes == -480 and other.evidence_url == ""
    assert other.source_ref.startswith("labels-")
    assert (resolved.signal, resolved.state) == ("checkouterrorbudgetburn", "resolved")
    assert resolved.at == datetime(
        2026, 3, 4, 20, 1, 5, 250000, tzinfo=timezone(timedelta(hours=5, minutes=30))
    )
    assert resolved.utc_offset_minutes == 330
    assert any("truncatedAlerts" in warning for warning in source.warnings)


def test_a_notification_sent_again_is_one_event() -> None:
    line = (FIXTURES / "notifications.jsonl").read_text(encoding="utf-8").splitlines()[0]
    events, _ = run(write("repeat.jsonl", "\n".join([line, line, line]) + "\n"))
    assert len(events) == 2


def test_array_and_envelope_give_the_same_events() -> None:
    group = json.loads((FIXTURES / "single.json").read_text(encoding="utf-8"))
    wrapped = {"received_at": "2026-03-04T22:00:00Z", "headers": {"X-Relay": "nw"}, "body": group}
    events, _ = run(write("wrapped.json", json.dumps([wrapped])))
    plain, _ = run(FIXTURES / "single.json")
    assert [event_json(e) for e in events] == [event_json(e) for e in plain]


def test_bad_timestamp_names_file_line_and_path() -> None:
    group = json.loads((FIXTURES / "single.json").read_text(encoding="utf-8"))
    broken = copy.deepcopy(group)
    broken["alerts"].append(dict(group["alerts"][0], startsAt="yesterday"))
    lines = [json.dumps(group), "", json.dumps(broken)]
    with pytest.raises(SourceError) as caught:
        run(write("alerts.json", "\n".join(lines) + "\n"))
    assert str(caught.value) == (
        "alerts.json:3: $.alerts[1].startsAt: not an ISO 8601 timestamp: 'yesterday'"
    )


def test_firing_alert_without_start_needs_a_capture_time() -> None:
    group = json.loads((FIXTURES / "single.json").read_text(encoding="utf-8"))
    group["alerts"][0]["startsAt"] = "0001-01-01T00:00:00Z"
    with pytest.raises(SourceError, match=r"startsAt: a firing alert needs this time"):
        run(write("nostart.json", json.dumps(group)))
    wrapped = {"received_at": 1772665080000, "body": group}
    events, _ = run(write("nostart-wrapped.json", json.dumps(wrapped)))
    assert events[0].at == datetime(2026, 3, 4, 22, 58, tzinfo=UTC)


def test_unknown_status_is_kept_as_an_observation_with_a_warning() -> None:
    group = json.loads((FIXTURES / "single.json").read_text(encoding="utf-8"))
    group["alerts"][0]["status"] = "suppressed"
    events, source = run(write("status.json", json.dumps(group)))
    assert [(e.kind, e.state) for e in events] == [("observation", "")]
    assert events[0].text.startswith("SUPPRESSED LedgerQueueBacklog")
    assert source.warnings == [
        "status.json: $.alerts[0]: unknown alert status 'suppressed'; kept as an observation"
    ]


def test_epoch_digits_as_text_are_read() -> None:
    group = json.loads((FIXTURES / "single.json").read_text(encoding="utf-8"))
    group["alerts"][0]["startsAt"] = "0001-01-01T00:00:00Z"
    wrapped = {"timestamp": "1772665080.250", "payload": group}
    events, _ = run(write("digits.json", json.dumps(wrapped)))
    assert events[0].at == datetime(2026, 3, 4, 22, 58, 0, 250000, tzinfo=UTC)


def test_time_window_is_respected() -> None:
    since = datetime(2026, 3, 4, 14, 3, tzinfo=UTC)
    until = datetime(2026, 3, 4, 15, 0, tzinfo=UTC)
    events, _ = run(FIXTURES / "notifications.jsonl", ParseOptions(since=since, until=until))
    assert [e.source_ref.split("/")[0] for e in events] == ["b7e2d1a0c3f45961", "a1f3c9d2e4b56780"]


@pytest.mark.parametrize(
    "content",
    [b"", b"hello world\n", b'{"alerts": []}', b'{"text": "groupKey alerts"}', b"\xff\xfe\x00"],
)
def test_sniff_declines_other_inputs(content: bytes) -> None:
    assert importer.sniff(Source(write("other.txt", content))) is False


def test_a_notification_larger_than_the_head_is_claimed() -> None:
    group = json.loads((FIXTURES / "single.json").read_text(encoding="utf-8"))
    alert = group["alerts"][0]
    alerts = [
        dict(alert, labels=dict(alert["labels"], queue=f"q{i}"), fingerprint=f"{i:016x}")
        for i in range(300)
    ]
    # Alertmanager writes the alerts before groupKey and version.
    ordered = {"receiver": group["receiver"], "status": "firing", "alerts": alerts}
    ordered.update((k, v) for k, v in group.items() if k not in ordered)
    path = write("large.json", json.dumps(ordered, indent=2))
    assert path.stat().st_size > 16384
    assert support.claimed_by(path) == [FORMAT]
    events, _ = run(path)
    assert len(events) == 300


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("1" * 5000, "not valid JSON"),
        ("[" * 100000, "JSON nested too deeply"),
        ('{"version": "4",\n "alerts": []\n}\n{"receiver"', "x.json:4: not valid JSON: Extra data"),
        ("\n\n  \n", "the file is empty"),
        ('{"version": "4", "groupKey": "g", "receiver": "r", "alerts": [7]}', "$.alerts[0].alert"),
    ],
)
def test_unreadable_files_give_a_located_error(content: str, message: str) -> None:
    with pytest.raises(SourceError) as caught:
        run(write("x.json", content))
    assert str(caught.value).startswith("x.json")
    assert message in str(caught.value)


def test_json_lines_may_hold_line_separators_inside_strings() -> None:
    group = json.loads((FIXTURES / "single.json").read_text(encoding="utf-8"))
    group["alerts"][0]["annotations"] = {"summary": "backlog\u2028growing"}
    line = json.dumps(group, ensure_ascii=False)
    events, _ = run(write("sep.jsonl", line + "\n" + line.replace("ledger-writes", "audit") + "\n"))
    assert len(events) == 2
    assert "backlog growing" in events[0].text
    assert events[0].raw is not None
    assert events[0].raw["annotations"]["summary"] == "backlog\u2028growing"


def test_a_text_file_quoting_a_payload_is_not_claimed() -> None:
    quoted = "14:02 <priya> the hook said " + '{"alerts": [{"startsAt": "x"}], "receiver": "r"}\n'
    assert importer.sniff(Source(write("chat.log", quoted * 400))) is False


def test_an_envelope_may_carry_more_capture_fields() -> None:
    group = json.loads((FIXTURES / "single.json").read_text(encoding="utf-8"))
    wrapped = {"timestamp": "2026-03-04T22:00:00Z", "remoteAddr": "10.0.0.7", "body": group}
    path = write("more.json", json.dumps(wrapped))
    assert importer.sniff(Source(path))
    assert len(run(path)[0]) == 1
