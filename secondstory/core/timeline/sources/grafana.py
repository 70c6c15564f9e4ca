"""Grafana alerting webhook notifications: unified alerting and legacy dashboard alerts.

Unified alerting sends Alertmanager's notification shape with extra keys (``orgId``,
``title``, ``state``, ``message``; alerts with ``values``, ``dashboardURL``, ``panelURL``);
each alert becomes an ``alert`` event as for Alertmanager. Legacy alerting sends one rule's
state (``ruleName``, ``state``, ``evalMatches``) and no time at all: the time must come from a
capture envelope around the payload.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from secondstory.core.timeline.event import TimelineEvent
from secondstory.core.timeline.sources.alertmanager import group_events, is_grafana_group
from secondstory.core.timeline.sources.base import (
    FIRING,
    RESOLVED,
    ParseOptions,
    Source,
    clip,
    signal_key,
    stable_ref,
)
from secondstory.core.timeline.sources.payloads import (
    Payload,
    each,
    first_payload,
    head_has,
    labels,
    obj,
    one_line,
    opt_list,
    sub,
    text,
    url,
)

NAME = "grafana"
DESCRIPTION = "Grafana alerting webhook notifications (unified and legacy alerting, JSON)"

# Legacy rule states: (kind, state).
LEGACY_STATES: dict[str, tuple[str, str]] = {
    "alerting": ("alert", FIRING),
    "ok": ("alert", RESOLVED),
    "no_data": ("alert", ""),
    "pending": ("observation", ""),
    "paused": ("observation", ""),
}
MAX_MATCHES = 5


def is_legacy(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and "alerts" not in value
        and (
            isinstance(value.get("evalMatches"), list)
            or ("ruleId" in value and "ruleName" in value and "state" in value)
        )
    )


def sniff(source: Source) -> bool:
    body = first_payload(source)
    if body is not None:
        return is_grafana_group(body) or is_legacy(body)
    # A single notification larger than the head.
    unified = head_has(source, "alerts", "startsAt") and any(
        head_has(source, key) for key in ("orgId", "dashboardURL", "silenceURL", "valueString")
    )
    return unified or head_has(source, "evalMatches", "ruleName")


def parse(source: Source, options: ParseOptions) -> Iterator[TimelineEvent]:
    return each(source, lambda payload: _payload_events(source, payload, options))


def _payload_events(
    source: Source, payload: Payload, options: ParseOptions
) -> Iterator[TimelineEvent]:
    body = obj(payload.body, payload.where, "alerts")
    if isinstance(body.get("alerts"), list):
        yield from group_events(source, payload, options, NAME)
    elif is_legacy(body):
        event = legacy_event(source, payload)
        if event is not None and options.in_window(event.at):
            yield event
    else:
        raise payload.where.error(
            "alerts",
            "not a Grafana alert notification (neither an alerts list nor a legacy rule state)",
        )


def legacy_event(source: Source, payload: Payload) -> TimelineEvent | None:
    where = payload.where
    body = obj(payload.body, where, "state")
    if payload.received_at is None:
        raise where.error(
            "received_at",
            "legacy Grafana webhooks carry no timestamp; wrap each payload in a capture "
            'envelope with the time it arrived, e.g. {"received_at": "2026-03-04T14:02:00Z", '
            '"body": {...}}',
        )
    state = text(body, "state", where).lower()
    kind, transition = LEGACY_STATES.get(state, ("observation", ""))
    if state not in LEGACY_STATES:
        source.warn(
            f"unknown legacy alert state {clip(state, 40)!r}; kept as an observation",
            line=where.line,
            path=where.path,
        )
    rule = text(body, "ruleName", where)
    title = text(body, "title", where) or rule
    line = title or "(untitled alert)"
    if state and not title.lower().startswith(f"[{state.replace('_', ' ')}"):
        line = f"[{state.replace('_', ' ').title()}] {line}"
    message = text(body, "message", where)
    if message:
        line += f": {one_line(message, 500)}"
    matches = []
    for index, match in enumerate(opt_list(body, "evalMatches", where)):
        match_where = sub(where, "evalMatches", index)
        item = obj(match, match_where, "evalMatches")
        metric = text(item, "metric", match_where)
        value = text(item, "value", match_where)
        tags = labels(item, "tags", match_where)
        if tags:
            metric += "{" + ", ".join(f"{k}={v}" for k, v in sorted(tags.items())) + "}"
        matches.append(f"{metric}={value}" if metric else value)
    if matches:
        more = f", +{len(matches) - MAX_MATCHES} more" if len(matches) > MAX_MATCHES else ""
        line += f" ({', '.join(matches[:MAX_MATCHES])}{more})"
    at = payload.received_at
    rule_id = text(body, "ruleId", where) or signal_key(rule or title)
    return TimelineEvent(
        at=at,
        kind=kind,
        source=NAME,
        source_ref=stable_ref("legacy", rule_id, state, at.isoformat()),
        text=clip(line, 4000),
        actor="Grafana",
        actor_role="monitoring",
        evidence_url=url(text(body, "ruleUrl", where)),
        raw=body,
        signal=signal_key(rule or title),
        state=transition,
    )
