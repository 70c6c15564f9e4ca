"""PagerDuty V3 webhooks and incident log entries."""

from __future__ import annotations

import json
from functools import partial
from typing import Any

import pytest

from secondstory.core.timeline.sources import pagerduty as importer
from secondstory.core.timeline.sources.base import Source, SourceError
from tests.core.timeline.sources import support

FORMAT = "pagerduty"
FIXTURES = support.FIXTURES / FORMAT
INPUTS = ["webhooks.jsonl", "log_entries.json", "webhooks-v2.jsonl"]
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
    "messages",
    "created_on",
    "incident_number",
    "last_status_change_by",
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
            "event": {
                "id": "E1",
                "event_type": "incident.triggered",
                "occurred_at": "2026-03-04T14:00:00Z",
                "data": value,
            }
        }


# --- this format -------------------------------------------------------------------------------


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


def test_v2_messages_are_read_by_their_log_entries_or_on_their_own() -> None:
    events, source = run(FIXTURES / "webhooks-v2.jsonl")
    assert [(e.kind, e.state, e.source_ref) for e in events] == [
        ("page", "firing", "R0V2TRIG31070001"),
        ("action", "acknowledged", "c4e1a7b2-e8d5-11e8-9a4b-0242ac110003"),
        ("chat", "", "R0V2NOTE31070003"),
        ("action", "resolved", "R0V2RSLV31070004"),
    ]
    assert {e.signal for e in events} == {"ordersdbprimarydown"}
    acknowledged = events[1]
    assert acknowledged.utc_offset_minutes == 120 and acknowledged.utc.hour == 14
    assert (acknowledged.actor, acknowledged.actor_role) == ("Dara Okafor", "responder")
    assert acknowledged.evidence_url == "https://northwind.pagerduty.com/incidents/P7Q3107ORDB"
    assert source.warnings == []


def test_a_v2_message_without_log_entries_needs_its_time() -> None:
    delivery = {"messages": [{"id": "m1", "event": "incident.trigger", "incident": {}}]}
    with pytest.raises(SourceError) as caught:
        run(write("v2.json", json.dumps(delivery)))
    assert str(caught.value) == "v2.json: $.messages[0].created_on: is missing"


def test_an_unknown_v2_event_is_kept_as_an_observation() -> None:
    message = {"id": "m1", "event": "incident.custom", "created_on": "2024-05-02T14:00:00Z"}
    events, source = run(write("v2.json", json.dumps({"messages": [message]})))
    assert [(e.kind, e.text) for e in events] == [("observation", "incident.custom")]
    assert "unknown PagerDuty event 'incident.custom'" in source.warnings[0]


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


def test_files_larger_than_the_head_are_claimed() -> None:
    response = json.loads((FIXTURES / "log_entries.json").read_text(encoding="utf-8"))
    entry = response["log_entries"][1]
    response["log_entries"] = [dict(entry, id=f"RN{i:08d}") for i in range(300)]
    path = write("large.json", json.dumps(response))
    assert path.stat().st_size > 16384
    assert support.claimed_by(path) == [FORMAT]
    assert len(run(path)[0]) == 300
    hook = json.loads((FIXTURES / "webhooks.jsonl").read_text(encoding="utf-8").splitlines()[0])
    hooks = [dict(hook, event=dict(hook["event"], id=f"EV{i:06d}")) for i in range(100)]
    pretty = write("large-array.json", json.dumps(hooks, indent=2))
    assert pretty.stat().st_size > 16384
    assert support.claimed_by(pretty) == [FORMAT]
    assert len(run(pretty)[0]) == 100
