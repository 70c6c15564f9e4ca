"""Reporting, triaging and escalating near misses: used by the views (and any future API)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from secondstory.accounts.models import Team, User
from secondstory.audit.capture import unrecorded
from secondstory.incidents.editing import IncidentFields, create_incident
from secondstory.incidents.models import Incident, Service, Severity
from secondstory.nearmiss.models import NearMiss, Status
from secondstory.postmortems.models import FactorCategory

#: The system name of the reference an incident keeps to the report it came from.
REFERENCE_SYSTEM = "near-miss"


@dataclass
class ReportFields:
    what_happened: str
    what_almost_happened: str
    what_stopped_it: str = ""
    happened_on: date | None = None
    services: list[Service] = field(default_factory=list)
    teams: list[Team] = field(default_factory=list)
    factor_categories: list[FactorCategory] = field(default_factory=list)


def reporting_day() -> date:
    """Today in UTC: a report keeps the day only, never the time of day."""
    return timezone.now().astimezone(UTC).date()


@transaction.atomic
def report_near_miss(fields: ReportFields, *, by: User, anonymous: bool) -> NearMiss:
    """Store a report. ``anonymous``: no reporter is stored and no audit event is written
    (the event would carry the actor, the request id, the address and the exact time)."""
    report = NearMiss(
        what_happened=fields.what_happened.strip(),
        what_almost_happened=fields.what_almost_happened.strip(),
        what_stopped_it=fields.what_stopped_it.strip(),
        happened_on=fields.happened_on,
        reporter=None if anonymous else by,
        reported_on=reporting_day(),
    )
    if not report.what_happened or not report.what_almost_happened:
        raise ValidationError({"what_happened": "say what happened and what almost happened"})
    if anonymous:
        with unrecorded(report):
            _save(report, fields)
    else:
        _save(report, fields)
    return report


def _save(report: NearMiss, fields: ReportFields) -> None:
    report.save()
    report.services.set(fields.services)
    report.teams.set(fields.teams)
    report.factor_categories.set(fields.factor_categories)


def triage(report: NearMiss, *, status: str, note: str) -> NearMiss:
    """Set the status and the triage note (recorded in the audit log under the triager)."""
    if status not in Status.values or status == Status.BECAME_INCIDENT:
        raise ValidationError({"status": f"choose new, triaged or closed, not {status!r}"})
    if report.status == Status.BECAME_INCIDENT:
        raise ValidationError({"status": "this report became an incident; it stays so"})
    report.status = status
    report.triage_note = note.strip()
    report.save(update_fields=["status", "triage_note"])
    return report


@transaction.atomic
def turn_into_incident(
    report: NearMiss, *, title: str, severity: Severity, by: User, link: str
) -> Incident:
    """Declare an incident from the report (its services and teams; a reference back to the
    report at ``link``) and mark the report as having become it."""
    locked = NearMiss.objects.select_for_update().get(pk=report.pk)
    if locked.incident_id is not None:
        raise ValidationError({"title": f"this report already became {locked.incident}"})
    fields = IncidentFields(
        title=title.strip(),
        severity=severity,
        visibility="internal",
        services=list(locked.services.all()),
        teams=list(locked.teams.all()),
        tags=[],
        external_references=[(REFERENCE_SYSTEM, locked.key, link)],
        milestones={},
    )
    incident = create_incident(fields, by=by)
    locked.incident = incident
    locked.status = Status.BECAME_INCIDENT
    locked.save(update_fields=["incident", "status"])
    report.incident, report.status = incident, locked.status
    return incident
