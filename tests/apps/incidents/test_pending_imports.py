"""Imports write pending rows in short transactions: invisible until the import finishes,
gone when it fails, taken over or cleaned up when it was killed; memory flat in its size."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest
from django.db import connection
from django.db.models import Prefetch
from django.utils import timezone

from secondstory.accounts.models import User
from secondstory.core.timeline import sources
from secondstory.core.timeline.event import TimelineEvent as EventData
from secondstory.core.timeline.sources.base import Source, SourceError
from secondstory.incidents import pending_events
from secondstory.incidents.importing import ImportRequest, import_events
from secondstory.incidents.models import Incident, Severity, TimelineEvent
from secondstory.incidents.pending_events import (
    ABANDONED_AFTER_SECONDS,
    discard_abandoned,
    new_import_id,
)
from secondstory.postmortems.models import Postmortem

START = datetime(2026, 3, 4, 14, 0, tzinfo=UTC)


def write_jsonl(path: Path, count: int, *, first: int = 0, bad_at: int | None = None) -> Path:
    """``count`` chat events in the format ``secondstory parse`` prints."""
    with path.open("wb") as out:
        for number in range(first, first + count):
            at = (START + timedelta(seconds=number)).strftime("%Y-%m-%dT%H:%M:%SZ")
            if number == bad_at:
                at = "soon"
            line = {
                "at": at,
                "offset": "+00:00",
                "kind": "chat",
                "source": "slack",
                "source_ref": f"C1/{number:08d}",
                "actor": "Ana Lima",
                "actor_role": "",
                "text": f"message {number} about the checkout pool",
            }
            out.write(orjson.dumps(line) + b"\n")
    return path


@pytest.fixture
def incident(db: None) -> Incident:
    return Incident.objects.create(
        key="INC-7", title="Checkout errors", severity=Severity.objects.get(code="SEV2")
    )


def run(incident: Incident, *paths: Path, **kwargs: object):  # type: ignore[no-untyped-def]
    request = ImportRequest([Source(p, p.name) for p in paths], fmt="jsonl")
    return import_events(incident, request, **kwargs)  # type: ignore[arg-type]


def pending_row(incident: Incident, ref: str, import_id: str) -> TimelineEvent:
    return TimelineEvent.with_pending.create(
        incident=incident,
        at=START,
        kind="chat",
        source="slack",
        source_ref=ref,
        text="half-imported",
        pending_import=import_id,
    )


def test_an_error_half_way_leaves_nothing_behind(
    incident: Incident, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pending_events, "BATCH", 10)
    good = write_jsonl(tmp_path / "good.jsonl", 45)
    bad = write_jsonl(tmp_path / "bad.jsonl", 30, first=45, bad_at=60)
    with pytest.raises(SourceError) as caught:
        run(incident, good, bad)
    assert "bad.jsonl" in str(caught.value)
    assert not TimelineEvent.with_pending.filter(incident=incident).exists()


def test_a_finished_import_leaves_no_pending_rows(
    incident: Incident, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pending_events, "BATCH", 10)
    summary = run(incident, write_jsonl(tmp_path / "chat.jsonl", 45))
    assert summary.added == 45
    assert TimelineEvent.objects.filter(incident=incident).count() == 45
    assert not TimelineEvent.with_pending.exclude(pending_import="").exists()


def test_pending_rows_are_invisible_everywhere(incident: Incident) -> None:
    pending_row(incident, "C1/pending", new_import_id())
    assert not TimelineEvent.objects.exists()
    assert not incident.timeline.exists()
    prefetched = Incident.objects.prefetch_related(
        Prefetch("timeline", queryset=TimelineEvent.objects.all())
    ).get(pk=incident.pk)
    assert list(prefetched.timeline.all()) == []
    assert TimelineEvent.with_pending.count() == 1


def test_an_import_takes_over_what_a_killed_import_left(incident: Incident, tmp_path: Path) -> None:
    killed = new_import_id()
    pending_row(incident, "C1/00000003", killed)
    summary = run(incident, write_jsonl(tmp_path / "chat.jsonl", 5))
    assert (summary.added, summary.duplicates) == (5, 0)
    texts = TimelineEvent.objects.filter(incident=incident).values_list("text", flat=True)
    assert "half-imported" not in texts
    assert TimelineEvent.objects.filter(incident=incident).count() == 5


def test_abandoned_rows_are_cleaned_up_and_a_running_import_is_not(incident: Incident) -> None:
    now = time.time()
    pending_row(incident, "C1/old", new_import_id(now - ABANDONED_AFTER_SECONDS - 5))
    pending_row(incident, "C1/running", new_import_id(now - 60))
    assert discard_abandoned(now) == 1
    assert list(TimelineEvent.with_pending.values_list("source_ref", flat=True)) == ["C1/running"]


def test_a_dry_run_writes_no_row_and_no_revision(
    incident: Incident, tmp_path: Path, alice: User
) -> None:
    postmortem = Postmortem.objects.create(
        key="PM-7", title="Checkout errors", owner=alice, created_at=timezone.now()
    )
    postmortem.incidents.add(incident)
    summary = run(incident, write_jsonl(tmp_path / "chat.jsonl", 20), dry_run=True)
    assert summary.added == 20
    assert not TimelineEvent.with_pending.exists()
    assert not postmortem.revisions.exists()


def synthetic_events(source: Source, *_: object) -> Iterator[EventData]:
    """Events made on the fly, with no parser state, so only the import's memory shows."""
    count = int(source.name)
    for number in range(count):
        yield EventData(
            at=START + timedelta(seconds=number),
            kind="chat",
            source="slack",
            source_ref=f"C1/{number:08d}",
            text=f"message {number} about the checkout pool",
            actor="Ana Lima",
        )


