"""The periodic job (``secondstory worker`` runs it with the others): overdue events, and
every delivery whose retry is due."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from secondstory.actions.models import ActionItem
from secondstory.outgoing import events, sender
from secondstory.outgoing.models import WebhookDelivery


def queue_overdue(today: date | None = None) -> int:
    """Queue ``action_item.overdue`` once per item and due date for every endpoint that
    listens, for items due on or after the day the endpoint was added (an endpoint added
    today is not sent years of old overdue items)."""
    today = today or timezone.localdate()
    queued = 0
    for endpoint in events.subscribers("action_item.overdue"):
        since = timezone.localdate(endpoint.created_at)
        items = ActionItem.objects.filter(
            status__in=("open", "in_progress"), due__lt=today, due__gte=since
        ).select_related("postmortem", "owner")
        keys = {item.pk: f"action_item:{item.pk}:overdue:{item.due.isoformat()}" for item in items}
        sent = set(
            WebhookDelivery.objects.filter(endpoint=endpoint, key__in=keys.values()).values_list(
                "key", flat=True
            )
        )
        for item in items:
            if keys[item.pk] not in sent:
                with transaction.atomic():
                    queued += events.action_item_overdue(item, [endpoint])
    return queued


def run_webhooks() -> dict[str, int]:
    """Queue overdue events, then deliver everything due."""
    queued = queue_overdue()
    tried = sender.deliver_due()
    return {"queued": queued, "tried": len(tried)}
