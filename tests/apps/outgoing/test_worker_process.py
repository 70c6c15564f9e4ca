"""A real `secondstory worker --once` process on a SQLite home of its own delivers the event
a declared incident queued, signed, exactly once."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.apps.outgoing.conftest import SECRET, SignedReceiver

ROOT = Path(__file__).resolve().parents[3]

SETUP = """
from secondstory.accounts.models import User
from secondstory.incidents.editing import IncidentFields, create_incident
from secondstory.incidents.models import Severity
from secondstory.outgoing.models import WebhookEndpoint

alice = User.objects.create(username="alice", display_name="Alice", role="admin")
WebhookEndpoint.objects.create(name="Receiver", url="{url}", secret="{secret}",
                               kinds=["incident.created"])
create_incident(IncidentFields(title="Checkout errors", severity=Severity.objects.get(code="SEV2"),
    visibility="internal", services=[], teams=[], tags=[], external_references=[],
    milestones={{}}), by=alice)
"""


def _secondstory(env: dict[str, str], *args: str) -> str:
    command = [str(Path(sys.executable).with_name("secondstory")), *args]
    done = subprocess.run(
        command, env=env, cwd=ROOT, check=True, timeout=300, capture_output=True, text=True
    )
    return done.stdout


def test_the_worker_delivers_what_a_change_queued(
    tmp_path: Path, signed_receiver: SignedReceiver
) -> None:
    env = {k: v for k, v in os.environ.items() if k != "SECONDSTORY_DATABASE_URL"}
    env.update(SECONDSTORY_HOME=str(tmp_path), SECONDSTORY_NOTIFY_TIMEOUT="5", PYTHONPATH=str(ROOT))
    _secondstory(env, "django", "migrate", "-v", "0")
    _secondstory(env, "django", "shell", "-c", SETUP.format(url=signed_receiver.url, secret=SECRET))
    assert signed_receiver.received == []  # queued, not sent by the change itself
    _secondstory(env, "worker", "--once")
    (received,) = signed_receiver.received
    assert received.verified
    assert received.payload["type"] == "incident.created"
    assert received.payload["data"]["title"] == "Checkout errors"
    _secondstory(env, "worker", "--once")
    assert len(signed_receiver.received) == 1
