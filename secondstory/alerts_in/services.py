"""One inbound alert delivery: find or open its incident, add its events, set milestones.

The body is read by the same importer as an exported file of that tool, through the same
import (redaction, merge with what the timeline holds, audit, revisions), so a redelivery,
a later file import of the same alerts and alerts already captured through another tool
add nothing twice. Milestones follow the alert states (detected at the first trigger,
acknowledged at the first acknowledgement, resolved at the last resolution) and are
recomputed from everything on the timeline, so deliveries may arrive in any order.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.text import slugify

from secondstory.alerts_in import config
from secondstory.alerts_in.models import AlertLink
from secondstory.alerts_in.subjects import READERS, Subject
from secondstory.audit.context import acting_as
from secondstory.core.invariants import milestone_order_problems
from secondstory.core.record import Milestone as MilestoneData
from secondstory.core.timeline.event import TimelineEvent as EventData
from secondstory.core.timeline.event import offset_minutes
from secondstory.core.timeline.merge import suggest_milestones
from secondstory.core.timeline.sources.base import Source
from secondstory.incidents.editing import IncidentFields, create_incident
from secondstory.incidents.importing import (
    ImportRequest,
    ImportSummary,
    import_events,
    parsed_events,
)
from secondstory.incidents.models import (
    Incident,
    Milestone,
    MilestoneKind,
    Service,
    Severity,
    TimelineEvent,
)

#: How each tool shows up as an actor in the audit log.
ACTORS = {
    "pagerduty": "PagerDuty webhook",
    "opsgenie": "Opsgenie webhook",
    "alertmanager": "Alertmanager webhook",
}


@dataclass
class Outcome:
    """What one delivery did."""

    result: str  # "created", "updated", "unchanged" or "ignored"
    incident: str = ""
    events_added: int = 0
    milestones_set: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "result": self.result,
            "incident": self.incident,
            "events_added": self.events_added,
            "milestones_set": self.milestones_set,
        }


def receive(system: str, body: bytes, payload: Any) -> Outcome:
    """Apply one verified delivery of ``system``; SourceError/NotAnAlert name the bad field."""
    subject = READERS[system](payload)
    if subject is None:
        return Outcome("ignored")
    with tempfile.TemporaryDirectory(prefix="secondstory-alert-") as folder:
        path = Path(folder) / "delivery.json"
        path.write_bytes(body)
        name = f"{system} webhook"
        # Read and check it whole first: a delivery the import would refuse opens no incident.
        checking = ImportRequest([Source(path, name)], fmt=system)
        list(parsed_events(checking, [system], ImportSummary()))
        with acting_as(ACTORS[system]):
            link, created = link_for(subject)
            request = ImportRequest([Source(path, name)], fmt=system)
            summary = import_events(link.incident, request)
            milestones = update_milestones(link)
    AlertLink.objects.filter(pk=link.pk).update(
        deliveries=F("deliveries") + 1, last_delivery_at=timezone.now()
    )
    changed = summary.added or summary.grouped or milestones
    result = "created" if created else ("updated" if changed else "unchanged")
    return Outcome(result, link.incident.key, summary.added, milestones)


def link_for(subject: Subject) -> tuple[AlertLink, bool]:
    """The link of ``subject``, made now (with a new incident) if there is none; an incident
    that already names it as an external reference (declared by hand, say) is reused."""
    lookup = {"system": subject.system, "external_id": subject.external_id[:200]}
    link = AlertLink.objects.select_related("incident").filter(**lookup).first()
    if link is not None:
        return link, False
    try:
        with transaction.atomic():
            incident = Incident.objects.filter(
                external_references__system=subject.system,
                external_references__identifier=lookup["external_id"],
            ).first()
            created = incident is None
            if incident is None:
                incident = create_incident(incident_fields(subject))
            return AlertLink.objects.create(incident=incident, **lookup), created
    except IntegrityError:  # another delivery about the same thing made it meanwhile
        return AlertLink.objects.select_related("incident").get(**lookup), False


def incident_fields(subject: Subject) -> IncidentFields:
    """A new incident for ``subject``: its title, mapped severity, matching service and team."""
    service = find_service(subject.service)
    return IncidentFields(
        title=subject.title[:200],
        severity=severity_for(subject.priority),
        visibility="internal",
        services=[service] if service is not None else [],
        teams=[service.team] if service is not None and service.team is not None else [],
        tags=[],
        external_references=[(subject.system, subject.external_id[:200], _url(subject.url))],
        milestones={},
    )


def _url(value: str) -> str:
    return value if value.startswith(("https://", "http://")) and len(value) <= 500 else ""


def find_service(name: str) -> Service | None:
    """The service named ``name`` (by slug or, ignoring case, by name), if there is one."""
    if not name.strip():
        return None
    match = Q(name__iexact=name.strip())
    if slugify(name):
        match |= Q(slug=slugify(name))
    return Service.objects.select_related("team").filter(match).first()


def severity_for(priority: str) -> Severity:
    """The severity a priority maps to; the default severity, else the least severe one."""
    code = config.severity_map().get(priority.strip().casefold(), config.default_severity())
    severity = Severity.objects.filter(code=code).first()
    severity = severity or Severity.objects.filter(code=config.default_severity()).first()
    return severity or Severity.objects.order_by("-rank")[0]


def _alert_events(incident: Incident) -> list[EventData]:
    rows = TimelineEvent.objects.filter(incident=incident).exclude(state="")
    return [
        EventData(
            at=r.local_at,
            kind=r.kind,
            source=r.source,
            source_ref=r.source_ref,
            text=r.text,
            state=r.state,
        )
        for r in rows
    ]


@transaction.atomic
def update_milestones(link: AlertLink) -> list[str]:
    """Set the milestones the incident's alert states call for; return the kinds changed.

    A milestone is set when missing, or moved when it still holds the instant this link set
    (a person's correction stands). A change that would break the milestone order is left
    out; the others still apply.
    """
    link = AlertLink.objects.select_for_update().select_related("incident").get(pk=link.pk)
    incident = link.incident
    kinds = {k.code: k for k in MilestoneKind.objects.all()}
    current = {m.kind.code: m for m in incident.milestones.select_related("kind")}
    planned: dict[str, datetime] = {code: m.at for code, m in current.items()}
    changed = []
    for suggestion in suggest_milestones(_alert_events(incident)):
        kind, at = suggestion.kind, suggestion.at
        existing = current.get(kind)
        ours = link.milestones.get(kind)
        if kind not in kinds or (existing is not None and existing.at.isoformat() != ours):
            continue
        if existing is not None and existing.at == at:
            continue
        trial = {**planned, kind: at}
        data = [MilestoneData(code, moment) for code, moment in trial.items()]
        if milestone_order_problems(data, incident.milestone_order_note):
            continue
        milestone = existing or Milestone(incident=incident, kind=kinds[kind])
        milestone.at, milestone.utc_offset_minutes = at, offset_minutes(at)
        milestone.save()
        planned[kind] = at
        link.milestones[kind] = Milestone.objects.get(pk=milestone.pk).at.isoformat()
        changed.append(kind)
    if changed:
        link.save(update_fields=["milestones"])
        _record_revisions(incident, changed)
    return changed


def _record_revisions(incident: Incident, kinds: list[str]) -> None:
    from secondstory.postmortems.revisions import record_revision

    for postmortem in incident.postmortems.all():
        record_revision(postmortem, author=None, summary=f"Alert set {', '.join(kinds)}")
