"""PagerDuty V2 webhooks (webhook extensions, before the V3 subscriptions).

A delivery is ``{"messages": [...]}``; each message is ``{"id", "event": "incident.trigger",
"created_on", "incident": {...}, "log_entries": [...], "webhook": {...}}``. The log entries
a message carries are the same objects the REST API returns, so they are read as log entries
(and a log entry imported both ways is one event); a message without them becomes one event of
its own, told from its ``event`` and its incident.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from secondstory.core.timeline.event import TimelineEvent
from secondstory.core.timeline.sources.base import (
    ACKNOWLEDGED,
    FIRING,
    RESOLVED,
    Source,
    Where,
    actor_name,
    clip,
    signal_key,
    stable_ref,
)
from secondstory.core.timeline.sources.payloads import (
    instant,
    obj,
    opt_list,
    opt_obj,
    sub,
    text,
    url,
    warn_unknown,
)

# V2 message events: (kind, state, verb).
EVENTS: dict[str, tuple[str, str, str]] = {
    "incident.trigger": ("page", FIRING, "Triggered"),
    "incident.acknowledge": ("action", ACKNOWLEDGED, "Acknowledged"),
    "incident.unacknowledge": ("status", "", "Acknowledgement timed out"),
    "incident.resolve": ("action", RESOLVED, "Resolved"),
    "incident.assign": ("action", "", "Reassigned"),
    "incident.escalate": ("page", "", "Escalated"),
    "incident.delegate": ("action", "", "Delegated"),
    "incident.annotate": ("observation", "", "Note"),
}

LogReader = Callable[[Source, Any, Where], TimelineEvent]


def is_delivery(value: Any) -> bool:
    """A V2 delivery: ``{"messages": [{"event": "incident.…", ...}]}``."""
    if not isinstance(value, dict) or not isinstance(value.get("messages"), list):
        return False
    first = value["messages"][0] if value["messages"] else None
    return isinstance(first, dict) and str(first.get("event", "")).startswith("incident.")


def delivery_events(
    source: Source, body: dict[str, Any], where: Where, log_event: LogReader
) -> Iterator[TimelineEvent]:
    for index, item in enumerate(opt_list(body, "messages", where)):
        here = sub(where, "messages", index)
        message = obj(item, here, "messages")
        entries = opt_list(message, "log_entries", here)
        if entries:
            for number, entry in enumerate(entries):
                yield log_event(source, entry, sub(here, "log_entries", number))
        else:
            yield message_event(source, message, here)


def message_event(source: Source, message: dict[str, Any], where: Where) -> TimelineEvent:
    ident = text(message, "id", where)
    if not ident:
        raise where.error("id", "is missing")
    event_type = text(message, "event", where) or text(message, "type", where)
    at = instant(message.get("created_on"), where, "created_on")
    if at is None:
        raise where.error("created_on", "is missing")
    known = EVENTS.get(event_type)
    if known is None:
        warn_unknown(source, "PagerDuty event", event_type, where)
        kind, state, verb = "observation", "", event_type or "Event"
    else:
        kind, state, verb = known
    here = sub(where, "incident")
    incident = opt_obj(message, "incident", where)
    title = text(incident, "title", here) or text(incident, "summary", here)
    number = text(incident, "incident_number", here) or text(incident, "number", here)
    label = f"#{number} {title}" if number else title
    line = f"{verb}: {label}" if label else verb
    actor, role = _actor(incident, here, event_type)
    if event_type == "incident.trigger":
        service = text(opt_obj(incident, "service", here), "summary", sub(here, "service"))
        service = service or text(opt_obj(incident, "service", here), "name", sub(here, "service"))
        urgency = text(incident, "urgency", here)
        details = [f"service {service}" if service else "", f"urgency {urgency}" if urgency else ""]
        if any(details):
            line += f" ({', '.join(d for d in details if d)})"
    if event_type == "incident.resolve" and role != "responder":
        kind = "status"
    return TimelineEvent(
        at=at,
        kind=kind,
        source="pagerduty",
        source_ref=stable_ref(ident),
        text=clip(line, 8000),
        actor=actor,
        actor_role=role,
        evidence_url=url(text(incident, "html_url", here)),
        raw=message,
        signal=signal_key(title) if title else "",
        state=state,
    )


def _actor(incident: dict[str, Any], where: Where, event_type: str) -> tuple[str, str]:
    """Who caused a status change (``last_status_change_by``); PagerDuty for what it did."""
    if event_type in ("incident.trigger", "incident.escalate", "incident.unacknowledge"):
        return "PagerDuty", "paging"
    by = opt_obj(incident, "last_status_change_by", where)
    by_where = sub(where, "last_status_change_by")
    name = text(by, "summary", by_where) or text(by, "name", by_where)
    if not name:
        return "PagerDuty", "paging"
    kind = text(by, "type", by_where)
    return actor_name(name), "responder" if kind.startswith("user") else "integration"
