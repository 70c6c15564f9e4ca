"""``secondstory audit`` on the command line, and the log in ``export --all`` / ``load``."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from secondstory.audit.models import AuditEvent
from secondstory.audit.query import CHUNK
from secondstory.audit.transfer import load_events
from secondstory.cli.main import cli
from secondstory.operations.full_export import export_everything
from secondstory.operations.full_load import FullLoadError, load_everything

pytestmark = pytest.mark.django_db
START = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def _spread(count: int, actor: str = "alice") -> None:
    AuditEvent.objects.bulk_create(
        AuditEvent(
            at=START + timedelta(minutes=n),
            actor=actor,
            action="update",
            object_type="incidents.incident",
            object_id=str(n),
            object_label=f"INC-{n}",
            before={"title": "old"},
            after={"title": f"new {n}"},
        )
        for n in range(count)
    )


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def test_jsonl_streams_every_event_in_order_across_chunks() -> None:
    _spread(CHUNK + 5)
    code, output = invoke("audit", "--since", "2026-11-01", "--format", "jsonl")
    assert code == 0, output
    rows = [json.loads(line) for line in output.splitlines()]
    assert len(rows) == CHUNK + 5
    assert [r["object_label"] for r in rows[:2]] == ["INC-0", "INC-1"]
    assert rows[-1]["object_label"] == f"INC-{CHUNK + 4}"
    assert rows[0]["before"] == {"title": "old"} and rows[0]["at"] == "2026-11-01T09:00:00+00:00"


def test_text_lines_and_filters() -> None:
    _spread(10)
    _spread(3, actor="cli")
    code, output = invoke(
        "audit", "--since", "2026-11-01T09:05", "--until", "2026-11-01T09:07", "--actor", "alice"
    )
    assert code == 0, output
    assert output.splitlines() == [
        "2026-11-01 09:05:00Z  alice  update  incidents.incident INC-5  title: old → new 5",
        "2026-11-01 09:06:00Z  alice  update  incidents.incident INC-6  title: old → new 6",
    ]
    code, output = invoke("audit", "--since", "2026-11-01", "--object", "INC-2", "--actor", "cli")
    assert len(output.splitlines()) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "last week"], "--since: expected YYYY-MM-DD or YYYY-MM-DDTHH:MM"),
        (["--since", "2026-11-01", "--until", "soon"], "--until: expected YYYY-MM-DD"),
        (["--since", "2026-11-01", "--action", "explode"], "--action: unknown action 'explode'"),
    ],
)
def test_bad_options_get_one_clear_line(args: list[str], message: str) -> None:
    code, output = invoke("audit", *args)
    assert code != 0
    assert message in output
    assert "Traceback" not in output


def test_the_log_travels_in_a_complete_export_and_loads_once(tmp_path: Path) -> None:
    _spread(4)
    export_everything(tmp_path / "move")
    lines = (tmp_path / "move" / "audit_events.jsonl").read_text().splitlines()
    assert json.loads(lines[0])["kind"] == "audit_events"
    assert len(lines) - 1 == AuditEvent.objects.count()
    before = AuditEvent.objects.count()
    assert load_events(tmp_path / "move") == 0  # all of them are here already
    assert AuditEvent.objects.count() == before

    other = tmp_path / "other"
    other.mkdir()
    moved = json.loads(lines[1])
    moved["request_id"] = "from-elsewhere"
    header = lines[0]
    (other / "audit_events.jsonl").write_text(header + "\n" + json.dumps(moved) + "\n")
    assert load_events(other) == 1
    assert load_events(other) == 0
    copy = AuditEvent.objects.get(request_id="from-elsewhere")
    assert (copy.actor, copy.after, copy.at) == ("alice", {"title": "new 0"}, START)


def test_a_bad_line_names_the_file_line_and_field_and_loads_nothing(tmp_path: Path) -> None:
    _spread(2)
    export_everything(tmp_path / "move")
    path = tmp_path / "move" / "audit_events.jsonl"
    lines = path.read_text().splitlines()
    bad = json.loads(lines[2])
    bad["action"] = "vanish"
    bad["request_id"] = "new"
    good = json.loads(lines[1])
    good["request_id"] = "also-new"
    path.write_text("\n".join([lines[0], json.dumps(good), json.dumps(bad)]) + "\n")
    count = AuditEvent.objects.count()
    with pytest.raises(FullLoadError, match=r"audit_events.jsonl:3: action: unknown action"):
        load_everything(tmp_path / "move")
    assert AuditEvent.objects.count() == count


def test_a_new_installation_with_only_audit_events_can_take_a_restore() -> None:
    from secondstory.operations.restore import tables_holding_data

    _spread(2)  # failed sign-ins on the new installation, for example
    assert "audit_auditevent" not in tables_holding_data()
