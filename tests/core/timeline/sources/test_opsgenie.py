"""Opsgenie alert webhooks."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import partial
from typing import Any

import pytest

from secondstory.core.timeline.sources import opsgenie as importer
from secondstory.core.timeline.sources.base import Source, SourceError
from tests.core.timeline.sources import support

FORMAT = "opsgenie"
FIXTURES = support.FIXTURES / FORMAT
INPUTS = ["webhooks.json"]
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
            "action": "Create",
            "alert": {"alertId": "a1", "createdAt": 1772632931512, "note": value},
        }


# --- this format -------------------------------------------------------------------------------


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
        assert support.claimed_by(path) == [FORMAT]
        assert len(run(path)[0]) == 240
