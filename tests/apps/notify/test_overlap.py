"""Overlapping runs (the worker's sweep next to `actions remind`) deliver each key once.

Each runner is a thread with its own database connection, so the runs really overlap on the
database; a local SMTP server and a local webhook receiver count what arrives.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from secondstory.accounts.models import User
from secondstory.actions.models import ActionItem
from secondstory.notify import jobs
from secondstory.notify.models import Delivery
from secondstory.notify.outbox import CLAIM_LEASE, MAX_ATTEMPTS
from secondstory.notify.reminders import digest_reminders, item_reminders
from secondstory.notify.services import retry_failed, send
from secondstory.postmortems.models import Postmortem
from tests.apps.notify.conftest import Inbox, Receiver

pytestmark = pytest.mark.django_db(transaction=True)

DAY = date(2026, 4, 10)
RUNNERS = 3


def _together(job: Callable[[], object], runners: int = RUNNERS) -> None:
    """Run ``job`` in ``runners`` threads released at the same moment."""
    start = threading.Barrier(runners)
    errors: list[BaseException] = []

    def runner() -> None:
        try:
            start.wait()
            job()
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=runner) for _ in range(runners)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def _items(postmortem: Postmortem, owners: list[User], count: int) -> None:
    for number in range(count):
        ActionItem.objects.create(
            postmortem=postmortem,
            key=f"B{number}",
            title=f"Follow-up {number}",
            type="detect",
            priority="P2",
            owner=owners[number % len(owners)],
            due=DAY - timedelta(days=1 + number % 3) if number % 2 else DAY + timedelta(days=2),
        )


def test_overlapping_sweeps_send_every_reminder_and_digest_exactly_once(
    settings: Any, smtp: Inbox, receiver: Receiver, postmortem: Postmortem, alice: User, bob: User
) -> None:
    settings.SECONDSTORY_NOTIFY_WEBHOOK_URL = f"{receiver.url}/hook"
    _items(postmortem, [alice, bob], 12)
    expected = len(item_reminders(DAY)) + len(digest_reminders(DAY))

    _together(lambda: jobs.remind(DAY))

    hooks = Counter(
        (body["recipient"]["username"], body["kind"], (body["item"] or {}).get("key"))
        for _, body in receiver.requests
    )
    mails = Counter((tuple(to), message["Subject"]) for to, message in smtp.messages)
    assert len(hooks) == expected and set(hooks.values()) == {1}
    assert len(mails) == expected and set(mails.values()) == {1}
    assert Delivery.objects.filter(status="sent").count() == 2 * expected
    assert jobs.remind(DAY).as_dict() == {"sent": 0, "failed": 0}


def test_overlapping_retries_send_every_failed_delivery_exactly_once(
    settings: Any, receiver: Receiver, no_channels: None, alice: User
) -> None:
    settings.SECONDSTORY_NOTIFY_WEBHOOK_URL = f"{receiver.url}/hook"
    receiver.status = 500
    for number in range(10):
        send(alice, kind="recurrence", subject=f"s{number}", text="came back", key=f"r:{number}")
    receiver.status, receiver.requests[:] = 200, []

    with time_machine.travel(timezone.now() + timedelta(minutes=15)):
        _together(retry_failed)

    assert sorted(body["subject"] for _, body in receiver.requests) == sorted(
        f"s{number}" for number in range(10)
    )
    assert set(Delivery.objects.values_list("status", "attempts")) == {("sent", 2)}


def test_a_claim_held_by_a_live_sender_is_left_alone_and_taken_over_after_its_lease(
    settings: Any, receiver: Receiver, no_channels: None, alice: User
) -> None:
    settings.SECONDSTORY_NOTIFY_WEBHOOK_URL = f"{receiver.url}/hook"
    now = timezone.now()
    delivery = Delivery.objects.create(
        channel_key="webhook", channel_label="webhook", recipient=alice, kind="recurrence",
        key="r:1", subject="s", text="t", status="sending", attempts=1,
        last_attempt_at=now, claimed_until=now + CLAIM_LEASE,
    )  # fmt: skip

    assert retry_failed(before=now + timedelta(minutes=1)) == []
    assert receiver.requests == []

    with time_machine.travel(now + CLAIM_LEASE + timedelta(seconds=1)):
        [taken] = retry_failed()
    assert (taken.pk, taken.status, taken.attempts) == (delivery.pk, "sent", 2)
    assert len(receiver.requests) == 1


def test_a_sender_that_died_on_the_last_try_is_given_up_not_repeated(
    settings: Any, receiver: Receiver, no_channels: None, alice: User
) -> None:
    settings.SECONDSTORY_NOTIFY_WEBHOOK_URL = f"{receiver.url}/hook"
    now = timezone.now()
    Delivery.objects.create(
        channel_key="webhook", channel_label="webhook", recipient=alice, kind="recurrence",
        key="r:1", subject="s", text="t", status="sending", attempts=MAX_ATTEMPTS,
        last_attempt_at=now, claimed_until=now + CLAIM_LEASE,
    )  # fmt: skip

    with time_machine.travel(now + CLAIM_LEASE + timedelta(seconds=1)):
        assert retry_failed() == []
    assert receiver.requests == []
    assert Delivery.objects.get().status == "failed"
