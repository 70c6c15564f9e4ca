"""Send notifications to every configured channel, once per key, and retry the failures.

The public entry point is :func:`send`; reminders and other apps call it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from secondstory.accounts.models import User
from secondstory.actions.models import ActionItem
from secondstory.notify.channels import (
    Channel,
    DeliveryError,
    Message,
    active_channels,
    deliver,
    subject_for,
    text_for,
)
from secondstory.notify.models import Delivery

logger = logging.getLogger(__name__)

# A failed keyed delivery is retried on each run until it has been tried this many times.
MAX_ATTEMPTS = 10
# Reminders and digests are planned afresh by every sweep (which retries their failures);
# retry_failed leaves them alone so a reminder for an item since done is not sent.
PLANNED_KINDS = ("due_soon", "overdue", "digest")
# After this many failures in a row within one run, a channel is left alone until the next run.
FAILURES_BEFORE_PAUSE = 3


class Run:
    """Failures per channel within one run, so an unreachable channel is not tried 100 times."""

    def __init__(self) -> None:
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
    return f"{settings.SECONDSTORY_BASE_URL.rstrip('/')}{path}#action-{item.key}"


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
) -> list[Delivery]:
    """Notify ``user`` on every configured channel; return one Delivery per channel.

    With a ``key``, a channel that already delivered that key to ``user`` successfully is
    skipped (its earlier Delivery is returned); a failed one is tried again. Failures are
    recorded on the Delivery, never raised. Shared channels (Slack, webhooks, email copies)
    get only a link for an item on a restricted postmortem.
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
    return deliver_message(message, item=item, key=key)


def deliver_message(
    message: Message,
    *,
    item: ActionItem | None,
    key: str,
    channels: Iterable[Channel] | None = None,
    run: Run | None = None,
) -> list[Delivery]:
    """Deliver ``message`` to each channel (default: all active) that has not sent ``key``.

    Channels ``run`` has paused after repeated failures are skipped (tried next run).
    """
    run = run or Run()
    deliveries = []
    for channel in active_channels() if channels is None else channels:
        if not channel.can_reach(message.recipient) or run.paused(channel):
            continue
        delivery = _row(channel, message, item=item, key=key)
        if delivery.status != "sent":
            _attempt(delivery, channel, message)
            run.record(channel, delivery)
        deliveries.append(delivery)
    return deliveries


def already_sent(keys: Iterable[str]) -> set[tuple[str, int, str]]:
    """(channel key, recipient id, key) of every successful delivery of ``keys``."""
    rows = Delivery.objects.filter(key__in=list(keys), status="sent").values_list(
        "channel_key", "recipient_id", "key"
    )
    return {(channel, recipient, key) for channel, recipient, key in rows if recipient}


def retry_failed(*, before: datetime | None = None, run: Run | None = None) -> list[Delivery]:
    """Try again every failed keyed delivery last tried before ``before`` (default: now).

    Reminders and digests are not retried here: the sweep plans them again.
    """
    before = before or timezone.now()
    run = run or Run()
    channels = {channel.key: channel for channel in active_channels()}
    retried = []
    failed = (
        Delivery.objects.filter(
            status="failed", last_attempt_at__lt=before, attempts__lt=MAX_ATTEMPTS, key__gt=""
        )
        .exclude(kind__in=PLANNED_KINDS)
        .select_related("recipient", "item__postmortem", "item__owner")
    )
    for delivery in failed:
        channel = channels.get(delivery.channel_key)
        if channel is None or delivery.recipient is None or run.paused(channel):
            continue
        item = delivery.item
        message = Message(
            kind=delivery.kind,
            subject=delivery.subject,
            text=delivery.text,
            recipient=delivery.recipient,
            item=item_payload(item) if item is not None else None,
        )
        _attempt(delivery, channel, message)
        run.record(channel, delivery)
        retried.append(delivery)
    return retried


def _row(channel: Channel, message: Message, *, item: ActionItem | None, key: str) -> Delivery:
    fields: dict[str, Any] = {
        "channel": channel.model,
        "channel_label": channel.label,
        "address": channel.address_for(message.recipient),
        "kind": message.kind[:40],
        "item": item,
        "subject": subject_for(channel, message)[:300],
        "text": text_for(channel, message),
        "status": "failed",
        "last_attempt_at": timezone.now(),
    }
    if not key:
        return Delivery(channel_key=channel.key, recipient=message.recipient, key="", **fields)
    lookup = {"channel_key": channel.key, "recipient": message.recipient, "key": key[:200]}
    try:
        with transaction.atomic():
            delivery, created = Delivery.objects.get_or_create(**lookup, defaults=fields)
    except IntegrityError:
        delivery, created = Delivery.objects.get(**lookup), False
    if not created and delivery.status != "sent":
        for name in ("channel_label", "address", "subject", "text"):
            setattr(delivery, name, fields[name])
    return delivery


def _attempt(delivery: Delivery, channel: Channel, message: Message) -> None:
    now = timezone.now()
    delivery.attempts += 1
    delivery.last_attempt_at = now
    try:
        deliver(channel, message)
    except DeliveryError as exc:
        delivery.status, delivery.error = "failed", str(exc)
    except Exception as exc:  # a channel must never break the worker
        logger.exception("notification to %s failed", channel.label)
        delivery.status, delivery.error = "failed", f"{type(exc).__name__}: {exc}"
    else:
        delivery.status, delivery.error, delivery.sent_at = "sent", "", now
    delivery.save()
