"""Due-soon and overdue reminders and the weekly digest."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import time_machine
from django.utils import timezone

from secondstory.accounts.models import User
from secondstory.actions.models import ActionItem
from secondstory.notify import jobs
from secondstory.notify.models import Delivery
from secondstory.notify.reminders import digest_reminders, item_reminder, item_reminders
from secondstory.postmortems.models import Postmortem
from tests.apps.notify.conftest import Inbox, Receiver, free_port

DUE = date(2026, 4, 4)  # A1 of the test postmortem


def _a1(postmortem: Postmortem) -> ActionItem:
    return postmortem.action_items.get(key="A1")


def test_overdue_reminder_names_postmortem_item_due_date_days_and_link(
    settings: Any, postmortem: Postmortem
) -> None:
    reminder = item_reminder(_a1(postmortem), date(2026, 4, 10))

    assert reminder is not None
    assert reminder.kind == "overdue"
    assert reminder.key == f"overdue:{_a1(postmortem).pk}:2026-04-04"
    assert reminder.reason == "overdue by 6 days"
    assert "PM-1" in reminder.text and '"Validate pool sizes in the config tool"' in reminder.text
    assert "2026-04-04" in reminder.text and "6 days overdue" in reminder.text
    assert "http://127.0.0.1:8000/postmortems/PM-1/#action-A1" in reminder.text


def test_due_soon_within_the_setting_and_nothing_before(
    settings: Any, postmortem: Postmortem
) -> None:
    settings.SECONDSTORY_DUE_SOON_DAYS = 7
    item = _a1(postmortem)

    soon = item_reminder(item, date(2026, 4, 1))
    assert soon is not None and soon.kind == "due_soon" and soon.reason == "due in 3 days"
    today = item_reminder(item, DUE)
    assert today is not None and today.reason == "due today"
    assert item_reminder(item, date(2026, 3, 28)) is not None
    assert item_reminder(item, date(2026, 3, 27)) is None


def test_done_and_not_doing_items_get_no_reminder(postmortem: Postmortem) -> None:
    item = _a1(postmortem)
    item.status, item.completed_at = "done", datetime(2026, 4, 1, tzinfo=UTC)
    item.save()
    assert item_reminders(date(2026, 4, 10)) == []
    item.status, item.reason, item.completed_at = "not_doing", "Replaced by A2", None
    item.save()
    assert item_reminders(date(2026, 4, 10)) == []


def test_one_reminder_per_threshold_and_moving_the_due_date_rearms(
    smtp: Inbox, postmortem: Postmortem
) -> None:
    assert jobs.remind(date(2026, 4, 1), digest=False).as_dict() == {"sent": 1, "failed": 0}
    assert jobs.remind(date(2026, 4, 2), digest=False).as_dict() == {"sent": 0, "failed": 0}
    assert jobs.remind(date(2026, 4, 10), digest=False).as_dict() == {"sent": 1, "failed": 0}
    assert jobs.remind(date(2026, 4, 20), digest=False).as_dict() == {"sent": 0, "failed": 0}
    subjects = [message["Subject"] for _, message in smtp.messages]
    assert subjects[0].startswith("Due in 3 days:")
    assert subjects[1].startswith("Overdue by 6 days:")

    item = _a1(postmortem)
    item.due = date(2026, 5, 1)
    item.save()
    assert jobs.remind(date(2026, 5, 3), digest=False).as_dict() == {"sent": 1, "failed": 0}
    assert len(smtp.messages) == 3
    assert set(Delivery.objects.values_list("kind", flat=True)) == {"due_soon", "overdue"}


def test_digest_lists_open_items_overdue_first(postmortem: Postmortem, alice: User) -> None:
    ActionItem.objects.create(
        postmortem=postmortem,
        key="A2",
        title="Alert on the error rate within two minutes",
        type="detect",
        priority="P2",
        owner=alice,
        due=date(2026, 5, 20),
    )
    ActionItem.objects.create(
        postmortem=postmortem,
        key="A3",
        title="Already finished",
        type="detect",
        priority="P2",
        owner=alice,
        due=date(2026, 3, 20),
        status="done",
        completed_at=datetime(2026, 3, 19, tzinfo=UTC),
    )
    [digest] = digest_reminders(date(2026, 4, 10))

    assert digest.user == alice
    assert digest.key == f"digest:{alice.pk}:2026-W15"
    lines = [line for line in digest.text.splitlines() if line.startswith("- ")]
    assert lines[0].startswith("- OVERDUE 6 days: PM-1 A1")
    assert lines[1].startswith("- due in 40 days: PM-1 A2")
    assert len(lines) == 2
    assert "1 overdue, 2 open in total" in digest.text


def test_the_digest_goes_once_per_iso_week(smtp: Inbox, postmortem: Postmortem) -> None:
    def digests() -> int:
        return sum(1 for _, message in smtp.messages if "this week" in message["Subject"])

    with time_machine.travel(datetime(2026, 4, 6, 7, 0, tzinfo=UTC), tick=False):  # Monday
        jobs.remind(items=False)
        assert timezone.localdate() == date(2026, 4, 6)
    assert digests() == 1
    with time_machine.travel(datetime(2026, 4, 8, 7, 0, tzinfo=UTC), tick=False):
        jobs.remind(items=False)
    with time_machine.travel(datetime(2026, 4, 12, 23, 0, tzinfo=UTC), tick=False):  # Sunday
        jobs.remind(items=False)
    assert digests() == 1
    with time_machine.travel(datetime(2026, 4, 13, 7, 0, tzinfo=UTC), tick=False):
        jobs.remind(items=False)
    assert digests() == 2


def _overdue_items(postmortem: Postmortem, alice: User, count: int) -> None:
    for number in range(2, count + 2):
        ActionItem.objects.create(
            postmortem=postmortem,
            key=f"A{number}",
            title=f"Follow-up {number}",
            type="detect",
            priority="P2",
            owner=alice,
            due=DUE,
        )


def test_a_failed_reminder_is_retried_by_the_next_sweep_and_never_duplicated(
    settings: Any, receiver: Receiver, no_channels: None, postmortem: Postmortem
) -> None:
    settings.SECONDSTORY_NOTIFY_WEBHOOK_URL = receiver.url
    receiver.status = 500
    assert jobs.remind(date(2026, 4, 10), digest=False).as_dict() == {"sent": 0, "failed": 1}
    receiver.status = 200
    assert jobs.remind(date(2026, 4, 11), digest=False).as_dict() == {"sent": 1, "failed": 0}
    assert jobs.remind(date(2026, 4, 12), digest=False).as_dict() == {"sent": 0, "failed": 0}
    assert len(receiver.requests) == 2
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.error) == ("sent", 2, "")
    assert "7 days overdue" in receiver.json()["message"]


def test_a_failed_reminder_for_an_item_since_done_is_not_sent(
    settings: Any, receiver: Receiver, no_channels: None, postmortem: Postmortem
) -> None:
    settings.SECONDSTORY_NOTIFY_WEBHOOK_URL = receiver.url
    receiver.status = 500
    jobs.remind(date(2026, 4, 10), digest=False)
    item = _a1(postmortem)
    item.status, item.completed_at = "done", datetime(2026, 4, 10, 12, tzinfo=UTC)
    item.save()
    receiver.status = 200

    assert jobs.remind(date(2026, 4, 11)).as_dict() == {"sent": 0, "failed": 0}
    assert len(receiver.requests) == 1


def test_an_unreachable_channel_is_paused_for_the_rest_of_the_run(
    settings: Any, no_channels: None, postmortem: Postmortem, alice: User
) -> None:
    _overdue_items(postmortem, alice, 4)
    settings.SECONDSTORY_SLACK_WEBHOOK_URL = f"http://127.0.0.1:{free_port()}/"

    assert jobs.remind(date(2026, 4, 10), digest=False).as_dict() == {"sent": 0, "failed": 3}
    assert jobs.remind(date(2026, 4, 11), digest=False).as_dict() == {"sent": 0, "failed": 3}
    # the two not tried stay queued for a run that finds the channel back
    assert sorted(Delivery.objects.values_list("status", "attempts")) == [
        ("pending", 0),
        ("pending", 0),
        ("retrying", 2),
        ("retrying", 2),
        ("retrying", 2),
    ]
