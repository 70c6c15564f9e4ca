"""Send notifications to every configured channel, once per key, and retry the failures.

The public entry point is :func:`send`; reminders and other apps call it (or
:func:`deliver_message`). Every kind of notification goes through :func:`attempt`, the one
place that claims a delivery, sends it and decides whether it is retried (see ``outbox``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from secondstory.accounts.models import User
from secondstory.actions.models import ActionItem
from secondstory.lib import site
from secondstory.notify import outbox
from secondstory.notify.channels import (
    Channel,
    DeliveryError,
    Message,
    active_channels,
    deliver,
)
from secondstory.notify.models import Delivery
from secondstory.notify.stopping import stop_requested

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = outbox.MAX_ATTEMPTS
# Reminders and digests are planned afresh by every sweep (which retries their failures);
# retry_failed leaves them alone so a reminder for an item since done is not sent.
PLANNED_KINDS = ("due_soon", "overdue", "digest")
# After this many failures in a row within one run, a channel is left alone until the next run.
FAILURES_BEFORE_PAUSE = 3


class Run:
    """One pass of a job: when it started (failures from before are retried) and failures per
    channel, so an unreachable channel is not tried 100 times in one pass."""

    def __init__(self, started: datetime | None = None) -> None:
        self.started = started or timezone.now()
        self.failures: dict[str, int] = {}

    def paused(self, channel: Channel) -> bool:
        return self.failures.get(channel.key, 0) >= FAILURES_BEFORE_PAUSE

    def record(self, channel: Channel, delivery: Delivery) -> None:
        if delivery.status == "sent":
            self.failures[channel.key] = 0
        else:
            self.failures[channel.key] = self.failures.get(channel.key, 0) + 1


def item_url(item: ActionItem) -> str:
    """The action item's anchor on its postmortem page, as an absolute link."""
    path = reverse("postmortems:detail", args=[item.postmortem.key])
    return f"{site.base_url()}{path}#action-{item.key}"


def item_payload(item: ActionItem) -> dict[str, Any]:
    return {
        "postmortem": item.postmortem.key,
        "key": item.key,
        "title": item.title,
        "owner": item.owner.username,
        "due": item.due.isoformat(),
        "status": item.status,
        "url": item_url(item),
    }


def is_restricted(item: ActionItem) -> bool:
    return item.postmortem.incidents.filter(visibility="restricted").exists()


def restricted_notice(item: ActionItem, kind: str) -> tuple[str, str]:
    """Subject and text shared channels get for an item on a restricted postmortem."""
    ref = f"{item.postmortem.key} {item.key}"
    subject = f"{kind.replace('_', ' ').capitalize()}: {ref}"
    text = (
        f"{item.owner.name}: a {kind.replace('_', ' ')} notice about action item {ref} "
        f"(restricted postmortem; details only for people who may read it).\n{item_url(item)}"
    )
    return subject, text


def send(
    user: User,
    *,
    kind: str,
    subject: str,
    text: str,
    item: ActionItem | None = None,
    key: str = "",
    run: Run | None = None,
) -> list[Delivery]:
    """Notify ``user`` on every configured channel; return the deliveries tried now.

    With a ``key``, a channel that already has that key for ``user`` (sent, given up, or
    being sent by another run) is not tried again. Failures are recorded on the Delivery,
    never raised, and retried by later runs up to ``MAX_ATTEMPTS`` tries. Shared channels
    (Slack, webhooks, email copies) get only a link for an item on a restricted postmortem.
    """
    restricted = item is not None and is_restricted(item)
    shared_subject, shared_text = restricted_notice(item, kind) if item and restricted else ("", "")
    message = Message(
        kind=kind,
        subject=subject,
        text=text,
        recipient=user,
        item=item_payload(item) if item is not None else None,
        restricted=restricted,
        shared_subject=shared_subject,
        shared_text=shared_text,
    )
    return deliver_message(message, item=item, key=key, run=run)


