"""Every network call of a delivery has a timeout: a server that accepts the connection and
never answers costs one failed try (SECONDSTORY_NOTIFY_TIMEOUT seconds), not a hung worker.

Tracker API calls have theirs (SECONDSTORY_TRACKER_TIMEOUT): tests/apps/trackers.
"""

from __future__ import annotations

from typing import Any

from secondstory.accounts.models import User
from secondstory.notify.services import retry_failed, send
from tests.apps.notify.conftest import SilentServer


def test_a_silent_smtp_server_times_out_and_counts_as_a_failure(
    settings: Any, no_channels: None, silent: SilentServer, alice: User
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", silent.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.SECONDSTORY_NOTIFY_TIMEOUT = 1

    [delivery] = send(alice, kind="note", subject="s", text="t", key="n1")

    assert (delivery.status, delivery.attempts) == ("retrying", 1)
    assert delivery.error == "email to alice@example.com: timed out after 1s"


def test_a_silent_webhook_times_out_and_three_of_them_give_up(
    settings: Any, no_channels: None, silent: SilentServer, alice: User
) -> None:
    settings.SECONDSTORY_NOTIFY_WEBHOOK_URL = f"http://127.0.0.1:{silent.port}/hook"
    settings.SECONDSTORY_NOTIFY_TIMEOUT = 1

    [delivery] = send(alice, kind="note", subject="s", text="t", key="n1")
    assert delivery.error == f"127.0.0.1:{silent.port}: timed out after 1s"
    retry_failed()
    [last] = retry_failed()

    assert (last.status, last.attempts) == ("failed", 3)


def test_the_timeout_is_ten_seconds_unless_set(settings: Any) -> None:
    from secondstory.notify.channels import network_timeout

    assert network_timeout() == 10 == settings.EMAIL_TIMEOUT
