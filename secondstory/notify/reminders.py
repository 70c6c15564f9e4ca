"""Which reminders are due: due soon, overdue, and each owner's weekly digest.

Every reminder has an idempotency key, so a run sends only what no other run delivered:
``due_soon:<item id>:<due date>`` and ``overdue:<item id>:<due date>`` (moving the due date
re-arms them) and ``digest:<user id>:<ISO year>-W<week>`` (one digest a week).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import groupby

from django.conf import settings

from secondstory.accounts.models import User
from secondstory.actions.models import ActionItem
from secondstory.notify.channels import Channel, Message, active_channels
from secondstory.notify.models import Delivery
from secondstory.notify.services import (
    Run,
    deliver_message,
    item_payload,
    item_url,
    restricted_notice,
    settled_keys,
)
from secondstory.notify.stopping import stop_requested

OPEN = ("open", "in_progress")


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


@dataclass(frozen=True)
class Reminder:
    kind: str
    user: User
    key: str
    reason: str
    subject: str
    text: str
    item: ActionItem | None = None
    restricted: bool = False
    shared_subject: str = ""
    shared_text: str = ""

    def message(self) -> Message:
        return Message(
            kind=self.kind,
            subject=self.subject,
            text=self.text,
            recipient=self.user,
            item=item_payload(self.item) if self.item is not None else None,
            restricted=self.restricted,
            shared_subject=self.shared_subject,
            shared_text=self.shared_text,
        )


@dataclass
class Planned:
    reminder: Reminder
    channels: list[Channel] = field(default_factory=list)


def _open_items() -> list[ActionItem]:
    return list(
        ActionItem.objects.filter(status__in=OPEN)
        .select_related("postmortem", "owner")
        .order_by("owner_id", "due", "postmortem__key", "key")
    )


def _restricted_ids(items: list[ActionItem]) -> set[int]:
    postmortem_ids = {item.postmortem_id for item in items}
    rows = ActionItem.objects.filter(
        postmortem_id__in=postmortem_ids, postmortem__incidents__visibility="restricted"
    ).values_list("postmortem_id", flat=True)
    return set(rows)


def item_reminder(item: ActionItem, today: date, *, restricted: bool = False) -> Reminder | None:
    """The due-soon or overdue reminder ``item`` needs on ``today``, if any."""
    if item.status not in OPEN:
        return None
    pm = item.postmortem
    ref = f'"{item.title}" ({item.key}) from postmortem {pm.key} "{pm.title}"'
    if item.due < today:
        kind, days = "overdue", (today - item.due).days
        reason = f"overdue by {_days(days)}"
        subject = f"Overdue by {_days(days)}: {item.title} ({pm.key} {item.key})"
        when = f"was due on {item.due.isoformat()} and is {_days(days)} overdue"
    elif item.due <= today + timedelta(days=settings.SECONDSTORY_DUE_SOON_DAYS):
        kind, days = "due_soon", (item.due - today).days
        left = "today" if days == 0 else f"in {_days(days)}"
        reason = f"due {left}"
        subject = f"Due {left}: {item.title} ({pm.key} {item.key})"
        when = f"is due on {item.due.isoformat()}, {left}"
    else:
        return None
    text = (
        f"{item.owner.name}, the action item {ref} {when}.\n"
        f"Priority {item.priority}, status {item.get_status_display().lower()}.\n"
        f"{item_url(item)}\n\n"
        "Mark it done, move its due date, or record why it is not being done."
    )
    shared_subject, shared_text = restricted_notice(item, kind) if restricted else ("", "")
    return Reminder(
        kind=kind,
        user=item.owner,
        key=f"{kind}:{item.pk}:{item.due.isoformat()}",
        reason=reason,
        subject=subject,
        text=text,
        item=item,
        restricted=restricted,
        shared_subject=shared_subject,
        shared_text=shared_text,
    )


def item_reminders(today: date) -> list[Reminder]:
    items = _open_items()
    restricted = _restricted_ids(items)
    found = (item_reminder(i, today, restricted=i.postmortem_id in restricted) for i in items)
    return [reminder for reminder in found if reminder is not None]


def digest_key(user: User, today: date) -> str:
    year, week, _ = today.isocalendar()
    return f"digest:{user.pk}:{year}-W{week:02d}"


def _digest_line(item: ActionItem, today: date, *, hide_title: bool) -> str:
    if item.due < today:
        state = f"OVERDUE {_days((today - item.due).days)}"
    elif item.due == today:
        state = "due today"
    else:
        state = f"due in {_days((item.due - today).days)}"
    title = "(restricted postmortem)" if hide_title else f'"{item.title}"'
    return (
        f"- {state}: {item.postmortem.key} {item.key} {title}, due {item.due.isoformat()}\n"
        f"  {item_url(item)}"
    )


def digest_reminders(today: date) -> list[Reminder]:
    """One digest per owner of open items: their items, overdue first, then by due date."""
    items = _open_items()
    restricted = _restricted_ids(items)
    year, week, _ = today.isocalendar()
    reminders = []
    for _, group in groupby(items, key=lambda item: item.owner_id):
        mine = sorted(group, key=lambda item: (item.due >= today, item.due, item.postmortem.key))
        user = mine[0].owner
        overdue = sum(1 for item in mine if item.due < today)
        summary = f"{overdue} overdue, {len(mine)} open in total"
        head = f"{user.name}, your open action items for week {year}-W{week:02d}: {summary}.\n\n"
        lines = [_digest_line(item, today, hide_title=False) for item in mine]
        shared = [
            _digest_line(item, today, hide_title=item.postmortem_id in restricted) for item in mine
        ]
        any_restricted = any(item.postmortem_id in restricted for item in mine)
        subject = f"Your action items this week: {overdue} overdue, {len(mine)} open"
        reminders.append(
            Reminder(
                kind="digest",
                user=user,
                key=digest_key(user, today),
                reason=f"weekly digest, {overdue} overdue of {len(mine)} open",
                subject=subject,
                text=head + "\n".join(lines),
                restricted=any_restricted,
                shared_subject=f"{user.name}: {overdue} overdue, {len(mine)} open action items",
                shared_text=head + "\n".join(shared),
            )
        )
    return reminders


def plan(reminders: list[Reminder], channels: list[Channel] | None = None) -> list[Planned]:
    """The reminders some channel has not delivered (or given up on) yet, with those channels.

    Without any channel configured, every reminder is listed with no channel.
    """
    channels = active_channels() if channels is None else channels
    settled = settled_keys(reminder.key for reminder in reminders)
    planned = []
    for reminder in reminders:
        reachable = [channel for channel in channels if channel.can_reach(reminder.user)]
        pending = [
            channel
            for channel in reachable
            if (channel.key, reminder.user.pk, reminder.key) not in settled
        ]
        if pending or not reachable:
            planned.append(Planned(reminder, pending))
    return planned


def send_planned(planned: list[Planned], run: Run | None = None) -> list[Delivery]:
    run = run or Run()
    deliveries: list[Delivery] = []
    for entry in planned:
        if stop_requested():
            break
        if entry.channels:
            deliveries += deliver_message(
                entry.reminder.message(),
                item=entry.reminder.item,
                key=entry.reminder.key,
                channels=entry.channels,
                run=run,
            )
    return deliveries
