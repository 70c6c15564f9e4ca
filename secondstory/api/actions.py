"""``/api/actions/``: action items with the same filters as the Actions page; status changes.

Reading: ``actions:read`` (items of the postmortems the caller may read); adding an item and
changing a status: ``actions:write`` and the right to edit the item's postmortem. Filters
are the page's query parameters with the page's validation; a status change carries the
``version`` it started from (409 when someone changed the status since).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from secondstory.accounts.models import User
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
from secondstory.actions.services import (
    create_action_item,
    default_due_date,
    set_status,
    status_fingerprint,
)
from secondstory.api.auth import scoped, user_of
from secondstory.api.errors import WRITES, ApiError
from secondstory.api.pagination import Page, PageQuery, page_of
from secondstory.api.postmortems import postmortem_for
from secondstory.api.schemas import Input
from secondstory.core import taxonomy
from secondstory.lib.concurrency import check_base
from secondstory.postmortems.models import Postmortem
from secondstory.postmortems.revisions import record_revision

router = Router(tags=["actions"])
READ = scoped("actions", "read")
WRITE = scoped("actions", "write")

ActionStatus = Literal["open", "in_progress", "done", "not_doing"]
ActionType = Literal[tuple(taxonomy.ACTION_TYPES)]  # type: ignore[valid-type]
ActionPriority = Literal[tuple(taxonomy.ACTION_PRIORITIES)]  # type: ignore[valid-type]


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


class ActionIn(Input):
    title: str = Field(min_length=1, max_length=taxonomy.MAX_TITLE, description="Verb first.")
    type: ActionType
    priority: ActionPriority = "P2"
    owner: str = Field(max_length=150, description="Username of the one person who answers.")
    due: date | None = Field(
        None, description="Default: from the severity's and the priority's policies."
    )
    past_due: bool = Field(False, description="Confirms a due date in the past (overdue at once).")
    done_criterion: str = Field("", max_length=10_000, description="How anyone can tell.")
    tracker_url: str = Field("", max_length=taxonomy.MAX_URL)
    factors: list[str] = Field(
        default_factory=list, max_length=100, description="Keys of the factors it addresses."
    )


def _new_item_fields(pm: Postmortem, payload: ActionIn) -> dict[str, Any]:
    """The payload checked as the add form checks it, as the service's arguments."""
    owner = User.objects.filter(username=payload.owner, is_active=True).first()
    if owner is None:
        raise ApiError(400, f"owner: no active person named {payload.owner!r}", field="owner")
    today = timezone.localdate()
    if payload.due is not None and payload.due < today and not payload.past_due:
        raise ApiError(
            400, "due: the date is in the past; send past_due: true to keep it", field="due"
        )
    url = payload.tracker_url.strip()
    try:
        if url:
            URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise ApiError(
            400, "tracker_url: enter a web address (https://…)", field="tracker_url"
        ) from None
    wanted = list(dict.fromkeys(payload.factors))
    factors = {f.key: f for f in pm.factors.filter(key__in=wanted)}
    if missing := [k for k in wanted if k not in factors]:
        raise ApiError(400, f"factors: no factor {missing[0]!r} on {pm.key}", field="factors")
    return {
        "title": payload.title.strip(),
        "type": payload.type,
        "priority": payload.priority,
        "owner": owner,
        "due": payload.due or default_due_date(pm, payload.priority, today=today),
        "done_criterion": payload.done_criterion,
        "tracker_url": url,
        "factors": [factors[k] for k in wanted],
    }


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


@router.post(
    "/{key}", response={201: ActionOut, **WRITES}, auth=WRITE, summary="Add an action item"
)
def add_action_item(request: HttpRequest, key: str, payload: ActionIn) -> Status[dict[str, Any]]:
    """As the add form on the postmortem's page: ``key`` is the postmortem's; the new item
    gets the next key (A1, A2…)."""
    pm = postmortem_for(request, key, action="edit")
    fields = _new_item_fields(pm, payload)
    with transaction.atomic():
        item = create_action_item(pm, **fields)
        record_revision(pm, author=user_of(request), summary=f"Added action item {item.key}")
    item = ActionItem.objects.select_related("owner", "postmortem").get(pk=item.pk)
    return Status(201, action_json(item, timezone.localdate()))


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
