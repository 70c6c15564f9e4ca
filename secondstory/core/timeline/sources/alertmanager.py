"""Prometheus Alertmanager webhook notifications (payload version 4).

Each notification carries a group of alerts; every alert becomes one ``alert`` event: a firing
alert at its ``startsAt``, a resolved one at its ``endsAt``. The same notification re-sent on
the repeat interval gives the same references, so it is imported once.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from secondstory.core.timeline.event import TimelineEvent
from secondstory.core.timeline.sources.base import (
    FIRING,
    RESOLVED,
    ParseOptions,
    Source,
    Where,
    actor_name,
    clip,
    signal_key,
    stable_ref,
)
from secondstory.core.timeline.sources.payloads import (
    Payload,
    each,
    first_payload,
    head_has,
    instant,
    labels,
    obj,
    one_line,
    opt_list,
    sub,
    text,
    url,
)

NAME = "alertmanager"
DESCRIPTION = "Prometheus Alertmanager webhook notifications (JSON, one per line or an array)"

# Keys only Grafana's unified alerting adds to the Alertmanager shape.
GRAFANA_KEYS = frozenset(("orgId", "title", "state", "message"))
GRAFANA_ALERT_KEYS = frozenset(("dashboardURL", "panelURL", "silenceURL", "values", "valueString"))
# Labels left out of the text: shown elsewhere or of no help to a reader.
QUIET_LABELS = frozenset(("alertname", "severity", "__name__", "__alert_rule_uid__"))
MAX_LABELS = 6


def is_group(value: Any) -> bool:
    """The Alertmanager notification shape (which Grafana's unified alerting extends)."""
    return (
        isinstance(value, dict)
        and isinstance(value.get("alerts"), list)
        and ("groupKey" in value or "receiver" in value)
    )


def is_grafana_group(value: Any) -> bool:
    if not is_group(value):
        return False
    if GRAFANA_KEYS & set(value):
        return True
    return any(isinstance(a, dict) and GRAFANA_ALERT_KEYS & set(a) for a in value["alerts"])


def sniff(source: Source) -> bool:
    body = first_payload(source)
    if body is not None:
        return is_group(body) and not is_grafana_group(body) and body.get("version") in ("4", 4)
    # A single notification larger than the head: Alertmanager writes the alerts first.
    return (
        head_has(source, "alerts", "startsAt")
        and (head_has(source, "receiver") or head_has(source, "groupKey"))
        and not any(head_has(source, key) for key in ("orgId", *GRAFANA_ALERT_KEYS))
    )


def parse(source: Source, options: ParseOptions) -> Iterator[TimelineEvent]:
    return each(source, lambda payload: group_events(source, payload, options, NAME))


def group_events(
    source: Source, payload: Payload, options: ParseOptions, fmt: str
) -> Iterator[TimelineEvent]:
    """The events of one notification group (Alertmanager's, or Grafana's unified one)."""
    where = payload.where
    group = obj(payload.body, where, "alerts")
    if not is_group(group):
        raise where.error(
            "alerts", "not an Alertmanager notification (no alerts list with groupKey/receiver)"
        )
    truncated = group.get("truncatedAlerts")
    if isinstance(truncated, int) and not isinstance(truncated, bool) and truncated > 0:
        source.warn(
            f"{truncated} alert(s) were left out of this notification (truncatedAlerts); "
            "they are not in the timeline",
            line=where.line,
            path=where.path,
        )
    group_status = text(group, "status", where)
    common = labels(group, "commonLabels", where)
    for index, item in enumerate(opt_list(group, "alerts", where)):
        alert_where = sub(where, "alerts", index)
        event = alert_event(
            source,
            obj(item, alert_where, "alert"),
            alert_where,
            payload.received_at,
            group_status,
            common,
            fmt,
        )
        if event is not None and options.in_window(event.at):
            yield event


def alert_event(
    source: Source,
    alert: dict[str, Any],
    where: Where,
    received_at: datetime | None,
    group_status: str,
    common: dict[str, str],
    fmt: str,
) -> TimelineEvent | None:
    status = (text(alert, "status", where) or group_status).lower()
    alert_labels = labels(alert, "labels", where)
    annotations = labels(alert, "annotations", where)
    starts_raw = text(alert, "startsAt", where)
    starts = instant(alert.get("startsAt"), where, "startsAt")
    ends = instant(alert.get("endsAt"), where, "endsAt")
    kind = "alert"
    if status == RESOLVED:
        at, field, state = ends or received_at, "endsAt", RESOLVED
    elif status == FIRING:
        at, field, state = starts or received_at, "startsAt", FIRING
    else:
        source.warn(
            f"unknown alert status {clip(status, 40)!r}; kept as an observation",
            line=where.line,
            path=where.path,
        )
        kind, at, field, state = "observation", starts or received_at, "startsAt", ""
    if at is None:
        raise where.error(
            field, f"a {status or 'status-less'} alert needs this time and none is set"
        )
    name = alert_labels.get("alertname") or common.get("alertname", "")
    severity = alert_labels.get("severity") or common.get("severity", "")
    words = [status.upper() or "ALERT", name or "(unnamed alert)"]
    if severity:
        words.append(f"[{severity}]")
    line = " ".join(words)
    summary = annotations.get("summary") or annotations.get("description") or ""
    if summary:
        line += f": {one_line(summary, 500)}"
    values = _values(alert, where)
    if values:
        line += f" ({values})"
    shown = [f"{k}={v}" for k, v in sorted(alert_labels.items()) if k not in QUIET_LABELS]
    if shown:
        extra = f", +{len(shown) - MAX_LABELS} more" if len(shown) > MAX_LABELS else ""
        line += f" — {', '.join(shown[:MAX_LABELS])}{extra}"
    fingerprint = text(alert, "fingerprint", where) or _fingerprint(alert_labels)
    link = ""
    for key in ("panelURL", "dashboardURL", "generatorURL"):
        link = url(text(alert, key, where))
        if link:
            break
    actor = "Grafana" if fmt == "grafana" else "Alertmanager"
    return TimelineEvent(
        at=at,
        kind=kind,
        source=fmt,
        source_ref=stable_ref(fingerprint, starts_raw or at.isoformat(), status),
        text=clip(line, 4000),
        actor=actor_name(actor),
        actor_role="monitoring",
        evidence_url=link,
        raw=alert,
        signal=signal_key(name or summary),
        state=state,
    )


def _values(alert: dict[str, Any], where: Where) -> str:
    """Grafana's evaluated values (``{"B": 0.93}``), as ``B=0.93``."""
    value = alert.get("values")
    if not isinstance(value, dict):
        return ""
    inner = sub(where, "values")
    return ", ".join(f"{k}={text(value, k, inner)}" for k in sorted(value, key=str))


def _fingerprint(alert_labels: dict[str, str]) -> str:
    """A stand-in for a missing fingerprint: a hash of the sorted label set."""
    data = json.dumps(sorted(alert_labels.items()), ensure_ascii=False)
    return "labels-" + hashlib.sha256(data.encode("utf-8")).hexdigest()[:16]
