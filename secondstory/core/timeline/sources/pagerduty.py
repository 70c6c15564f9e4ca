"""PagerDuty: V3 and V2 webhook payloads and incident log entries from the REST API.

A V3 webhook is ``{"event": {"id", "event_type", "occurred_at", "agent", "data"}}``; a log
entries response is ``{"log_entries": [...], "limit", "offset", "more"}`` (or the bare list,
or ``{"log_entry": {...}}``). Each webhook event and each log entry becomes one event. V2
webhooks (``{"messages": [...]}``) are read by ``pagerduty_v2``.
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
    Where,
    actor_name,
    clip,
    html_to_text,
    role_name,
    signal_key,
    stable_ref,
)
from secondstory.core.timeline.sources.pagerduty_v2 import delivery_events, is_delivery
from secondstory.core.timeline.sources.payloads import (
    Payload,
    each,
    first_payload,
    head_has,
    instant,
    obj,
    one_line,
    opt_list,
    opt_obj,
    sub,
    text,
    url,
    warn_unknown,
)

NAME = "pagerduty"
DESCRIPTION = "PagerDuty V3 and V2 webhook payloads and incident log entries (JSON)"

# Webhook event types: (kind, state, verb for the text).
EVENT_TYPES: dict[str, tuple[str, str, str]] = {
    "incident.triggered": ("page", FIRING, "Triggered"),
    "incident.acknowledged": ("action", ACKNOWLEDGED, "Acknowledged"),
    "incident.unacknowledged": ("status", "", "Acknowledgement timed out"),
    "incident.resolved": ("action", RESOLVED, "Resolved"),
    "incident.reopened": ("status", FIRING, "Reopened"),
    "incident.escalated": ("page", "", "Escalated"),
    "incident.reassigned": ("action", "", "Reassigned"),
    "incident.delegated": ("action", "", "Delegated"),
    "incident.annotated": ("chat", "", "Note"),
    "incident.priority_updated": ("status", "", "Priority changed"),
    "incident.responder.added": ("action", "", "Responder requested"),
    "incident.responder.replied": ("action", "", "Responder replied"),
    "incident.status_update_published": ("comms", "", "Status update"),
    "incident.conference_bridge.updated": ("action", "", "Conference bridge set"),
    "incident.custom_field_values.updated": ("status", "", "Custom fields changed"),
    "incident.workflow.started": ("action", "", "Workflow started"),
    "incident.workflow.completed": ("action", "", "Workflow completed"),
    "service.created": ("change", "", "Service created"),
    "service.updated": ("change", "", "Service changed"),
    "service.deleted": ("change", "", "Service deleted"),
}

# Log entry types: (kind, state).
LOG_TYPES: dict[str, tuple[str, str]] = {
    "trigger_log_entry": ("page", FIRING),
    "notify_log_entry": ("page", ""),
    "acknowledge_log_entry": ("action", ACKNOWLEDGED),
    "unacknowledge_log_entry": ("status", ""),
    "resolve_log_entry": ("action", RESOLVED),
    "reopen_log_entry": ("status", FIRING),
    "assign_log_entry": ("action", ""),
    "delegate_log_entry": ("action", ""),
    "escalate_log_entry": ("page", ""),
    "repeat_escalation_path_log_entry": ("page", ""),
    "exhaust_escalation_path_log_entry": ("status", ""),
    "annotate_log_entry": ("chat", ""),
    "snooze_log_entry": ("action", ""),
    "priority_change_log_entry": ("status", ""),
    "urgency_change_log_entry": ("status", ""),
    "responder_request_log_entry": ("action", ""),
    "responder_accept_log_entry": ("action", ""),
    "responder_decline_log_entry": ("action", ""),
    "status_update_log_entry": ("comms", ""),
    "link_log_entry": ("action", ""),
    "unlink_log_entry": ("action", ""),
    "reach_trigger_limit_log_entry": ("observation", ""),
    "reach_ack_limit_log_entry": ("observation", ""),
}

# Agent and channel reference types, and the role their actor plays.
ROLES = {
    "user_reference": "responder",
    "user": "responder",
    "service_reference": "integration",
    "integration_reference": "integration",
    "inbound_integration_reference": "integration",
    "generic_events_api_inbound_integration_reference": "integration",
    "events_api_v2_inbound_integration_reference": "integration",
    "api_token_reference": "integration",
    "escalation_policy_reference": "paging",
}


def is_webhook(value: Any) -> bool:
    event = value.get("event") if isinstance(value, dict) else None
    return isinstance(event, dict) and "event_type" in event and "occurred_at" in event


def is_log_entry(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and isinstance(value.get("type"), str)
        and value["type"].endswith("_log_entry")
        and "created_at" in value
    )


def sniff(source: Source) -> bool:
    body = first_payload(source)
    if body is not None:
        if isinstance(body, dict) and isinstance(body.get("log_entries"), list):
            entries = body["log_entries"]
            return not entries or is_log_entry(entries[0])
        if isinstance(body, dict) and "log_entry" in body:
            return is_log_entry(body["log_entry"])
        return is_webhook(body) or is_log_entry(body) or is_delivery(body)
    # A file larger than the head that is not JSON lines nor an array of payloads.
    log = head_has(source, "log_entries") and '_log_entry"' in source.head_text()
    v2 = head_has(source, "messages", "event", "created_on") and '"incident.' in source.head_text()
    return log or v2 or head_has(source, "event", "event_type", "occurred_at")


def parse(source: Source, options: ParseOptions) -> Iterator[TimelineEvent]:
    return each(source, lambda payload: _payload_events(source, payload, options))


def _payload_events(
    source: Source, payload: Payload, options: ParseOptions
) -> Iterator[TimelineEvent]:
    where = payload.where
    body = obj(payload.body, where, "event")
    if "messages" in body:
        events: Iterator[TimelineEvent | None] = delivery_events(source, body, where, log_event)
    elif "event" in body:
        events = iter([webhook_event(source, body, where)])
    elif "log_entries" in body:
        entries = opt_list(body, "log_entries", where)
        events = (
            log_event(source, entry, sub(where, "log_entries", index))
            for index, entry in enumerate(entries)
        )
    elif "log_entry" in body:
        events = iter([log_event(source, body["log_entry"], sub(where, "log_entry"))])
    elif "type" in body:
        events = iter([log_event(source, body, where)])
    else:
        raise where.error(
            "event", "not a PagerDuty webhook ({'event': ...}) nor an incident log entry"
        )
    for event in events:
        if event is not None and options.in_window(event.at):
            yield event


def _agent(parent: dict[str, Any], key: str, where: Where) -> tuple[str, str]:
    """(actor, role) of an agent reference; PagerDuty itself when there is none."""
    agent = opt_obj(parent, key, where)
    inner = sub(where, key)
    name = text(agent, "summary", inner) or text(agent, "name", inner)
    if not name:
        return "PagerDuty", "paging"
    return actor_name(name), role_name(ROLES.get(text(agent, "type", inner), "integration"))


def _incident(data: dict[str, Any], where: Where) -> tuple[dict[str, Any], Where]:
    """The incident a webhook's data is about: the data itself or its ``incident``."""
    if text(data, "type", where) == "incident" or "incident" not in data:
        return data, where
    return opt_obj(data, "incident", where), sub(where, "incident")


