"""What a delivery is about: the alerting tool's incident, alert or alert group.

The events themselves are read by the same importers as exported files
(``secondstory.core.timeline.sources``), so a later file import of the same alerts finds
their references already on the timeline. This module only reads what the incident needs:
which thing in the tool it is (the link's identity), a title, a service and a priority.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class NotAnAlert(ValueError):
    """The body is not this tool's payload; the message names the field."""


@dataclass(frozen=True, slots=True)
class Subject:
    system: str
    external_id: str
    title: str
    service: str = ""
    priority: str = ""
    url: str = ""


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def pagerduty(body: Any) -> Subject | None:
    """A PagerDuty v3 webhook's incident; None for events about no incident (a ping, a
    service change)."""
    event = _obj(_obj(body).get("event"))
    if not event or not _text(event.get("event_type")):
        raise NotAnAlert("event.event_type: not a PagerDuty v3 webhook")
    if not _text(event.get("event_type")).startswith("incident."):
        return None
    data = _obj(event.get("data"))
    incident = data if _text(data.get("type")) == "incident" else _obj(data.get("incident"))
    incident_id = _text(incident.get("id"))
    if not incident_id:
        raise NotAnAlert("event.data.id: the event names no PagerDuty incident")
    priority = _text(_obj(incident.get("priority")).get("summary")) or _text(
        incident.get("urgency")
    )
    number = incident.get("number")
    title = _text(incident.get("title")) or _text(incident.get("summary"))
    fallback = f"PagerDuty incident #{number}" if number else f"PagerDuty incident {incident_id}"
    return Subject(
        "pagerduty",
        incident_id,
        title or fallback,
        service=_text(_obj(incident.get("service")).get("summary")),
        priority=priority,
        url=_text(incident.get("html_url")),
    )


def opsgenie(body: Any) -> Subject:
    payload = _obj(body)
    alert = _obj(payload.get("alert"))
    if not _text(payload.get("action")) or not alert:
        raise NotAnAlert("action: not an Opsgenie alert webhook (no action and alert)")
    alert_id = _text(alert.get("alertId")) or _text(alert.get("tinyId"))
    if not alert_id:
        raise NotAnAlert("alert.alertId: is missing")
    title = _text(alert.get("message")) or _text(alert.get("alias")) or f"Opsgenie alert {alert_id}"
    return Subject(
        "opsgenie",
        alert_id,
        title,
        service=_text(alert.get("entity")),
        priority=_text(alert.get("priority")),
    )


def alertmanager(body: Any) -> Subject:
    group = _obj(body)
    if not isinstance(group.get("alerts"), list):
        raise NotAnAlert("alerts: not an Alertmanager notification (no alerts list)")
    key = _text(group.get("groupKey"))
    if not key:
        raise NotAnAlert("groupKey: is missing")
    labels = _obj(group.get("commonLabels"))
    annotations = _obj(group.get("commonAnnotations"))
    name = _text(labels.get("alertname"))
    summary = _text(annotations.get("summary"))
    title = ": ".join(t for t in (name, summary) if t) or f"Alert group {key}"
    return Subject(
        "alertmanager",
        key,
        title,
        service=_text(labels.get("service")) or _text(labels.get("job")),
        priority=_text(labels.get("severity")),
        url=_text(group.get("externalURL")),
    )


READERS = {"pagerduty": pagerduty, "opsgenie": opsgenie, "alertmanager": alertmanager}
