"""The worker's heartbeat: one row per worker process, refreshed while it runs, read by /readyz."""

from __future__ import annotations

import json
import logging
import os
import threading
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from click.testing import CliRunner
from django.db import OperationalError
from django.test import Client
from django.utils import timezone

from secondstory.cli.notify import worker_command
from secondstory.notify import heartbeat
from secondstory.notify.models import WorkerHeartbeat


class Ticks(threading.Event):
    """A stop event whose waits return at once; set after ``count`` waits."""

    def __init__(self, count: int) -> None:
        super().__init__()
        self.count, self.waits = count, 0

    def wait(self, timeout: float | None = None) -> bool:
        self.waits += 1
        if self.waits >= self.count:
            self.set()
        return self.is_set()


def test_a_worker_writes_one_row_and_refreshes_it(db: None) -> None:
    started = timezone.now()
    heartbeat.beat("w1", started)
    first = WorkerHeartbeat.objects.get()
    assert (first.worker_id, first.pid, first.started_at) == ("w1", os.getpid(), started)
    assert first.host
    with time_machine.travel(started + timedelta(seconds=30)):
        heartbeat.beat("w1", started)
    assert WorkerHeartbeat.objects.count() == 1
    assert WorkerHeartbeat.objects.get().beat_at == started + timedelta(seconds=30)
    assert heartbeat.last_beat() == started + timedelta(seconds=30)


def test_no_worker_means_no_last_beat(db: None) -> None:
    assert heartbeat.last_beat() is None


def test_workers_silent_for_a_week_are_forgotten(db: None) -> None:
    now = timezone.now()
    with time_machine.travel(now - timedelta(days=8)):
        heartbeat.beat("gone", timezone.now())
    with time_machine.travel(now - timedelta(days=6)):
        heartbeat.beat("quiet", timezone.now())
    assert heartbeat.forget_silent_workers() == 1
    assert list(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == ["quiet"]


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_loop_beats_until_stopped_and_survives_a_database_error(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    real_beat = heartbeat.beat
    calls: list[str] = []

    def flaky(worker_id: str, started_at: Any) -> None:
        calls.append(worker_id)
        if len(calls) == 1:
            raise OperationalError("database is locked")
        real_beat(worker_id, started_at)

    monkeypatch.setattr(heartbeat, "beat", flaky)
    with caplog.at_level(logging.WARNING, logger="secondstory.notify"):
        heartbeat.keep_beating(Ticks(3), "w1", seconds=30)
    assert calls == ["w1", "w1", "w1"]
    assert "could not record the worker heartbeat" in caplog.text
    assert WorkerHeartbeat.objects.get().worker_id == "w1"


@pytest.mark.django_db(transaction=True)
def test_running_the_worker_makes_readyz_ready(settings: Any) -> None:
    settings.SECONDSTORY_WORKER_HEARTBEAT_MAX_AGE = 120
    assert Client().get("/readyz").status_code == 503

    result = CliRunner().invoke(worker_command, ["--once"])

    assert result.exit_code == 0, result.output
    row = WorkerHeartbeat.objects.get()
    assert row.pid == os.getpid()
    response = Client().get("/readyz")
    assert response.status_code == 200, response.content
    assert json.loads(response.content)["checks"]["worker"] == "ok"