def webhook_event(source: Source, body: dict[str, Any], where: Where) -> TimelineEvent:
    event_where = sub(where, "event")
    event = obj(body.get("event"), where, "event")
    event_id = text(event, "id", event_where)
    if not event_id:
        raise event_where.error("id", "is missing")
    event_type = text(event, "event_type", event_where)
    at = instant(event.get("occurred_at"), event_where, "occurred_at")
    if at is None:
        raise event_where.error("occurred_at", "is missing")
    known = EVENT_TYPES.get(event_type)
    if known is None:
        warn_unknown(source, "PagerDuty event type", event_type, event_where)
        kind, state, verb = "observation", "", event_type or "Event"
    else:
        kind, state, verb = known
    actor, role = _agent(event, "agent", event_where)
    data_where = sub(event_where, "data")
    data = opt_obj(event, "data", event_where)
    incident, incident_where = _incident(data, data_where)
    title = text(incident, "title", incident_where) or text(incident, "summary", incident_where)
    number = text(incident, "number", incident_where)
    label = f"#{number} {title}" if number else title
    line = f"{verb}: {label}" if label else verb
    if event_type == "incident.triggered":
        service_where = sub(incident_where, "service")
        service = text(opt_obj(incident, "service", incident_where), "summary", service_where)
        urgency = text(incident, "urgency", incident_where)
        details = [f"service {service}" if service else "", f"urgency {urgency}" if urgency else ""]
        if any(details):
            line += f" ({', '.join(d for d in details if d)})"
    elif event_type == "incident.priority_updated":
        priority = opt_obj(incident, "priority", incident_where)
        name = text(priority, "summary", sub(incident_where, "priority"))
        line += f" → {name}" if name else " → none"
    elif event_type in ("incident.reassigned", "incident.delegated"):
        names = []
        for index, item in enumerate(opt_list(incident, "assignees", incident_where)):
            assignee_where = sub(incident_where, "assignees", index)
            names.append(text(obj(item, assignee_where, "assignees"), "summary", assignee_where))
        if any(names):
            line += f" → {', '.join(n for n in names if n)}"
    elif event_type in ("incident.annotated", "incident.status_update_published"):
        content = text(data, "content", data_where) or text(data, "message", data_where)
        if content:
            line += f"\n{html_to_text(content)}"
    elif event_type.startswith("incident.responder."):
        user = text(opt_obj(data, "user", data_where), "summary", sub(data_where, "user"))
        reply = text(data, "state", data_where) or text(data, "message", data_where)
        extra = " ".join(x for x in (user, f"({reply})" if reply else "") if x)
        if extra:
            line += f" — {extra}"
    elif event_type.startswith("service."):
        name = text(data, "summary", data_where) or text(data, "name", data_where)
        line = f"{verb}: {name}" if name else verb
    if kind == "chat" and role != "responder":
        kind = "observation"
    if event_type == "incident.resolved" and role != "responder":
        kind = "status"
    return TimelineEvent(
        at=at,
        kind=kind,
        source=NAME,
        source_ref=stable_ref(event_id),
        text=clip(line, 8000),
        actor=actor,
        actor_role=role,
        evidence_url=url(text(incident, "html_url", incident_where)),
        raw=body,
        signal=signal_key(title) if title and not event_type.startswith("service.") else "",
        state=state,
    )


