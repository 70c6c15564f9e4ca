"""Opsgenie alert webhooks: ``{"action", "alert": {...}, "source": {...}, "integrationName"}``.

Each payload is one action on one alert and becomes one event at the alert's ``updatedAt``
(the time of the action), falling back to ``createdAt``. Opsgenie writes ``createdAt`` in
milliseconds and ``updatedAt`` in nanoseconds in the same object; the unit is told by size.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from secondstory.core.timeline.event import TimelineEvent
from secondstory.core.timeline.sources.base import (
    ACKNOWLEDGED,
    FIRING,
    RESOLVED,
    ParseOptions,
    Source,
    actor_name,
    clip,
    html_to_text,
    role_name,
    signal_key,
    stable_ref,
)
from secondstory.core.timeline.sources.payloads import (
    Payload,
    each,
    first_payload,
    head_has,
    instant,
    obj,
    one_line,
    opt_obj,
    sub,
    text,
    text_list,
    warn_unknown,
)

NAME = "opsgenie"
DESCRIPTION = "Opsgenie alert webhook payloads (JSON, one per line or an array)"

# Actions: (kind, state, verb for the text).
ACTIONS: dict[str, tuple[str, str, str]] = {
    "create": ("alert", FIRING, "Alert created"),
    "acknowledge": ("action", ACKNOWLEDGED, "Acknowledged"),
    "unacknowledge": ("action", "", "Acknowledgement removed"),
    "close": ("action", RESOLVED, "Closed"),
    "delete": ("action", "", "Deleted"),
    "addnote": ("chat", "", "Note"),
    "escalate": ("page", "", "Escalated"),
    "escalatenext": ("page", "", "Escalated to the next level"),
    "assignownership": ("action", "", "Ownership assigned"),
    "takeownership": ("action", "", "Ownership taken"),
    "addresponder": ("action", "", "Responder added"),
    "addrecipient": ("action", "", "Recipient added"),
    "addteam": ("action", "", "Team added"),
    "snooze": ("action", "", "Snoozed"),
    "snoozeended": ("status", "", "Snooze ended"),
    "addtags": ("status", "", "Tags added"),
    "removetags": ("status", "", "Tags removed"),
    "adddetails": ("status", "", "Details added"),
    "removedetails": ("status", "", "Details removed"),
    "updatepriority": ("status", "", "Priority changed"),
    "updatemessage": ("status", "", "Message changed"),
    "updatedescription": ("status", "", "Description changed"),
    "customaction": ("action", "", "Custom action"),
}

# Who did it: names Opsgenie uses for itself and its integrations.
SYSTEM_USERS = frozenset(("system", "alert api", "api", "integration", ""))


def is_alert_webhook(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and isinstance(value.get("action"), str)
        and isinstance(value.get("alert"), dict)
        and ("alertId" in value["alert"] or "tinyId" in value["alert"])
    )


def sniff(source: Source) -> bool:
    body = first_payload(source)
    if body is not None:
        return is_alert_webhook(body)
    return head_has(source, "action", "alert", "alertId")


def parse(source: Source, options: ParseOptions) -> Iterator[TimelineEvent]:
    return each(source, lambda payload: _payload_events(source, payload, options))


def _payload_events(
    source: Source, payload: Payload, options: ParseOptions
) -> Iterator[TimelineEvent]:
    event = alert_event(source, payload)
    if options.in_window(event.at):
        yield event


def alert_event(source: Source, payload: Payload) -> TimelineEvent:
    where = payload.where
    body = obj(payload.body, where, "alert")
    action = text(body, "action", where)
    if not action:
        raise where.error("action", "is missing")
    alert_where = sub(where, "alert")
    alert = obj(body.get("alert"), where, "alert")
    alert_id = text(alert, "alertId", alert_where) or text(alert, "tinyId", alert_where)
    if not alert_id:
        raise alert_where.error("alertId", "is missing")
    stamp_field = "updatedAt" if alert.get("updatedAt") not in (None, "", 0) else "createdAt"
    at = instant(alert.get(stamp_field), alert_where, stamp_field)
    if at is None:
        at = payload.received_at
    if at is None:
        raise alert_where.error("updatedAt", "the alert carries no time (nor createdAt)")
    known = ACTIONS.get(action.casefold())
    if known is None:
        warn_unknown(source, "Opsgenie action", action, where)
        kind, state, verb = "observation", "", action
    else:
        kind, state, verb = known
    message = text(alert, "message", alert_where)
    alias = text(alert, "alias", alert_where)
    username = text(alert, "username", alert_where)
    source_info = opt_obj(body, "source", where)
    source_type = text(source_info, "type", sub(where, "source")).casefold()
    integration = text(body, "integrationName", where)
    is_system = username.casefold() in SYSTEM_USERS or source_type in ("integration", "api")
    if is_system:
        actor = integration or text(source_info, "name", sub(where, "source")) or "Opsgenie"
        role = "integration"
    else:
        actor, role = username, "responder"
    tiny = text(alert, "tinyId", alert_where)
    label = f"#{tiny} {message}" if tiny else message
    line = f"{verb}: {label}" if label else verb
    key = action.casefold()
    if key == "create":
        priority = text(alert, "priority", alert_where)
        entity = text(alert, "entity", alert_where)
        details = [priority, f"entity {entity}" if entity else ""]
        tags = text_list(alert, "tags", alert_where)
        if tags:
            details.append("tags " + ", ".join(tags[:8]))
        if any(details):
            line += f" ({'; '.join(d for d in details if d)})"
        description = text(alert, "description", alert_where)
        if description:
            line += f"\n{clip(html_to_text(description), 2000)}"
    elif key == "addnote":
        note = text(alert, "note", alert_where)
        if note:
            line += f"\n{html_to_text(note)}"
    elif key == "updatepriority":
        line += f" → {text(alert, 'priority', alert_where) or 'none'}"
    elif key in ("assignownership", "takeownership"):
        owner = text(alert, "owner", alert_where)
        if owner:
            line += f" → {owner}"
    elif key in ("addresponder", "addteam", "addrecipient"):
        added = next(
            (_name(alert.get(k)) for k in ("responder", "team", "recipient") if alert.get(k)), ""
        )
        if added:
            line += f" → {one_line(added, 200)}"
    if kind == "chat" and role != "responder":
        kind = "observation"
    if key == "close" and role != "responder":
        kind = "alert"
    return TimelineEvent(
        at=at,
        kind=kind,
        source=NAME,
        source_ref=stable_ref(
            alert_id, action, text(alert, stamp_field, alert_where) or at.isoformat()
        ),
        text=clip(line, 8000),
        actor=actor_name(actor),
        actor_role=role_name(role),
        raw=body,
        signal=signal_key(message or alias),
        state=state,
    )


def _name(value: Any) -> str:
    """A responder, team or recipient: its text, or the name or id of its object."""
    if isinstance(value, dict):
        for key in ("name", "username", "id"):
            if isinstance(value.get(key), str):
                return str(value[key])
        return ""
    return value if isinstance(value, str) else ""
