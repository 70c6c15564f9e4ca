"""Tracker sync: create an issue for an action item, apply a tracker's state to the item,
and the periodic pull that catches what webhooks missed.

A failed call never touches the item: it is recorded in the item's sync log and tried
again on the next run.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from secondstory.actions.models import ActionItem
from secondstory.actions.services import set_status
from secondstory.core import taxonomy
from secondstory.lib import site
from secondstory.notify.stopping import stop_requested
from secondstory.trackers.clients import Issue, NewIssue, RateLimited, TrackerError, client_for
from secondstory.trackers.crypto import CredentialError
from secondstory.trackers.models import SyncLog, TrackerConnection, TrackerLink, WebhookDelivery

logger = logging.getLogger("secondstory.trackers")

ACTIVE = ("open", "in_progress")


def item_url(item: ActionItem) -> str:
    path = reverse("postmortems:detail", args=[item.postmortem.key])
    return f"{site.base_url()}{path}#action-{item.key}"


def log(
    item: ActionItem,
    *,
    direction: str,
    reason: str,
    link: TrackerLink | None = None,
    old: str = "",
    new: str = "",
    error: str = "",
    at: datetime | None = None,
) -> SyncLog:
    return SyncLog.objects.create(
        item=item,
        link=link,
        at=at or timezone.now(),
        direction=direction,
        old_status=old,
        new_status=new,
        reason=reason[:300],
        outcome="failed" if error else "ok",
        error=error,
    )


def _check_issue(issue: Issue, label: str) -> None:
    """Refuse an answer that cannot be stored or shown safely."""
    if not issue.url.startswith(("https://", "http://")) or len(issue.url) > taxonomy.MAX_URL:
        raise TrackerError(f"{label} answered with an unusable issue address")
    if len(issue.external_id) > 200 or len(issue.key) > 200:
        raise TrackerError(f"{label} answered with an overlong issue id")


def create_issue(item: ActionItem, connection: TrackerConnection) -> TrackerLink:
    """File the item as an issue in the tracker and keep the link (also as its tracker_url).

    Raises TrackerError (already recorded in the item's sync log) when the tracker refuses.
    """
    label = connection.get_kind_display()
    if not connection.enabled:
        raise TrackerError(f"the connection {connection.name} is disabled")
    if TrackerLink.objects.filter(item=item, connection=connection).exists():
        raise TrackerError(f"this item already has an issue in {connection.name}")
    new = NewIssue(
        title=item.title,
        postmortem_url=item_url(item),
        postmortem_title=item.postmortem.title,
        done_criterion=item.done_criterion,
        due=item.due,
    )
    try:
        issue = client_for(connection).create_issue(new)
        _check_issue(issue, label)
    except (TrackerError, CredentialError) as error:
        log(item, direction="create", reason=f"creating a {label} issue failed", error=str(error))
        raise TrackerError(str(error)) from error
    now = timezone.now()
    try:
        with transaction.atomic():
            link = TrackerLink.objects.create(
                item=item,
                connection=connection,
                external_id=issue.external_id,
                external_key=issue.key,
                url=issue.url,
                state=issue.state,
                last_synced_at=now,
            )
            # updated_at too: a revision built from the previous one checks it.
            ActionItem.objects.filter(pk=item.pk).update(tracker_url=issue.url, updated_at=now)
            item.tracker_url = issue.url
    except IntegrityError as error:
        message = f"{label} issue {issue.key} is already linked to another action item"
        log(item, direction="create", reason="linking the new issue failed", error=message)
        raise TrackerError(message) from error
    log(item, link=link, direction="create", reason=f"{label} issue {issue.key} created", at=now)
    return link


def apply_state(
    link: TrackerLink, state: str, *, at: datetime, direction: str, reason: str
) -> SyncLog | None:
    """Bring the item in line with its issue: closed → done (completed at ``at``),
    reopened → open. Inbound events always apply; a pull applies only what changed since the
    last known state, so an item someone changed by hand is not flipped back every run."""
    now = timezone.now()
    with transaction.atomic():
        item = ActionItem.objects.select_for_update().select_related("owner").get(pk=link.item_id)
        changed_upstream = state != link.state
        link.state = state
        link.last_synced_at = now
        link.save(update_fields=["state", "last_synced_at"])
        old = item.status
        target = ""
        if state == "closed" and old in ACTIVE:
            target = "done"
        elif state == "open" and old == "done":
            target = "open"
        if target and (direction == "inbound" or changed_upstream):
            try:
                with transaction.atomic():
                    set_status(item, target, at=min(at, now) if target == "done" else None)
            except ValidationError as error:
                return log(
                    item, link=link, direction=direction, reason=reason, old=old, new=old,
                    error="; ".join(error.messages),
                )  # fmt: skip
            return log(item, link=link, direction=direction, reason=reason, old=old, new=target)
        if direction == "inbound":
            return log(
                item, link=link, direction=direction, old=old, new=old,
                reason=f"{reason}; the item stays {item.get_status_display().lower()}",
            )  # fmt: skip
    return None


@dataclass
class PullReport:
    checked: int = 0
    changed: int = 0
    failed: int = 0
    skipped: int = 0


def pull_sync(*, connections: list[TrackerConnection] | None = None) -> PullReport:
    """Ask every enabled tracker for the state of each linked issue and apply it.

    A 429 pauses the connection until its Retry-After (recorded on the item that hit it);
    401, 404, timeouts and other failures are recorded in the item's sync log and the item is
    left as it was; all of them are tried again on the next run.
    """
    report = PullReport()
    if connections is None:
        connections = list(TrackerConnection.objects.filter(enabled=True))
    for connection in connections:
        links = list(connection.links.select_related("item").order_by("last_synced_at", "id"))
        if connection.paused_until and connection.paused_until > timezone.now():
            report.skipped += len(links)
            continue
        client = client_for(connection)
        label = connection.get_kind_display()
        for index, link in enumerate(links):
            if stop_requested():  # the worker is stopping: the rest is pulled next run
                report.skipped += len(links) - index
                break
            try:
                issue = client.fetch_issue(link.external_id)
            except RateLimited as error:
                connection.paused_until = error.retry_at
                connection.save(update_fields=["paused_until"])
                log(
                    link.item, link=link, direction="pull",
                    reason=f"{label} rate limit: paused until {error.retry_at:%Y-%m-%d %H:%M} UTC",
                    error=str(error),
                )  # fmt: skip
                report.failed += 1
                report.skipped += len(links) - index - 1
                break
            except (TrackerError, CredentialError) as error:
                log(
                    link.item, link=link, direction="pull",
                    reason=f"pulling {link.external_key} from {label} failed", error=str(error),
                )  # fmt: skip
                logger.warning("tracker pull failed for %s: %s", link.external_key, error)
                report.failed += 1
                continue
            report.checked += 1
            if issue.state == "canceled":
                TrackerLink.objects.filter(pk=link.pk).update(last_synced_at=timezone.now())
                continue
            entry = apply_state(
                link, issue.state, at=issue.closed_at or timezone.now(), direction="pull",
                reason=f"{label} issue {link.external_key} found {issue.state} by pull sync",
            )  # fmt: skip
            if entry is not None and entry.changed:
                report.changed += 1
        else:
            if connection.paused_until is not None:
                connection.paused_until = None
                connection.save(update_fields=["paused_until"])
    return report


def remember_delivery(connection: TrackerConnection, delivery_id: str) -> bool:
    """Note a webhook delivery as received; False when it was received before (a retry or a
    replay). Deliveries older than SECONDSTORY_WEBHOOK_REMEMBER_DAYS are forgotten."""
    now = timezone.now()
    horizon = now - timedelta(days=settings.SECONDSTORY_WEBHOOK_REMEMBER_DAYS)
    WebhookDelivery.objects.filter(received_at__lt=horizon).delete()
    try:
        with transaction.atomic():
            WebhookDelivery.objects.create(
                connection=connection, delivery_id=delivery_id, received_at=now
            )
    except IntegrityError:
        return False
    return True
