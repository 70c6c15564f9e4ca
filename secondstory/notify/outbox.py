"""The delivery log as an outbox: queue a row, claim it atomically, record how it went.

Every notification is written as a ``Delivery`` row (``pending``) before anything is sent.
A sender then claims the row with one conditional UPDATE (``pending``/``retrying`` ->
``sending``, with a lease); the database lets exactly one of several concurrent runs win
(PostgreSQL re-checks the condition under the row lock, SQLite serialises writers), so two
overlapping runs (threads or processes) never send the same row twice. Only the winner sends.
A claim whose process died is taken over once its lease has passed.

A failed try leaves the row ``retrying``; after ``MAX_ATTEMPTS`` failed tries it is ``failed``
for good and no run claims it again.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from secondstory.actions.models import ActionItem
from secondstory.notify.channels import Channel, Message, subject_for, text_for
from secondstory.notify.models import Delivery

logger = logging.getLogger(__name__)

# A delivery is tried at most this many times; then it is marked failed and left alone.
MAX_ATTEMPTS = 3
# How long a claim holds. Far longer than one try can take (each network call has a timeout),
# so a live sender is never overtaken; a dead one's row is tried again after it.
CLAIM_LEASE = timedelta(minutes=15)
SETTLED = ("sent", "failed")


def queue(channel: Channel, message: Message, *, item: ActionItem | None, key: str) -> Delivery:
    """The row for ``message`` on ``channel``: the existing one for a key, else a new pending one.

    The unique constraint on (channel, recipient, key) makes a concurrent second insert fail;
    the loser reads the winner's row.
    """
    fields: dict[str, Any] = {
        "channel": channel.model,
        "kind": message.kind[:40],
        "item": item,
        "status": "pending",
        "last_attempt_at": timezone.now(),
        **content(channel, message),
    }
    if not key:
        return Delivery.objects.create(
            channel_key=channel.key, recipient=message.recipient, key="", **fields
        )
    lookup = {"channel_key": channel.key, "recipient": message.recipient, "key": key[:200]}
    try:
        with transaction.atomic():
            return Delivery.objects.create(**lookup, **fields)
    except IntegrityError:
        return Delivery.objects.get(**lookup)


def content(channel: Channel, message: Message) -> dict[str, str]:
    """What the row records of ``message`` as ``channel`` gets it."""
    return {
        "channel_label": channel.label,
        "address": channel.address_for(message.recipient),
        "subject": subject_for(channel, message)[:300],
        "text": text_for(channel, message),
        "calendar": message.calendar if channel.kind == "email" else "",
    }


def claimable(*, retry_before: datetime, now: datetime) -> Q:
    """Rows a run may claim: queued ones, failed ones last tried before ``retry_before`` (an
    earlier run), and ones whose sender's lease has passed."""
    return (
        Q(status="pending")
        | Q(status="retrying", last_attempt_at__lt=retry_before)
        | Q(status="sending", claimed_until__lt=now)
    ) & Q(attempts__lt=MAX_ATTEMPTS)


def claim(delivery: Delivery, *, retry_before: datetime, fields: dict[str, str]) -> bool:
    """Take ``delivery`` for one try; False when it is sent, given up or another run holds it.

    ``fields`` refresh what is recorded (a reminder's text says how overdue it is now).
    """
    now = timezone.now()
    until = now + CLAIM_LEASE
    won = (
        Delivery.objects.filter(pk=delivery.pk)
        .filter(claimable(retry_before=retry_before, now=now))
        .update(
            status="sending",
            claimed_until=until,
            attempts=F("attempts") + 1,
            last_attempt_at=now,
            **fields,
        )
    )
    if not won:
        return False
    delivery.refresh_from_db()
    return True


def finish(delivery: Delivery, error: str | None) -> None:
    """Record the try ``claim`` allowed: sent, retried next run, or failed for good."""
    now = timezone.now()
    if error is None:
        status, delivery.sent_at, delivery.error = "sent", now, ""
    else:
        status = "retrying" if delivery.attempts < MAX_ATTEMPTS else "failed"
        delivery.error = error
    # The attempt count identifies this claim: a run that took over an expired lease has
    # raised it, and its result is the one that stands.
    recorded = Delivery.objects.filter(
        pk=delivery.pk, status="sending", attempts=delivery.attempts
    ).update(status=status, error=delivery.error, sent_at=delivery.sent_at, claimed_until=None)
    if not recorded:
        logger.warning("delivery %s: its claim expired while it was being sent", delivery.pk)
        delivery.refresh_from_db()
        return
    delivery.status, delivery.claimed_until = status, None


def give_up_abandoned() -> int:
    """Mark failed the rows whose sender died during their last allowed try."""
    return Delivery.objects.filter(
        status="sending", claimed_until__lt=timezone.now(), attempts__gte=MAX_ATTEMPTS
    ).update(
        status="failed",
        claimed_until=None,
        error="the sender stopped during the last try; given up",
    )
