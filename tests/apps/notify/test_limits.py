"""The failure limit holds for every kind: three failed tries, then failed for good.

Recurrence notifications and publication digests have the same tests next to their jobs
(tests/apps/actions/test_recurrence.py, tests/apps/sharing/test_subscriptions.py).
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from typing import Any

from django.urls import reverse

from secondstory.accounts.models import User
from secondstory.actions.models import ActionItem
from secondstory.notify import jobs
from secondstory.notify.models import Delivery
from secondstory.notify.services import retry_failed, send
from secondstory.postmortems.models import Postmortem
from tests.apps.conftest import client_for
from tests.apps.notify.conftest import Receiver

DAY = date(2026, 4, 10)


def test_due_soon_overdue_and_digest_stop_after_three_failed_tries(
    settings: Any, receiver: Receiver, no_channels: None, postmortem: Postmortem, alice: User
) -> None:
    settings.SECONDSTORY_NOTIFY_WEBHOOK_URL = f"{receiver.url}/hook"
    receiver.status = 500
    ActionItem.objects.create(
        postmortem=postmortem, key="A9", title="Soon", type="detect", priority="P2",
        owner=alice, due=DAY + timedelta(days=2),
    )  # fmt: skip

    for _ in range(6):
        jobs.remind(DAY)

    tries = Counter(body["kind"] for _, body in receiver.requests)
    assert tries == {"overdue": 3, "due_soon": 3, "digest": 3}
    assert sorted(Delivery.objects.values_list("kind", "status", "attempts")) == [
        ("digest", "failed", 3),
        ("due_soon", "failed", 3),
        ("overdue", "failed", 3),
    ]
    assert "HTTP 500" in Delivery.objects.first().error  # type: ignore[union-attr]


def test_other_kinds_are_retried_by_the_sweep_three_times_in_all(
    settings: Any, receiver: Receiver, no_channels: None, alice: User
) -> None:
    settings.SECONDSTORY_NOTIFY_WEBHOOK_URL = f"{receiver.url}/hook"
    receiver.status = 500
    send(alice, kind="note", subject="s", text="t", key="note:1")
    send(alice, kind="note", subject="s", text="t")

    for _ in range(5):
        retry_failed()

    assert len(receiver.requests) == 6
    assert set(Delivery.objects.values_list("status", "attempts")) == {("failed", 3)}


def test_admins_see_what_is_still_retried_and_what_was_given_up(
    settings: Any, receiver: Receiver, no_channels: None, alice: User
) -> None:
    settings.SECONDSTORY_NOTIFY_WEBHOOK_URL = f"{receiver.url}/hook"
    receiver.status = 500
    alice.is_staff = alice.is_superuser = True
    alice.save()
    client = client_for(alice)

    def listed(status: str) -> int:
        url = reverse("admin:notify_delivery_changelist") + f"?status__exact={status}"
        page = client.get(url)
        assert page.status_code == 200
        return int(page.context["cl"].result_count)

    send(alice, kind="note", subject="s", text="t", key="note:1")
    retry_failed()
    assert (listed("retrying"), listed("failed")) == (1, 0)
    retry_failed()
    assert (listed("retrying"), listed("failed")) == (0, 1)
