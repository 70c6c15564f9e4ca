"""`secondstory actions remind` and `secondstory worker`."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from django_tasks_db.models import DBTaskResult

from secondstory.actions.models import ActionItem
from secondstory.cli.notify import remind_command, schedule_periodic, worker_command
from secondstory.notify import jobs
from secondstory.notify.models import Delivery
from secondstory.postmortems.demo import load_demo
from secondstory.postmortems.models import Postmortem
from tests.apps.notify.conftest import Inbox

CALLS: list[str] = []


def record_job() -> None:
    CALLS.append("ran")


def _run(command: Any, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(command, list(args))
    return result.exit_code, result.output


def test_dry_run_prints_what_to_whom_how_and_why_and_sends_nothing(
    smtp: Inbox, postmortem: Postmortem
) -> None:
    code, output = _run(remind_command, "--dry-run", "--today", "2026-04-10")

    assert code == 0, output
    assert (
        'would send overdue PM-1 A1 "Validate pool sizes in the config tool" (due 2026-04-04) '
        "to alice because overdue by 6 days" in output
    )
    assert "    by email: alice@example.com" in output
    assert "would send digest to alice because weekly digest, 1 overdue of 1 open" in output
    assert "dry run, nothing sent" in output
    assert smtp.messages == []
    assert not Delivery.objects.exists()


def test_dry_run_without_channels_still_lists_the_reminders(
    no_channels: None, postmortem: Postmortem
) -> None:
    code, output = _run(remind_command, "--dry-run", "--today", "2026-04-01", "--no-digest")

    assert code == 0, output
    assert output.startswith("note: no channel configured")
    assert "would send due-soon PM-1 A1" in output and "because due in 3 days" in output
    assert "digest" not in output


def test_remind_sends_now_and_a_second_run_sends_nothing(
    smtp: Inbox, postmortem: Postmortem
) -> None:
    code, output = _run(remind_command, "--today", "2026-04-10", "--no-digest")
    assert (code, output) == (0, "1 sent, 0 failed (retried next run)\n")
    assert smtp.messages[0][1]["Subject"].startswith("Overdue by 6 days")

    assert _run(remind_command, "--dry-run", "--today", "2026-04-11", "--no-digest")[1] == (
        "nothing to send on 2026-04-11\n"
    )
    assert _run(remind_command, "--today", "2026-04-11", "--no-digest")[1].startswith("0 sent")
    assert len(smtp.messages) == 1


def test_a_bad_day_names_the_option(db: None) -> None:
    code, output = _run(remind_command, "--dry-run", "--today", "2026-13-01")
    assert code == 1
    assert output == "error: --today: expected a date as YYYY-MM-DD, got '2026-13-01'\n"


def test_dry_run_on_the_demo_organisation_lists_every_overdue_item(smtp: Inbox, db: None) -> None:
    load_demo(login=False)
    today = date.today()
    overdue = ActionItem.objects.filter(status__in=["open", "in_progress"], due__lt=today)
    assert overdue.exists()

    code, output = _run(remind_command, "--dry-run", "--today", today.isoformat())

    assert code == 0, output
    for item in overdue.select_related("postmortem", "owner"):
        days = (today - item.due).days
        assert (
            f"would send overdue {item.postmortem.key} {item.key} " in output
            and f"to {item.owner.username} because overdue by {days} day" in output
        )
    assert output.count("would send overdue ") == overdue.count()


@pytest.mark.django_db(transaction=True)
def test_worker_once_enqueues_and_runs_the_periodic_jobs(
    smtp: Inbox, postmortem: Postmortem, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        jobs, "PERIODIC_JOBS", ["tests.apps.notify.test_cli.record_job", "no.such.job"]
    )
    monkeypatch.setattr(jobs.timezone, "localdate", lambda: date(2026, 4, 10))
    CALLS.clear()

    code, output = _run(worker_command, "--once")

    assert code == 0, output
    assert "enqueued 3:" in output and "tests.apps.notify.test_cli.record_job" in output
    assert CALLS == ["ran"]
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 3
    subjects = sorted(message["Subject"] for _, message in smtp.messages)
    assert len(subjects) == 2
    assert subjects[0].startswith("Overdue by 6 days")
    assert subjects[1].startswith("Your action items this week")

    assert _run(worker_command, "--once")[0] == 0
    assert len(smtp.messages) == 2
    assert CALLS == ["ran", "ran"]


def test_a_waiting_periodic_task_is_not_enqueued_twice(db: None) -> None:
    class OneTick(threading.Event):
        def wait(self, timeout: float | None = None) -> bool:
            self.set()
            return True

    schedule_periodic(OneTick(), 900)
    schedule_periodic(OneTick(), 900)

    from secondstory.notify.jobs import PERIODIC_JOBS

    assert sorted(DBTaskResult.objects.values_list("task_path", flat=True)) == sorted(
        [
            "secondstory.notify.tasks.reminder_sweep",
            "secondstory.notify.tasks.weekly_digest",
            *["secondstory.notify.tasks.periodic_job"] * len(PERIODIC_JOBS),
        ]
    )


def test_the_worker_stops_cleanly_on_sigint(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "SECONDSTORY_DATABASE_URL"}
    env["SECONDSTORY_HOME"] = str(tmp_path)
    python = sys.executable
    migrate = [str(Path(python).with_name("secondstory")), "django", "migrate", "-v", "0"]
    subprocess.run(migrate, env=env, check=True, timeout=300)
    code = "from secondstory.cli.notify import worker_command; worker_command()"
    worker = subprocess.Popen(
        [python, "-u", "-c", code, "--interval", "0.2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert worker.stdout is not None
        first = worker.stdout.readline()
        assert first.startswith("secondstory worker: periodic jobs every 15 minutes")
        for line in worker.stdout:
            if "Starting worker" in line:
                break
        worker.send_signal(signal.SIGINT)
        rest, _ = worker.communicate(timeout=60)
    finally:
        if worker.poll() is None:
            worker.kill()
    assert worker.returncode == 0, rest
    assert "secondstory worker stopped" in rest
    assert "Traceback" not in rest