def log_event(source: Source, value: Any, where: Where) -> TimelineEvent:
    entry = obj(value, where, "log_entry")
    entry_id = text(entry, "id", where)
    if not entry_id:
        raise where.error("id", "is missing")
    entry_type = text(entry, "type", where)
    at = instant(entry.get("created_at"), where, "created_at")
    if at is None:
        raise where.error("created_at", "is missing")
    known = LOG_TYPES.get(entry_type)
    if known is None:
        warn_unknown(source, "PagerDuty log entry type", entry_type, where)
        kind, state = "observation", ""
    else:
        kind, state = known
    actor, role = _agent(entry, "agent", where)
    incident_where = sub(where, "incident")
    incident = opt_obj(entry, "incident", where)
    title = text(incident, "summary", incident_where) or text(incident, "title", incident_where)
    summary = one_line(text(entry, "summary", where), 1000)
    line = summary or entry_type.removesuffix("_log_entry").replace("_", " ").capitalize()
    if title and title not in line:
        line += f" — {title}"
    channel = opt_obj(entry, "channel", where)
    channel_where = sub(where, "channel")
    note = text(entry, "note", where)
    if entry_type == "annotate_log_entry" and not note:
        note = text(channel, "content", channel_where) or text(channel, "summary", channel_where)
    if note:
        line += f"\n{html_to_text(note)}"
    if kind == "chat" and role != "responder":
        kind = "observation"
    if entry_type == "resolve_log_entry" and role != "responder":
        kind = "status"
    link = url(text(incident, "html_url", incident_where)) or url(text(entry, "html_url", where))
    return TimelineEvent(
        at=at,
        kind=kind,
        source=NAME,
        source_ref=stable_ref(entry_id),
        text=clip(line, 8000),
        actor=actor,
        actor_role=role,
        evidence_url=link,
        raw=entry,
        signal=signal_key(title) if title else "",
        state=state,
    )
