"""``/api/postmortems/``: list, read and start postmortems, edit sections, move the lifecycle.

Reading: ``postmortems:read``; changing: ``postmortems:write``. A postmortem the caller may
not read answers 404 (as on the pages); one they read but may not change, 403. Section saves
carry the ``version`` they started from: a save over a newer text answers 409 with the
current text and version. Transitions go through the same service as the lifecycle pages
(checklist, review gate, revisions, search index).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from secondstory.accounts import permissions
from secondstory.accounts.models import User
from secondstory.api.auth import scoped, user_of
from secondstory.api.errors import COMMON, WRITES, ApiError
from secondstory.api.pagination import Page, PageQuery, page_of
from secondstory.api.schemas import Input
from secondstory.audit.record import record_restricted_read
from secondstory.core import limits, taxonomy
from secondstory.incidents.models import Incident
from secondstory.lib.concurrency import fingerprint
from secondstory.postmortems.models import LONG_TEXT, Postmortem, PostmortemTemplate
from secondstory.postmortems.revisions import record_revision
from secondstory.postmortems.services import (
    STATUS_LABELS,
    add_comment,
    submission_checklist,
    transition,
)
from secondstory.postmortems.writing_services import HEADINGS, save_section, start_postmortem

router = Router(tags=["postmortems"])
READ = scoped("postmortems", "read")
WRITE = scoped("postmortems", "write")

PostmortemStatus = Literal["draft", "in_review", "approved", "published", "not_required"]
SectionField = Literal[tuple(HEADINGS)]  # type: ignore[valid-type]


class SectionOut(Schema):
    field: str
    heading: str
    text: str
    version: str = Field(description="Send it back with a change (optimistic concurrency).")


class PostmortemSummary(Schema):
    key: str
    title: str
    status: PostmortemStatus
    owner: str
    incidents: list[str]
    created_at: datetime
    updated_at: datetime


class PostmortemOut(PostmortemSummary):
    facilitator: str | None
    collaborators: list[str]
    reviewers: list[str]
    not_required_reason: str
    sections: list[SectionOut]
    allowed_transitions: list[PostmortemStatus] = Field(
        description="The statuses the lifecycle allows next (the caller's rights aside)."
    )


class PostmortemFilters(PageQuery):
    status: PostmortemStatus | None = None
    incident: str | None = Field(None, max_length=taxonomy.MAX_KEY, description="Incident key.")
    owner: str | None = Field(None, max_length=150, description="Owner's username.")
    exercises: bool = Field(False, description="List game days' reviews instead of postmortems.")


class StartIn(Input):
    incident: str = Field(max_length=taxonomy.MAX_KEY, description="The incident's key.")
    template: str | None = Field(None, max_length=taxonomy.MAX_SLUG, description="Template slug.")


class SectionIn(Input):
    text: str
    version: str = Field(max_length=64, description="The section's version when you read it.")


class TransitionIn(Input):
    to: PostmortemStatus
    note: str = Field("", max_length=10_000, description="Why; required for not_required.")


class TransitionOut(Schema):
    key: str
    from_status: PostmortemStatus
    to_status: PostmortemStatus
    by: str
    at: datetime


def _rows(user: User) -> QuerySet[Postmortem]:
    return (
        permissions.visible_postmortems(user)
        .select_related("owner", "facilitator")
        .prefetch_related(
            Prefetch("incidents", queryset=Incident.objects.only("key").order_by("key"))
        )
    )


def summary_json(pm: Postmortem) -> dict[str, Any]:
    return {
        "key": pm.key,
        "title": pm.title,
        "status": pm.status,
        "owner": pm.owner.username,
        "incidents": [i.key for i in pm.incidents.all()],
        "created_at": pm.created_at,
        "updated_at": pm.updated_at,
    }


def postmortem_json(pm: Postmortem) -> dict[str, Any]:
    return {
        **summary_json(pm),
        "facilitator": pm.facilitator.username if pm.facilitator else None,
        "collaborators": sorted(u.username for u in pm.collaborators.all()),
        "reviewers": sorted(u.username for u in pm.reviewers.all()),
        "not_required_reason": pm.not_required_reason,
        "sections": [
            {
                "field": field,
                "heading": heading,
                "text": getattr(pm, field),
                "version": fingerprint(getattr(pm, field)),
            }
            for field, heading in taxonomy.SECTIONS
        ],
        "allowed_transitions": list(taxonomy.LIFECYCLE.get(pm.status, ())),
    }


def postmortem_for(request: HttpRequest, key: str, *, action: str = "") -> Postmortem:
    """The postmortem if the caller reads it (404 otherwise) and may do ``action`` (403)."""
    user = user_of(request)
    pm = _rows(user).prefetch_related("collaborators", "reviewers").filter(key=key).first()
    if pm is None:
        raise ApiError(404, f"No postmortem {key!r} that you may read.")
    if action and not permissions.may(user, action, pm):
        raise ApiError(403, "You may read this postmortem but not do this.")
    return pm


@router.get(
    "/", response={200: Page[PostmortemSummary], **COMMON}, auth=READ, summary="List postmortems"
)
def list_postmortems(request: HttpRequest, filters: Query[PostmortemFilters]) -> dict[str, Any]:
    """The postmortems the caller may read, newest first."""
    rows = _rows(user_of(request)).defer(*LONG_TEXT).filter(is_exercise=filters.exercises)
    rows = rows.order_by("-created_at", "key")
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.incident:
        rows = rows.filter(incidents__key=filters.incident)
    if filters.owner:
        rows = rows.filter(owner__username=filters.owner)
    return page_of(request, rows, filters, summary_json)


@router.get("/{key}", response={200: PostmortemOut, **COMMON}, auth=READ, summary="One postmortem")
def get_postmortem(request: HttpRequest, key: str) -> dict[str, Any]:
    pm = postmortem_for(request, key)
    record_restricted_read(request, pm, "api")
    return postmortem_json(pm)


@router.post("/", response={201: PostmortemOut, **WRITES}, auth=WRITE, summary="Start a postmortem")
def start(request: HttpRequest, payload: StartIn) -> Status[dict[str, Any]]:
    """A new draft on an incident the caller edits, owned by the caller."""
    user = user_of(request)
    incident = permissions.visible_incidents(user).filter(key=payload.incident).first()
    if incident is None:
        raise ApiError(
            404, f"No incident {payload.incident!r} that you may read.", field="incident"
        )
    if not permissions.may_start_postmortem(user, incident):
        raise ApiError(
            403, "Only the people who edit the incident start a postmortem on it.", field="incident"
        )
    template = None
    if payload.template:
        template = PostmortemTemplate.objects.filter(slug=payload.template).first()
        if template is None:
            raise ApiError(400, f"template: no template {payload.template!r}", field="template")
    pm = start_postmortem(incident, owner=user, template=template)
    return Status(201, postmortem_json(postmortem_for(request, pm.key)))


@router.put(
    "/{key}/sections/{field}",
    response={200: SectionOut, **WRITES},
    auth=WRITE,
    summary="Replace one section's text",
)
def put_section(
    request: HttpRequest, key: str, field: SectionField, payload: SectionIn
) -> dict[str, Any]:
    pm = postmortem_for(request, key, action="edit")
    problem = limits.section_size_problem(payload.text)
    if problem:
        raise ApiError(400, f"text: {problem}", field="text")
    saved = save_section(pm, field, payload.text, base=payload.version, author=user_of(request))
    text = getattr(saved, field)
    return {"field": field, "heading": HEADINGS[field], "text": text, "version": fingerprint(text)}


def _action_for(pm: Postmortem, target: str) -> str:
    """The rule (core.permissions) that allows moving ``pm`` to ``target``."""
    if target == "in_review":
        return "submit"
    if target == "approved" or (target == "draft" and pm.status == "in_review"):
        return "review"
    return "publish"


@router.post(
    "/{key}/transitions",
    response={201: TransitionOut, **WRITES},
    auth=WRITE,
    summary="Move along the lifecycle",
)
def move(request: HttpRequest, key: str, payload: TransitionIn) -> Status[dict[str, Any]]:
    """Submit (in_review), approve or send back (approved / draft), publish, mark not
    required or reopen, with the same checks as the lifecycle pages."""
    user = user_of(request)
    pm = postmortem_for(request, key)
    action = _action_for(pm, payload.to)
    if not permissions.may(user, action, pm):
        raise ApiError(403, "You may read this postmortem but not do this.")
    if payload.to == "in_review" and pm.status == "draft":
        missing = [item.label for item in submission_checklist(pm) if not item.done]
        if missing:
            raise ApiError(400, f"Complete the checklist first: {'; '.join(missing)}", field="to")
    note = payload.note.strip()
    with transaction.atomic():
        step = transition(pm, payload.to, by=user, note=note)
        record_revision(pm, author=user, summary=f"Moved to {STATUS_LABELS[payload.to]}")
        if action == "review" and note:
            add_comment(pm, author=user, body=note, requests_change=payload.to == "draft")
    return Status(
        201,
        {
            "key": pm.key,
            "from_status": step.from_status,
            "to_status": step.to_status,
            "by": user.username,
            "at": step.at,
        },
    )
