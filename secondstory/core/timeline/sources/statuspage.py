"""Atlassian Statuspage: incidents (API objects, ``incidents.json``) and webhook payloads.

Every incident update becomes one ``comms`` event at its ``display_at`` (the time shown on the
page), falling back to ``created_at``. Component-update webhooks become ``status`` events.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from secondstory.core.timeline.event import TimelineEvent
from secondstory.core.timeline.sources.base import (
    RESOLVED,
    ParseOptions,
    Source,
    Where,
    actor_name,
    clip,
    html_to_text,
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
    opt_list,
    opt_obj,
    sub,
    text,
    url,
)

NAME = "statuspage"
DESCRIPTION = "Atlassian Statuspage incidents (API, incidents.json) and webhook payloads (JSON)"

# incidents.json and scheduled-maintenances.json of the public status API.
LIST_KEYS = ("incidents", "scheduled_maintenances")
UPDATE_STATUSES = frozenset(
    (
        "investigating",
        "identified",
        "monitoring",
        "resolved",
        "scheduled",
        "in_progress",
        "verifying",
        "completed",
        "postmortem",
    )
)


def is_incident(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and isinstance(value.get("incident_updates"), list)
        and ("impact" in value or "shortlink" in value or "page_id" in value)
    )


def is_component_update(value: Any) -> bool:
    return isinstance(value, dict) and isinstance(value.get("component_update"), dict)


def sniff(source: Source) -> bool:
    body = first_payload(source)
    if body is not None:
        if not isinstance(body, dict):
            return False
        for key in LIST_KEYS:
            if isinstance(body.get(key), list):
                incidents = body[key]
                return isinstance(body.get("page"), dict) and (
                    not incidents or is_incident(incidents[0])
                )
        if "meta" in body and is_incident(body.get("incident")):
            return True
        return is_incident(body) or (is_component_update(body) and "component" in body)
    return head_has(source, "incident_updates") and (
        head_has(source, "impact") or head_has(source, "shortlink")
    )


def parse(source: Source, options: ParseOptions) -> Iterator[TimelineEvent]:
    return each(source, lambda payload: _payload_events(source, payload, options))


def _payload_events(
    source: Source, payload: Payload, options: ParseOptions
) -> Iterator[TimelineEvent]:
    where = payload.where
    body = obj(payload.body, where, "incident")
    page = opt_obj(body, "page", where)
    page_name = text(page, "name", sub(where, "page")) or "Statuspage"
    key = next((key for key in LIST_KEYS if key in body), "")
    if key:
        found = [
            (item, sub(where, key, index)) for index, item in enumerate(opt_list(body, key, where))
        ]
    elif "incident" in body:
        found = [(body["incident"], sub(where, "incident"))]
    elif "component_update" in body:
        event = component_event(body, where, page_name)
        if options.in_window(event.at):
            yield event
        return
    elif "incident_updates" in body:
        found = [(body, where)]
    else:
        raise where.error(
            "incident_updates",
            "not a Statuspage incident, incident list or webhook payload",
        )
    for item, item_where in found:
        for event in incident_events(source, item, item_where, page_name):
            if options.in_window(event.at):
                yield event


def incident_events(
    source: Source, value: Any, where: Where, page_name: str
) -> Iterator[TimelineEvent]:
    incident = obj(value, where, "incident")
    name = text(incident, "name", where)
    link = url(text(incident, "shortlink", where))
    for index, item in enumerate(opt_list(incident, "incident_updates", where)):
        update_where = sub(where, "incident_updates", index)
        update = obj(item, update_where, "incident_updates")
        update_id = text(update, "id", update_where)
        if not update_id:
            raise update_where.error("id", "is missing")
        field = "display_at" if update.get("display_at") not in (None, "") else "created_at"
        at = instant(update.get(field), update_where, field)
        if at is None:
            raise update_where.error("created_at", "the update carries no time")
        status = text(update, "status", update_where)
        if status and status not in UPDATE_STATUSES:
            source.warn(
                f"unknown incident update status {clip(status, 40)!r}",
                line=where.line,
                path=update_where.path,
            )
        heading = status.replace("_", " ").capitalize() if status else "Update"
        body = html_to_text(text(update, "body", update_where))
        line = f"{heading}: {body}" if body else heading
        if name:
            line += f"\n(Incident: {name})"
        changes = _components(update, update_where)
        if changes:
            line += f"\nAffected: {changes}"
        yield TimelineEvent(
            at=at,
            kind="comms",
            source=NAME,
            source_ref=stable_ref(update_id),
            text=clip(line, 8000),
            actor=actor_name(page_name),
            actor_role="status page",
            evidence_url=link,
            raw=update,
            signal=signal_key(name) if name else "",
            state=RESOLVED if status == RESOLVED else "",
        )


def _components(update: dict[str, Any], where: Where) -> str:
    parts = []
    for index, item in enumerate(opt_list(update, "affected_components", where)):
        inner = sub(where, "affected_components", index)
        component = obj(item, inner, "affected_components")
        name = text(component, "name", inner) or text(component, "code", inner)
        old = text(component, "old_status", inner).replace("_", " ")
        new = text(component, "new_status", inner).replace("_", " ")
        if old and new and old != new:
            parts.append(f"{name} ({old} → {new})")
        elif new:
            parts.append(f"{name} ({new})")
        else:
            parts.append(name)
    return ", ".join(p for p in parts if p)


def component_event(body: dict[str, Any], where: Where, page_name: str) -> TimelineEvent:
    update_where = sub(where, "component_update")
    update = obj(body.get("component_update"), where, "component_update")
    component = opt_obj(body, "component", where)
    update_id = text(update, "id", update_where)
    if not update_id:
        raise update_where.error("id", "is missing")
    at = instant(update.get("created_at"), update_where, "created_at")
    if at is None:
        raise update_where.error("created_at", "is missing")
    name = text(component, "name", sub(where, "component")) or text(
        update, "component_id", update_where
    )
    old = text(update, "old_status", update_where).replace("_", " ")
    new = text(update, "new_status", update_where).replace("_", " ")
    line = f"Component {name or '(unnamed)'}: {old or '?'} → {new or '?'}"
    return TimelineEvent(
        at=at,
        kind="status",
        source=NAME,
        source_ref=stable_ref("component", update_id),
        text=clip(line, 2000),
        actor=actor_name(page_name),
        actor_role="status page",
        raw=update,
        signal=signal_key(name) if name else "",
    )
