"""Events the services emit: each becomes one pending delivery per subscribed endpoint.

The rows are written in the transaction of the change (an outbox): a change rolled back
sends nothing, a committed one is delivered by the worker even if this process dies now.
Each delivery has a key (``action_item.done:<item>:<when>``) unique per endpoint, so the
same happening is never queued twice for one endpoint.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from secondstory.outgoing import payloads
from secondstory.outgoing.models import WebhookDelivery, WebhookEndpoint

if TYPE_CHECKING:
    from secondstory.actions.models import ActionItem
    from secondstory.incidents.models import Incident
    from secondstory.postmortems.models import Postmortem


def _link(name: str, *args: str) -> str:
    return f"{settings.SECONDSTORY_BASE_URL.rstrip('/')}{reverse(name, args=args)}"


def incident_data(incident: Incident) -> dict[str, Any]:
    restricted = incident.visibility == "restricted"
    return {
        "key": incident.key,
        "title": "" if restricted else incident.title,
        "severity": incident.severity.code,
        "visibility": incident.visibility,
        "restricted": restricted,
        "url": _link("incidents:detail", incident.key),
    }


def _restricted(postmortem: Postmortem) -> bool:
    return postmortem.incidents.filter(visibility="restricted").exists()


def postmortem_data(postmortem: Postmortem) -> dict[str, Any]:
    restricted = _restricted(postmortem)
    return {
        "key": postmortem.key,
        "title": "" if restricted else postmortem.title,
        "status": postmortem.status,
        "owner": postmortem.owner.username,
        "incidents": sorted(postmortem.incidents.values_list("key", flat=True)),
        "restricted": restricted,
        "url": _link("postmortems:detail", postmortem.key),
    }


def item_data(item: ActionItem) -> dict[str, Any]:
    restricted = _restricted(item.postmortem)
    return {
        "postmortem": item.postmortem.key,
        "key": item.key,
        "title": "" if restricted else item.title,
        "type": item.type,
        "priority": item.priority,
        "owner": item.owner.username,
        "due": item.due,
        "status": item.status,
        "restricted": restricted,
        "url": _link("postmortems:detail", item.postmortem.key) + f"#action-{item.key}",
    }


def subscribers(kind: str) -> list[WebhookEndpoint]:
    return [e for e in WebhookEndpoint.objects.filter(active=True) if kind in (e.kinds or [])]


def envelope(kind: str, data: dict[str, Any], at: datetime | None = None) -> dict[str, Any]:
    """The payload, checked against its model and in its JSON form."""
    payload = {
        "id": f"evt_{uuid.uuid4().hex}",
        "type": kind,
        "created_at": at or timezone.now(),
        "data": data,
    }
    return payloads.validate(payload).model_dump(mode="json")


def queue(endpoint: WebhookEndpoint, payload: dict[str, Any], key: str) -> WebhookDelivery | None:
    """The pending row for ``endpoint``; None when this key is already queued there."""
    try:
        with transaction.atomic():
            return WebhookDelivery.objects.create(
                endpoint=endpoint,
                event_id=payload["id"],
                kind=payload["type"],
                key=key[:200],
                payload=payload,
                next_attempt_at=timezone.now(),
            )
    except IntegrityError:
        return None


def emit(kind: str, build: Any, *, key: str, endpoints: list[WebhookEndpoint] | None = None) -> int:
    """Queue event ``kind`` for every active endpoint subscribed to it; the number queued.

    ``build`` makes the ``data`` part; it is only called when some endpoint listens.
    """
    targets = subscribers(kind) if endpoints is None else endpoints
    if not targets:
        return 0
    payload = envelope(kind, build())
    queued = sum(1 for endpoint in targets if queue(endpoint, payload, key) is not None)
    if queued:
        from secondstory.outgoing.tasks import schedule_delivery

        transaction.on_commit(schedule_delivery)
    return queued


# --- The events, called by the services at the point they happen -----------------------------


def incident_created(incident: Incident) -> int:
    return emit("incident.created", lambda: incident_data(incident), key=f"incident:{incident.pk}")


def review_requested(postmortem: Postmortem, at: datetime) -> int:
    return emit(
        "postmortem.review_requested",
        lambda: postmortem_data(postmortem),
        key=f"postmortem:{postmortem.pk}:in_review:{at.isoformat()}",
    )


def postmortem_published(postmortem: Postmortem, at: datetime) -> int:
    return emit(
        "postmortem.published",
        lambda: postmortem_data(postmortem),
        key=f"postmortem:{postmortem.pk}:published:{at.isoformat()}",
    )


def action_item_created(item: ActionItem) -> int:
    return emit("action_item.created", lambda: item_data(item), key=f"action_item:{item.pk}")


def action_item_done(item: ActionItem) -> int:
    at = item.completed_at.isoformat() if item.completed_at else ""
    return emit("action_item.done", lambda: item_data(item), key=f"action_item:{item.pk}:done:{at}")


def action_item_overdue(item: ActionItem, endpoints: list[WebhookEndpoint]) -> int:
    return emit(
        "action_item.overdue",
        lambda: item_data(item),
        key=f"action_item:{item.pk}:overdue:{item.due.isoformat()}",
        endpoints=endpoints,
    )


def ping(endpoint: WebhookEndpoint) -> WebhookDelivery | None:
    """A test event for ``endpoint`` alone (the Send test button)."""
    payload = envelope(
        "ping", {"endpoint": endpoint.name, "message": "A test delivery from secondstory."}
    )
    return queue(endpoint, payload, f"ping:{payload['id']}")
