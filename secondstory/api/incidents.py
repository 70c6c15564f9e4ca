"""``/api/incidents/``: list, read and declare incidents.

Reading: ``incidents:read``; declaring: ``incidents:write`` and a role that declares
(``permissions.may_declare_incident``). Restricted incidents the caller may not read
answer 404, as on the pages.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.db import transaction
from django.db.models import Prefetch
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from secondstory.accounts import permissions
from secondstory.accounts.models import Team
from secondstory.api.auth import scoped, user_of
from secondstory.api.errors import COMMON, WRITES, ApiError
from secondstory.api.pagination import Page, PageQuery, page_of
from secondstory.api.schemas import Input
from secondstory.core import taxonomy
from secondstory.incidents.editing import (
    IncidentFields,
    create_incident,
    incident_fields,
    incident_fingerprint,
    update_incident,
)
from secondstory.incidents.models import Incident, Milestone, MilestoneKind, Service, Severity
from secondstory.postmortems.revisions import record_revision

router = Router(tags=["incidents"])
READ = scoped("incidents", "read")
WRITE = scoped("incidents", "write")


class MilestoneOut(Schema):
    kind: str
    at: datetime


class IncidentOut(Schema):
    key: str
    title: str
    severity: str
    visibility: Literal["internal", "restricted"]
    services: list[str]
    teams: list[str]
    tags: list[str]
    milestones: list[MilestoneOut]
    postmortems: list[str] = Field(description="Keys of the postmortems the caller may read.")
    created_at: datetime
    updated_at: datetime


class IncidentDetail(IncidentOut):
    version: str = Field(description="Send it back with a change (optimistic concurrency).")


class IncidentFilters(PageQuery):
    severity: str | None = Field(None, max_length=taxonomy.MAX_SLUG, description="Severity code.")
    service: str | None = Field(None, max_length=taxonomy.MAX_SLUG, description="Service slug.")
    team: str | None = Field(None, max_length=taxonomy.MAX_SLUG, description="Team slug.")
    visibility: Literal["internal", "restricted"] | None = None
    exercises: bool = Field(False, description="List game day exercises instead of incidents.")


class IncidentIn(Input):
    title: str = Field(min_length=1, max_length=taxonomy.MAX_TITLE)
    severity: str = Field(description="A severity code, e.g. SEV2.", max_length=taxonomy.MAX_SLUG)
    visibility: Literal["internal", "restricted"] = "internal"
    services: list[str] = Field(default_factory=list, max_length=50)
    teams: list[str] = Field(
        default_factory=list, max_length=50, description="Team slugs; default: none."
    )
    tags: list[str] = Field(default_factory=list, max_length=50)
    milestones: dict[str, datetime] = Field(
        default_factory=dict,
        description="Milestone kind code -> instant with its offset, e.g. impact_started.",
    )


def _incidents(user: Any) -> Any:
    return (
        permissions.visible_incidents(user)
        .select_related("severity")
        .prefetch_related(
            "services",
            "teams",
            "tags",
            Prefetch("milestones", queryset=Milestone.objects.select_related("kind")),
        )
    )


def incident_json(incident: Incident, readable: set[tuple[int, str]]) -> dict[str, Any]:
    return {
        "key": incident.key,
        "title": incident.title,
        "severity": incident.severity.code,
        "visibility": incident.visibility,
        "services": sorted(s.slug for s in incident.services.all()),
        "teams": sorted(t.slug for t in incident.teams.all()),
        "tags": sorted(t.slug for t in incident.tags.all()),
        "milestones": [
            {"kind": m.kind.code, "at": m.at}
            for m in sorted(incident.milestones.all(), key=lambda m: (m.kind.position, m.at))
        ],
        "postmortems": sorted(key for pk, key in readable if pk == incident.pk),
        "created_at": incident.created_at,
        "updated_at": incident.updated_at,
    }


def _readable_postmortems(user: Any, incidents: list[Incident]) -> set[tuple[int, str]]:
    rows = permissions.visible_postmortems(user).filter(incidents__in=incidents)
    return set(rows.values_list("incidents", "key"))


def incident_for(request: HttpRequest, key: str, *, edit: bool = False) -> Incident:
    """The incident if the caller reads it (404 otherwise) and, with ``edit``, edits it (403)."""
    user = user_of(request)
    incident = _incidents(user).filter(key=key).first()
    if incident is None:
        raise ApiError(404, f"No incident {key!r} that you may read.")
    if edit and not permissions.may_edit_incident(user, incident):
        raise ApiError(
            403, "Only admins, the incident's teams and its postmortems' writers change it."
        )
    return incident


@router.get("/", response={200: Page[IncidentOut], **COMMON}, auth=READ, summary="List incidents")
def list_incidents(request: HttpRequest, filters: Query[IncidentFilters]) -> dict[str, Any]:
    """The incidents the caller may read, newest first."""
    user = user_of(request)
    rows = _incidents(user).filter(is_exercise=filters.exercises).order_by("-created_at", "key")
    if filters.severity:
        rows = rows.filter(severity__code=filters.severity)
    if filters.service:
        rows = rows.filter(services__slug=filters.service)
    if filters.team:
        rows = rows.filter(teams__slug=filters.team)
    if filters.visibility:
        rows = rows.filter(visibility=filters.visibility)
    page = page_of(request, rows.distinct(), filters, lambda row: row)
    readable = _readable_postmortems(user, page["items"])
    page["items"] = [incident_json(row, readable) for row in page["items"]]
    return page


@router.get("/{key}", response={200: IncidentDetail, **COMMON}, auth=READ, summary="One incident")
def get_incident(request: HttpRequest, key: str) -> dict[str, Any]:
    incident = incident_for(request, key)
    readable = _readable_postmortems(user_of(request), [incident])
    return {**incident_json(incident, readable), "version": incident_fingerprint(incident)}


def _by_code(model: Any, field: str, values: list[str], name: str) -> list[Any]:
    found = {getattr(row, field): row for row in model.objects.filter(**{f"{field}__in": values})}
    missing = [v for v in values if v not in found]
    if missing:
        raise ApiError(400, f"{name}: no {name.rstrip('s')} {missing[0]!r}", field=name)
    return [found[v] for v in dict.fromkeys(values)]


def _fields(payload: IncidentIn, current: Incident | None = None) -> IncidentFields:
    severity = Severity.objects.filter(code=payload.severity).first()
    if severity is None:
        codes = ", ".join(Severity.objects.values_list("code", flat=True))
        raise ApiError(
            400, f"severity: {payload.severity!r} is not one of {codes}", field="severity"
        )
    kinds = set(MilestoneKind.objects.values_list("code", flat=True))
    for kind, at in payload.milestones.items():
        if kind not in kinds:
            raise ApiError(400, f"milestones: no milestone kind {kind!r}", field="milestones")
        if at.tzinfo is None:
            raise ApiError(400, f"milestones.{kind}: give the time with its offset", field=kind)
    tags = [t.strip() for t in payload.tags if t.strip()]
    kept = incident_fields(current) if current is not None else None
    return IncidentFields(
        title=payload.title.strip(),
        severity=severity,
        visibility=payload.visibility,
        services=_by_code(Service, "slug", payload.services, "services"),
        teams=_by_code(Team, "slug", payload.teams, "teams"),
        tags=tags,
        # Not part of the API's incident: an edit keeps them as they are.
        external_references=kept.external_references if kept else [],
        milestones=dict(payload.milestones),
        milestone_order_note=kept.milestone_order_note if kept else "",
    )


@router.post(
    "/", response={201: IncidentDetail, **WRITES}, auth=WRITE, summary="Declare an incident"
)
def declare_incident(request: HttpRequest, payload: IncidentIn) -> Status[dict[str, Any]]:
    """A new incident with the next free key, as the form on the incidents page makes it."""
    user = user_of(request)
    if not permissions.may_declare_incident(user):
        raise ApiError(403, "Viewers read incidents; admins and responders declare them.")
    if not payload.title.strip():
        raise ApiError(400, "title: give the incident a title", field="title")
    incident = create_incident(_fields(payload), by=user)
    return Status(201, get_incident(request, incident.key))


class IncidentChange(IncidentIn):
    version: str = Field(max_length=64, description="The incident's version when you read it.")


@router.put(
    "/{key}", response={200: IncidentDetail, **WRITES}, auth=WRITE, summary="Edit an incident"
)
def edit_incident(request: HttpRequest, key: str, payload: IncidentChange) -> dict[str, Any]:
    """Replace the incident's fields, as its edit form does (external references and the
    milestone-order note stay as they are). Changing visibility or teams needs the right to
    (an admin, or a maintainer of one of its teams)."""
    user = user_of(request)
    incident = incident_for(request, key, edit=True)
    if not payload.title.strip():
        raise ApiError(400, "title: give the incident a title", field="title")
    fields = _fields(payload, incident)
    with transaction.atomic():
        update_incident(incident, fields, by=user, base=payload.version)
        # The incident is part of each of its postmortems: keep their revisions whole.
        for postmortem in incident.postmortems.all():
            record_revision(postmortem, author=user, summary=f"Edited incident {incident.key}")
    return get_incident(request, incident.key)