def _peak_of_dry_run(incident: Incident, count: int) -> int:
    # Without redaction: its memo of texts is bounded (8,192 entries), so flat only past that.
    request = ImportRequest([Source(Path(os.devnull), str(count))], fmt="jsonl", redact=False)
    tracemalloc.start()
    try:
        import_events(incident, request, dry_run=True)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_dry_run_on_an_incident_with_a_postmortem_keeps_memory_flat(
    incident: Incident, alice: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pending_events, "BATCH", 50)
    monkeypatch.setattr(sources, "parse", synthetic_events)
    postmortem = Postmortem.objects.create(
        key="PM-7", title="Checkout errors", owner=alice, created_at=timezone.now()
    )
    postmortem.incidents.add(incident)
    # Warm the caches (templates, regexes, the database driver's buffers) outside the measure.
    # (a few hundred kB, which settle within the first hundred batches).
    _peak_of_dry_run(incident, 8000)
    ratio = _peak_of_dry_run(incident, 16000) / _peak_of_dry_run(incident, 4000)
    # Holding every event (as a revision snapshot of the dry run did) makes this 4.
    assert ratio < 2, f"4 times the events took {ratio:.1f} times the memory"


def _database_url() -> str:
    config = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{config['NAME']}"
    user = config["USER"] or "postgres"
    host = f"{config['HOST'] or '127.0.0.1'}:{config['PORT'] or 5432}"
    return f"postgres://{user}@{host}/{config['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_an_import_killed_half_way_shows_nothing_and_the_next_one_completes(
    tmp_path: Path,
) -> None:
    incident = Incident.objects.create(
        key="INC-9", title="Killed import", severity=Severity.objects.get(code="SEV2")
    )
    export = write_jsonl(tmp_path / "chat.jsonl", 60_000)
    env = dict(os.environ, SECONDSTORY_DATABASE_URL=_database_url())
    command = [
        sys.executable,
        "-m",
        "secondstory.cli",
        "import",
        str(export),
        "--incident",
        "INC-9",
    ]
    child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while not TimelineEvent.with_pending.filter(incident=incident).exists():
            assert child.poll() is None, child.stderr.read() if child.stderr else ""
            assert time.monotonic() < deadline
            time.sleep(0.05)
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait()
        if child.stderr:
            child.stderr.close()
    assert child.returncode == -signal.SIGKILL
    assert TimelineEvent.with_pending.filter(incident=incident).exists()
    assert not TimelineEvent.objects.filter(incident=incident).exists()
    summary = run(incident, export)
    assert summary.added == 60_000
    assert TimelineEvent.objects.filter(incident=incident).count() == 60_000
    assert not TimelineEvent.with_pending.exclude(pending_import="").exists()


def test_check_removes_what_killed_imports_left(incident: Incident) -> None:
    from secondstory.lib.health import health_report

    pending_row(incident, "C1/old", new_import_id(time.time() - ABANDONED_AFTER_SECONDS - 5))
    lines = [line for ok, line in health_report() if line.startswith("imports:")]
    assert lines == ["imports: removed 1 events left pending by interrupted imports"]
    assert not TimelineEvent.with_pending.exists()


def test_loading_an_incident_is_not_blocked_by_what_a_killed_import_left(db: None) -> None:
    from secondstory.incidents.services import upsert_incident
    from tests.apps.factories import incident_record

    record = incident_record("INC-LOAD")
    incident = upsert_incident(record)
    first = record.timeline[0]
    TimelineEvent.objects.filter(incident=incident).delete()
    stale = pending_row(incident, first.source_ref, new_import_id())
    TimelineEvent.with_pending.filter(pk=stale.pk).update(source=first.source)
    upsert_incident(record)
    assert TimelineEvent.objects.filter(incident=incident).count() == len(record.timeline)
    assert not TimelineEvent.with_pending.exclude(pending_import="").exists()
