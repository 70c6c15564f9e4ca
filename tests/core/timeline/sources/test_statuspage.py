"""Atlassian Statuspage incidents and webhooks."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import partial
from typing import Any

import pytest

from secondstory.core.timeline.sources import statuspage as importer
from secondstory.core.timeline.sources.base import Source, SourceError
from tests.core.timeline.sources import support

FORMAT = "statuspage"
FIXTURES = support.FIXTURES / FORMAT
INPUTS = ["incident.json", "incidents.json", "webhooks.jsonl"]
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
write = support.scratch_writer(FORMAT)
run = partial(support.run, importer)


# --- shared checks -----------------------------------------------------------------------------


class TestAlertImporter(support.AlertImporterChecks):
    importer = importer
    inputs = INPUTS
    keys = KEYS

    @staticmethod
    def group(value: Any) -> Any:
        return {"impact": "minor", "incident_updates": [value]}


# --- this format -------------------------------------------------------------------------------


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


def test_an_incident_larger_than_the_head_is_claimed() -> None:
    incident = json.loads((FIXTURES / "incident.json").read_text(encoding="utf-8"))
    update = incident["incident_updates"][0]
    incident["incident_updates"] = [dict(update, id=f"u{i:05d}") for i in range(100)]
    path = write("large.json", json.dumps(incident, indent=2))
    assert path.stat().st_size > 16384
    assert support.claimed_by(path) == [FORMAT]
    assert len(run(path)[0]) == 100
