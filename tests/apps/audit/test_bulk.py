"""Bulk work writes one summarising audit event per operation, not one per row."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.db import transaction

from secondstory.audit.bulk import bulk
from secondstory.audit.context import acting_as
from secondstory.core.timeline.sources.base import Source
from secondstory.incidents.importing import ImportRequest, import_events
from secondstory.incidents.models import Incident, Severity, Tag
from secondstory.postmortems.models import Postmortem
from tests.apps.audit.conftest import events_since, mark


def _csv(tmp_path: Path, rows: int) -> Source:
    path = tmp_path / "events.csv"
    lines = [f"2024-01-15T08:{n // 60:02d}:{n % 60:02d}+00:00,Ines,chat,message {n},T-{n}"
             for n in range(rows)]  # fmt: skip
    path.write_text("Timestamp,Who,Type,Message,Ticket\n" + "\n".join(lines) + "\n")
    return Source(path, "events.csv")


def test_an_import_writes_one_event_that_sums_it_up(
    db: None, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    incident = Incident.objects.create(
        key="INC-9", title="Checkout errors", severity=Severity.objects.get(code="SEV2")
    )
    start = mark()
    with acting_as("cli"), django_capture_on_commit_callbacks(execute=True):
        summary = import_events(incident, ImportRequest([_csv(tmp_path, 300)], redact=False))
    assert summary.added == 300
    [event] = events_since(start)
    assert (event.action, event.actor, event.object_label) == ("bulk", "cli", "INC-9")
    assert event.after["operation"] == "import"
    assert event.after["events_added"] == 300
    assert event.after["inputs"] == ["events.csv"]
    # The events went in by the batch, not through the models: no per-row counts either.
    assert "incidents.timelineevent" not in event.after["rows"]


def test_a_dry_run_import_records_nothing(
    db: None, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    incident = Incident.objects.create(
        key="INC-9", title="Checkout errors", severity=Severity.objects.get(code="SEV2")
    )
    start = mark()
    with django_capture_on_commit_callbacks(execute=True):
        import_events(incident, ImportRequest([_csv(tmp_path, 5)], redact=False), dry_run=True)
    assert events_since(start) == []


def test_rows_counted_once_and_rolled_back_work_left_out(
    db: None, django_capture_on_commit_callbacks: Any
) -> None:
    start = mark()
    with django_capture_on_commit_callbacks(execute=True), bulk("load") as scope:
        with transaction.atomic():
            for n in range(50):
                Tag.objects.create(slug=f"kept-{n}")
            try:
                with transaction.atomic():
                    Tag.objects.create(slug="rolled-back")
                    Incident.objects.create(
                        key="INC-X", title="x", severity=Severity.objects.get(code="SEV2")
                    )
                    raise RuntimeError("this file is refused")
            except RuntimeError:
                pass
            Incident.objects.create(
                key="INC-Y", title="y", severity=Severity.objects.get(code="SEV2")
            )
        scope.details["files"] = {"loaded": 1, "refused": 1}
    [event] = events_since(start)
    assert event.action == "bulk"
    # Tags are not audited one by one; incidents are: only the committed one counts.
    assert event.after["rows"] == {"incidents.incident": {"create": 1}}
    assert event.after["files"] == {"loaded": 1, "refused": 1}


def test_a_failed_operation_writes_no_summary(
    db: None, django_capture_on_commit_callbacks: Any
) -> None:
    start = mark()
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic(), bulk("load"):
                Incident.objects.create(
                    key="INC-Z", title="z", severity=Severity.objects.get(code="SEV2")
                )
                raise ValueError("bad file")
        except ValueError:
            pass
    assert events_since(start) == []


def test_the_load_command_writes_one_event_for_many_rows(
    postmortem: Postmortem, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    from click.testing import CliRunner

    from secondstory.cli.main import cli
    from secondstory.postmortems.exchange import export_all

    export_all(tmp_path)
    Postmortem.objects.all().delete()
    Incident.objects.all().delete()
    start = mark()
    with django_capture_on_commit_callbacks(execute=True):
        result = CliRunner().invoke(cli, ["load", str(tmp_path)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    [event] = events_since(start)
    assert (event.action, event.actor) == ("bulk", "cli")
    assert event.after["operation"] == "load"
    assert event.after["files"] == {"loaded": 1, "refused": 0}
    assert event.after["rows"]["postmortems.postmortem"]["create"] == 1
    assert event.after["rows"]["incidents.timelineevent"]["create"] >= 2