def deliver_message(
    message: Message,
    *,
    item: ActionItem | None,
    key: str,
    channels: Iterable[Channel] | None = None,
    run: Run | None = None,
) -> list[Delivery]:
    """Queue ``message`` for each channel (default: all active), then try the rows this run
    may claim; return those it tried.

    Rows for channels ``run`` has paused, or left when the worker is stopping, stay queued
    for the next run.
    """
    run = run or Run()
    targets = active_channels() if channels is None else list(channels)
    queued = [
        (channel, outbox.queue(channel, message, item=item, key=key))
        for channel in targets
        if channel.can_reach(message.recipient)
    ]
    tried = []
    for channel, delivery in queued:
        if stop_requested():
            break
        if delivery.status in outbox.SETTLED or run.paused(channel):
            continue
        if attempt(delivery, channel, message, run, fields=outbox.content(channel, message)):
            tried.append(delivery)
    return tried


def settled_keys(keys: Iterable[str]) -> set[tuple[str, int, str]]:
    """(channel key, recipient id, key) of every delivery of ``keys`` sent or given up."""
    rows = Delivery.objects.filter(key__in=list(keys), status__in=outbox.SETTLED).values_list(
        "channel_key", "recipient_id", "key"
    )
    return {(channel, recipient, key) for channel, recipient, key in rows if recipient}


def retry_failed(*, before: datetime | None = None, run: Run | None = None) -> list[Delivery]:
    """Try again every delivery that failed or was left queued before ``before`` (default:
    now), and every one whose sender died; return those tried.

    Reminders and digests are not retried here: the sweep plans them again.
    """
    run = run or Run(before)
    outbox.give_up_abandoned()
    channels = {channel.key: channel for channel in active_channels()}
    waiting = (
        Delivery.objects.filter(outbox.claimable(retry_before=run.started, now=timezone.now()))
        .filter(~Q(status="pending") | Q(last_attempt_at__lt=run.started))
        .exclude(kind__in=PLANNED_KINDS)
        .select_related("recipient", "item__postmortem", "item__owner")
        .order_by("id")
    )
    tried = []
    for delivery in waiting:
        if stop_requested():
            break
        channel = channels.get(delivery.channel_key)
        if channel is None or delivery.recipient is None or run.paused(channel):
            continue
        if attempt(delivery, channel, _stored_message(delivery), run, fields={}):
            tried.append(delivery)
    return tried


def _stored_message(delivery: Delivery) -> Message:
    """The message as recorded; the recorded text is already what this channel may see."""
    assert delivery.recipient is not None
    item = delivery.item
    return Message(
        kind=delivery.kind,
        subject=delivery.subject,
        text=delivery.text,
        recipient=delivery.recipient,
        item=item_payload(item) if item is not None else None,
        restricted=item is not None and is_restricted(item),
        shared_subject=delivery.subject,
        shared_text=delivery.text,
        calendar=delivery.calendar,
    )


def send_queued(delivery_ids: Iterable[int], *, run: Run | None = None) -> list[Delivery]:
    """Try now the deliveries a request queued (``outbox.queue``) for the worker to send;
    return those tried. Failures are recorded and retried by the sweep like any other."""
    run = run or Run()
    channels = {channel.key: channel for channel in active_channels()}
    queued = (
        Delivery.objects.filter(pk__in=list(delivery_ids), status__in=Delivery.OPEN_STATES)
        .select_related("recipient", "item__postmortem", "item__owner")
        .order_by("id")
    )
    tried = []
    for delivery in queued:
        channel = channels.get(delivery.channel_key)
        if channel is None or delivery.recipient is None or run.paused(channel):
            continue
        if attempt(delivery, channel, _stored_message(delivery), run, fields={}):
            tried.append(delivery)
    return tried


def attempt(
    delivery: Delivery, channel: Channel, message: Message, run: Run, *, fields: dict[str, str]
) -> bool:
    """Claim ``delivery``, send it once and record the outcome; False if it was not ours."""
    if not outbox.claim(delivery, retry_before=run.started, fields=fields):
        return False
    error: str | None = None
    try:
        deliver(channel, message)
    except DeliveryError as exc:
        error = str(exc)
    except Exception as exc:  # a channel must never break the worker
        logger.exception("notification to %s failed", channel.label)
        error = f"{type(exc).__name__}: {exc}"
    outbox.finish(delivery, error)
    run.record(channel, delivery)
    return True
