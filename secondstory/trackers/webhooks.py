"""Inbound webhooks: who may call (signature checks) and what an event means.

- GitHub: ``X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>``.
- GitLab: ``X-Gitlab-Token`` equals the secret.
- Jira Cloud admin webhooks with a secret: ``X-Hub-Signature: sha256=<hex HMAC-SHA256>``.
- Linear: ``Linear-Signature: <hex HMAC-SHA256 of the body>``.

Against replays (docs/trackers.md): every delivery must carry the tracker's delivery id
(``DELIVERY_HEADERS``); an id already received is answered "duplicate" and changes nothing,
and ids are remembered for ``SECONDSTORY_WEBHOOK_REMEMBER_DAYS``. Trackers that sign the time
of a delivery (Linear's ``webhookTimestamp``, Jira's ``timestamp``) are also refused outside
``SECONDSTORY_WEBHOOK_MAX_AGE_SECONDS`` of the server's clock, either way.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.utils import timezone

from secondstory.trackers.clients import linear_state, parse_time
from secondstory.trackers.models import TrackerConnection

# The header that identifies one delivery (its retries share it), per tracker, newest first.
DELIVERY_HEADERS = {
    "github": ("X-GitHub-Delivery",),
    "gitlab": ("X-Gitlab-Event-UUID", "Idempotency-Key"),
    "jira": ("X-Atlassian-Webhook-Identifier",),
    "linear": ("Linear-Delivery",),
}
# Where a tracker puts the (signed) time it sent a delivery, in epoch milliseconds.
SENT_AT_FIELDS = {"jira": "timestamp", "linear": "webhookTimestamp"}


@dataclass(frozen=True)
class Event:
    external_id: str
    state: str  # "open", "closed" or "canceled"
    at: datetime
    reason: str


def _hmac_hex(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _prefixed(header: str, secret: str, body: bytes) -> bool:
    method, _, signature = header.partition("=")
    if method.strip().lower() != "sha256" or not signature:
        return False
    return hmac.compare_digest(signature.strip().lower(), _hmac_hex(secret, body))


def verify(connection: TrackerConnection, headers: Mapping[str, str], body: bytes) -> str:
    """Why the call is refused ("" when it is genuine)."""
    secret = connection.webhook_secret
    if not secret:
        return "no webhook secret is set for this connection"
    kind = connection.kind
    if kind == "github":
        ok = _prefixed(headers.get("X-Hub-Signature-256", ""), secret, body)
    elif kind == "jira":
        ok = _prefixed(headers.get("X-Hub-Signature", ""), secret, body)
    elif kind == "gitlab":
        ok = hmac.compare_digest(headers.get("X-Gitlab-Token", "").encode(), secret.encode())
    else:
        given = headers.get("Linear-Signature", "").strip().lower()
        ok = bool(given) and hmac.compare_digest(given, _hmac_hex(secret, body))
    return "" if ok else "the signature does not match"


def _field(data: Any, *path: str) -> Any:
    for name in path:
        if not isinstance(data, dict):
            return None
        data = data.get(name)
    return data


def _github(headers: Mapping[str, str], payload: Any) -> Event | None:
    if headers.get("X-GitHub-Event") != "issues":
        return None
    action = _field(payload, "action")
    number = _field(payload, "issue", "number")
    if action not in ("closed", "reopened") or number is None:
        return None
    if action == "closed":
        at = parse_time(_field(payload, "issue", "closed_at"))
        return Event(str(number), "closed", at or timezone.now(), "GitHub issue closed by webhook")
    at = parse_time(_field(payload, "issue", "updated_at"))
    return Event(str(number), "open", at or timezone.now(), "GitHub issue reopened by webhook")


def _gitlab(headers: Mapping[str, str], payload: Any) -> Event | None:
    if _field(payload, "object_kind") != "issue":
        return None
    attributes = _field(payload, "object_attributes")
    action = _field(attributes, "action")
    iid = _field(attributes, "iid")
    if action not in ("close", "reopen") or iid is None:
        return None
    if action == "close":
        at = parse_time(_field(attributes, "closed_at")) or parse_time(
            _field(attributes, "updated_at")
        )
        return Event(str(iid), "closed", at or timezone.now(), "GitLab issue closed by webhook")
    at = parse_time(_field(attributes, "updated_at"))
    return Event(str(iid), "open", at or timezone.now(), "GitLab issue reopened by webhook")


def _millis(value: Any) -> datetime | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value / 1000, tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    return None


def _jira(headers: Mapping[str, str], payload: Any) -> Event | None:
    if _field(payload, "webhookEvent") != "jira:issue_updated":
        return None
    items = _field(payload, "changelog", "items")
    if not isinstance(items, list) or not any(
        isinstance(entry, dict) and (entry.get("fieldId") or entry.get("field")) == "status"
        for entry in items
    ):
        return None
    issue_id = _field(payload, "issue", "id")
    if issue_id is None:
        return None
    category = _field(payload, "issue", "fields", "status", "statusCategory", "key")
    fields = _field(payload, "issue", "fields")
    at = (
        (parse_time(_field(fields, "resolutiondate")) if category == "done" else None)
        or parse_time(_field(fields, "updated"))
        or _millis(_field(payload, "timestamp"))
        or timezone.now()
    )
    if category == "done":
        return Event(str(issue_id), "closed", at, "Jira issue moved to a done status by webhook")
    return Event(str(issue_id), "open", at, "Jira issue moved out of done by webhook")


def _linear(headers: Mapping[str, str], payload: Any) -> Event | None:
    if _field(payload, "type") != "Issue" or _field(payload, "action") != "update":
        return None
    changed = _field(payload, "updatedFrom")
    if not isinstance(changed, dict) or "stateId" not in changed:
        return None
    issue_id = _field(payload, "data", "id")
    if issue_id is None:
        return None
    state = linear_state(_field(payload, "data", "state", "type"))
    at = (
        parse_time(_field(payload, "data", "completedAt"))
        if state == "closed"
        else parse_time(_field(payload, "data", "updatedAt"))
    )
    reasons = {
        "closed": "Linear issue completed by webhook",
        "canceled": "Linear issue canceled by webhook",
        "open": "Linear issue reopened by webhook",
    }
    return Event(str(issue_id), state, at or timezone.now(), reasons[state])


def delivery_id(connection: TrackerConnection, headers: Mapping[str, str]) -> str:
    """The tracker's id of this delivery ("" when the headers carry none)."""
    for name in DELIVERY_HEADERS[connection.kind]:
        value = headers.get(name, "").strip()
        if value:
            return value[:200]
    return ""


def stale(connection: TrackerConnection, payload: Any) -> str:
    """Why a delivery's signed time shows it is not fresh ("" when it is, or is unsigned)."""
    name = SENT_AT_FIELDS.get(connection.kind)
    if name is None:
        return ""
    sent = _millis(_field(payload, name))
    if sent is None:
        return f"the delivery has no {name}"
    age = (timezone.now() - sent).total_seconds()
    window = settings.SECONDSTORY_WEBHOOK_MAX_AGE_SECONDS
    if abs(age) > window:
        return f"{name} is {abs(age):.0f} s {'old' if age > 0 else 'ahead'}; at most {window} s"
    return ""


PARSERS = {"github": _github, "gitlab": _gitlab, "jira": _jira, "linear": _linear}


def parse(connection: TrackerConnection, headers: Mapping[str, str], payload: Any) -> Event | None:
    """The state change a delivery reports, or None for events that do not concern items."""
    return PARSERS[connection.kind](headers, payload)
