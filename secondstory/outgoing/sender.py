"""Delivering queued webhooks: claim a row atomically, POST it signed, record how it went.

A run claims a row with one conditional UPDATE (``pending``/``retrying`` whose time has
come, or ``sending`` whose lease has passed -> ``sending`` with a new lease); the database
lets exactly one of several overlapping runs win, and only the winner sends. A failed try
waits ``backoff * 2^(tries - 1)`` before the next; after the last allowed try the row is
``failed`` for good. The worker's stop flag is checked between deliveries.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from django.db.models import F, Min, Q
from django.utils import timezone

import secondstory
from secondstory.notify.channels import network_timeout
from secondstory.notify.stopping import stop_requested
from secondstory.outgoing.models import WebhookDelivery
from secondstory.outgoing.signing import signature_header

logger = logging.getLogger(__name__)

# Far longer than one try can take (each POST has a timeout): a live sender is never
# overtaken, a dead one's row is taken over after it.
CLAIM_LEASE = timedelta(minutes=5)
SETTLED = ("delivered", "failed")


def max_attempts() -> int:
    return max(1, int(getattr(settings, "SECONDSTORY_OUTGOING_WEBHOOK_ATTEMPTS", 8)))


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed try: 30 s, 1 min, 2 min, … (capped at a day)."""
    base = int(getattr(settings, "SECONDSTORY_OUTGOING_WEBHOOK_BACKOFF_SECONDS", 30))
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 86400))


def _claimable(now: object) -> Q:
    # No condition on another table here: PostgreSQL re-checks an UPDATE's conditions on
    # the row it waited for, but a join becomes a subquery it does not run again.
    return Q(status__in=("pending", "retrying"), next_attempt_at__lte=now) | Q(
        status="sending", claimed_until__lt=now
    )


def claim(delivery_id: int) -> WebhookDelivery | None:
    """The row, taken for one try; None when it is settled, not due or held by another run."""
    now = timezone.now()
    won = (
        WebhookDelivery.objects.filter(pk=delivery_id)
        .filter(_claimable(now), attempts__lt=max_attempts())
        .update(
            status="sending",
            claimed_until=now + CLAIM_LEASE,
            attempts=F("attempts") + 1,
            last_attempt_at=now,
        )
    )
    if not won:
        return None
    return WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)


@dataclass(frozen=True)
class Answer:
    code: int | None
    duration_ms: int
    error: str


def post(delivery: WebhookDelivery, client: httpx.Client) -> Answer:
    """POST the delivery once, signed; never raises."""
    endpoint = delivery.endpoint
    body = json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":")).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": f"secondstory-webhooks/{secondstory.__version__}",
        "X-Secondstory-Event": delivery.kind,
        "X-Secondstory-Delivery": delivery.event_id,
        "X-Secondstory-Signature": signature_header(endpoint.secret, body),
    }
    host, timeout = urlsplit(endpoint.url).netloc, network_timeout()
    started = time.monotonic()
    try:
        response = client.post(endpoint.url, content=body, headers=headers, timeout=timeout)
    except httpx.TimeoutException:
        error = f"{host}: timed out after {timeout:g}s"
        return Answer(None, _since(started), error)
    except httpx.HTTPError as exc:
        return Answer(None, _since(started), f"{host}: {' '.join(str(exc).split())[:300]}")
    duration = _since(started)
    if response.is_success:
        return Answer(response.status_code, duration, "")
    text = " ".join(response.text.split())[:200]
    return Answer(response.status_code, duration, f"HTTP {response.status_code} {text}".rstrip())


def _since(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def finish(delivery: WebhookDelivery, answer: Answer) -> WebhookDelivery:
    """Record the try ``claim`` allowed: delivered, retried after a wait, or given up."""
    now = timezone.now()
    fields: dict[str, object] = {
        "response_code": answer.code,
        "duration_ms": answer.duration_ms,
        "error": answer.error,
        "claimed_until": None,
    }
    if not answer.error:
        fields.update(status="delivered", delivered_at=now)
    elif delivery.attempts >= max_attempts():
        fields.update(status="failed")
    else:
        tried_at = delivery.last_attempt_at or now
        fields.update(status="retrying", next_attempt_at=tried_at + backoff(delivery.attempts))
    # The attempt count identifies this claim: a run that took over an expired lease has
    # raised it, and its result is the one that stands.
    WebhookDelivery.objects.filter(
        pk=delivery.pk, status="sending", attempts=delivery.attempts
    ).update(**fields)
    delivery.refresh_from_db()
    return delivery


def http_client() -> httpx.Client:
    """One client per run: its connections (and TLS set-up) serve every delivery of the run."""
    return httpx.Client(follow_redirects=False, timeout=network_timeout())


def attempt(delivery_id: int, client: httpx.Client | None = None) -> WebhookDelivery | None:
    """Claim, send and record one delivery; None when it was not this run's to send."""
    delivery = claim(delivery_id)
    if delivery is None:
        return None
    if client is None:
        with http_client() as own:
            return attempt_claimed(delivery, own)
    return attempt_claimed(delivery, client)


def attempt_claimed(delivery: WebhookDelivery, client: httpx.Client) -> WebhookDelivery:
    try:
        answer = post(delivery, client)
    except Exception as exc:  # a receiver must never break the worker
        logger.exception("webhook delivery %s failed", delivery.pk)
        answer = Answer(None, 0, f"{type(exc).__name__}: {exc}")
    return finish(delivery, answer)


def give_up_abandoned() -> int:
    """Mark failed the rows whose sender died during their last allowed try."""
    return WebhookDelivery.objects.filter(
        status="sending", claimed_until__lt=timezone.now(), attempts__gte=max_attempts()
    ).update(status="failed", claimed_until=None, error="the sender stopped during the last try")


def deliver_due(limit: int = 500) -> list[WebhookDelivery]:
    """Try every delivery whose time has come (oldest first); return those this run sent."""
    give_up_abandoned()
    due = (
        WebhookDelivery.objects.filter(_claimable(timezone.now()), attempts__lt=max_attempts())
        .filter(endpoint__active=True)
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    tried = []
    with http_client() as client:
        for pk in list(due):
            if stop_requested():
                break
            done = attempt(pk, client)
            if done is not None:
                tried.append(done)
    return tried


def next_retry_at() -> object:
    """When the earliest waiting retry is due (None when nothing waits)."""
    waiting = WebhookDelivery.objects.filter(status__in=("pending", "retrying"))
    return waiting.aggregate(at=Min("next_attempt_at"))["at"]
