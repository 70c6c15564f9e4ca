"""``/api/actions/``: action items with the same filters as the Actions page; status changes.

Reading: ``actions:read`` (items of the postmortems the caller may read); changing a status:
``actions:write`` and the right to edit the item's postmortem. Filters are the page's query
parameters with the page's validation; a status change carries the ``version`` it started
from (409 when someone changed the status since).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from secondstory.actions.filters import (
    FILTER_FIELDS,
    OPEN_STATUSES,
    STATUS_LABELS,
    FilterError,
    apply_filter,
    ordered,
    parse_filter,
    visible_items,
)
from secondstory.actions.models import ActionItem
from secondstory.actions.services import set_status, status_fingerprint
from secondstory.api.auth import scoped, user_of
from secondstory.api.errors import WRITES, ApiError
from secondstory.api.pagination import Page, PageQuery, page_of
from secondstory.api.postmortems import postmortem_for
from secondstory.api.schemas import Input
from secondstory.lib.concurrency import check_base
from secondstory.postmortems.revisions import record_revision

router = Router(tags=["actions"])
READ = scoped("actions", "read")
WRITE = scoped("actions", "write")

ActionStatus = Literal["open", "in_progress", "done", "not_doing"]


class ActionOut(Schema):
    key: str
    postmortem: str
    incidents: list[str]
    title: str
    type: str
    priority: str
    owner: str
    due: date
    status: ActionStatus
    reason: str
    overdue: bool
    completed_at: datetime | None
    tracker_url: str
    version: str = Field(description="The status's version, for a status change.")


def _text(description: str) -> Any:
    return Field(None, max_length=200, description=description)


class ActionFilters(PageQuery):
    owner: str | None = _text("Owner's username.")
    team: str | None = _text("Team slug (of the postmortem's incidents).")
    service: str | None = _text("Service slug (of the postmortem's incidents).")
    status: str | None = _text("open, in_progress, done or not_doing.")
    type: str | None = _text("The action type, e.g. prevent, mitigate.")
    priority: str | None = _text("P1, P2, …")
    overdue: str | None = _text("yes or no.")
    verified: str | None = _text("yes or no: verified by a game day.")
    severity: str | None = _text("Severity code of the postmortem's incidents.")
    due_after: str | None = _text("YYYY-MM-DD (inclusive).")
    due_before: str | None = _text("YYYY-MM-DD (inclusive).")
    created_after: str | None = _text("YYYY-MM-DD (inclusive).")
    created_before: str | None = _text("YYYY-MM-DD (inclusive).")
    sort: str | None = _text("due, priority, status, … (a leading - reverses).")


class StatusIn(Input):
    status: ActionStatus
    reason: str = Field("", max_length=10_000, description="Why not: required for not_doing.")
    version: str = Field(max_length=64, description="The item's version when you read it.")


def action_json(item: ActionItem, today: date) -> dict[str, Any]:
    return {
        "key": item.key,
        "postmortem": item.postmortem.key,
        "incidents": [i.key for i in item.postmortem.incidents.all()],
        "title": item.title,
        "type": item.type,
        "priority": item.priority,
        "owner": item.owner.username,
        "due": item.due,
        "status": item.status,
        "reason": item.reason,
        "overdue": item.status in OPEN_STATUSES and item.due < today,
        "completed_at": item.completed_at,
        "tracker_url": item.tracker_url,
        "version": status_fingerprint(item),
    }


@router.get("/", response={200: Page[ActionOut], **WRITES}, auth=READ, summary="List action items")
def list_actions(request: HttpRequest, filters: Query[ActionFilters]) -> dict[str, Any]:
    """The items the caller may read, filtered and sorted as on the Actions page."""
    raw = {name: getattr(filters, name) or "" for name in FILTER_FIELDS}
    try:
        flt = parse_filter(raw)
    except FilterError as error:
        field, message = next(iter(error.errors.items()))
        raise ApiError(400, f"{field}: {message}", field=field) from None
    today = timezone.localdate()
    items = ordered(apply_filter(visible_items(user_of(request)), flt, today), flt)
    return page_of(request, items, filters, lambda item: action_json(item, today))


@router.put(
    "/{key}/{item_key}/status",
    response={200: ActionOut, **WRITES},
    auth=WRITE,
    summary="Change an item's status",
)
def change_status(
    request: HttpRequest, key: str, item_key: str, payload: StatusIn
) -> dict[str, Any]:
    """As the status form on the postmortem's page: ``key`` is the postmortem's."""
    pm = postmortem_for(request, key, action="edit")
    reason = payload.reason.strip() if payload.status == "not_doing" else ""
    with transaction.atomic():
        item = (
            ActionItem.objects.select_for_update(of=("self",))
            .select_related("owner", "postmortem")
            .filter(postmortem=pm, key=item_key)
            .first()
        )
        if item is None:
            raise ApiError(404, f"No action item {item_key!r} on {pm.key}.")
        if (payload.status, reason) != (item.status, item.reason):
            check_base(
                payload.version,
                item.status,
                item.reason,
                what=f"The status of action item {item.key}",
                yours=(payload.status, reason),
            )
            set_status(item, payload.status, reason=reason)
            label = STATUS_LABELS[payload.status]
            record_revision(
                pm,
                author=user_of(request),
                summary=f"Action item {item.key} is now {label.lower()}",
            )
    return action_json(item, timezone.localdate())
