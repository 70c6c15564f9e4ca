"""Real worker processes on a SQLite home of their own.

SIGTERM stops `secondstory worker` after the delivery in flight, even when the SMTP server
accepts connections and never answers; `worker --once` and `actions remind` started together
send each reminder once.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from tests.apps.notify.conftest import Inbox, SilentServer, free_port

ROOT = Path(__file__).resolve().parents[3]

SETUP = """
from secondstory.accounts.models import Team, User
from secondstory.actions.models import ActionItem
from secondstory.postmortems.records import load_record
from tests.apps.factories import postmortem_record

people = [
    User.objects.create(username=name, display_name=name.title(), email=f"{name}@example.com")
    for name in ("alice", "bob", "charlie")
]
Team.objects.create(slug="payments", name="Payments").members.set(people[:2])
postmortem = load_record(postmortem_record())
item = postmortem.action_items.get(key="A1")
for number in range(2, 8):
    item.pk, item.key = None, f"A{number}"
    item.save()
"""


def _command(*args: str) -> list[str]:
    return [str(Path(sys.executable).with_name("secondstory")), *args]


def _secondstory(env: dict[str, str], *args: str) -> None:
    subprocess.run(_command(*args), env=env, cwd=ROOT, check=True, timeout=300, capture_output=True)


def _home(tmp_path: Path, smtp_port: int) -> dict[str, str]:
    """The environment of a migrated home with seven overdue action items of alice's."""
    env = {k: v for k, v in os.environ.items() if k != "SECONDSTORY_DATABASE_URL"}
    env.update(
        SECONDSTORY_HOME=str(tmp_path),
        SECONDSTORY_SMTP_HOST="127.0.0.1",
        SECONDSTORY_SMTP_PORT=str(smtp_port),
        SECONDSTORY_NOTIFY_TIMEOUT="3",
        PYTHONPATH=str(ROOT),
    )
    _secondstory(env, "django", "migrate", "-v", "0")
    _secondstory(env, "django", "shell", "-c", SETUP)
    return env


class SlowInbox(Inbox):
    """Takes a moment per message, so two runs started together overlap."""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await asyncio.sleep(0.3)
        return await super().handle_DATA(server, session, envelope)


def test_worker_once_and_actions_remind_started_together_send_each_reminder_once(
    tmp_path: Path,
) -> None:
    inbox = SlowInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        env = _home(tmp_path, controller.port)
        runs = [
            subprocess.Popen(_command(*args), env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True)
            for args in (("worker", "--once"), ("actions", "remind"))
        ]
        outputs = [run.communicate(timeout=300)[0] for run in runs]
    finally:
        controller.stop()

    assert [run.returncode for run in runs] == [0, 0], outputs
    subjects = Counter(message["Subject"] for _, message in inbox.messages)
    assert len(subjects) == 8  # seven overdue reminders and alice's digest
    assert set(subjects.values()) == {1}


def test_sigterm_while_the_smtp_server_hangs_stops_after_that_one_delivery(
    tmp_path: Path, silent: SilentServer
) -> None:
    env = _home(tmp_path, silent.port)
    code = "from secondstory.cli.notify import worker_command; worker_command()"
    worker = subprocess.Popen(
        [sys.executable, "-u", "-c", code, "--interval", "0.2"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120  # a liveness bound, not a speed goal
        while not silent.connections and worker.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert silent.connections, "the worker never tried the SMTP server"
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=60)
    finally:
        if worker.poll() is None:
            worker.kill()

    assert worker.returncode == 0, output
    assert "stopping after the current delivery" in output
    assert "secondstory worker stopped" in output
    assert "Traceback" not in output
    # One delivery was in flight; nothing else was tried after the signal.
    assert len(silent.connections) == 1
    with sqlite3.connect(tmp_path / "secondstory.sqlite3") as db:
        rows = dict(db.execute("SELECT status, count(*) FROM notify_delivery GROUP BY status"))
        [error] = db.execute("SELECT error FROM notify_delivery WHERE status = 'retrying'")
    assert rows["retrying"] == 1 and "sent" not in rows
    assert error[0] == "email to alice@example.com: timed out after 3s"
