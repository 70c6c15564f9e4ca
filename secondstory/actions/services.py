"""Operations on action items, shared by views, the CLI and loaders."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from secondstory.accounts.models import User
from secondstory.actions.models import ActionItem
from secondstory.core.invariants import action_item_problems
from secondstory.core.record import ActionItemRecord
from secondstory.incidents.models import Severity
from secondstory.postmortems.models import ContributingFactor, Postmortem


def _raise_problems(record: ActionItemRecord) -> None:
    problems = action_item_problems(record, factor_keys=set())
    problems = [p for p in problems if p.path[0] != "factors"]
    if problems:
        errors: dict[str, list[str]] = {}
        for problem in problems:
            errors.setdefault(str(problem.path[0]), []).append(problem.message)
        raise ValidationError(errors)


@transaction.atomic
def create_action_item(
    postmortem: Postmortem,
    *,
    title: str,
    type: str,
    priority: str,
    owner: User | None,
    due: date,
    done_criterion: str = "",
    tracker_url: str = "",
    factors: Iterable[ContributingFactor] = (),
) -> ActionItem:
    """Add an action item; it must have exactly one owner and a due date."""
    _raise_problems(
        ActionItemRecord(
            key="new",
            title=title,
            type=type,
            priority=priority,
            owner=owner.username if owner else "",
            due=due,
        )
    )
    assert owner is not None
    position = postmortem.action_items.count()
    taken = set(postmortem.action_items.values_list("key", flat=True))
    number = position + 1
    while f"A{number}" in taken:
        number += 1
    item = ActionItem.objects.create(
        postmortem=postmortem,
        key=f"A{number}",
        position=position,
        title=title,
        type=type,
        priority=priority,
        owner=owner,
        due=due,
        done_criterion=done_criterion,
        tracker_url=tracker_url,
    )
    item.factors.set(_own_factors(postmortem, factors))
    return item


@transaction.atomic
def set_status(
    item: ActionItem, status: str, *, reason: str = "", at: datetime | None = None
) -> ActionItem:
    """Change an item's status; "not doing" needs a reason, "done" records when."""
    completed_at = (at or timezone.now()) if status == "done" else None
    if status == "not_doing":
        completed_at = None
    _raise_problems(
        ActionItemRecord(
            key=item.key,
            title=item.title,
            type=item.type,
            priority=item.priority,
            owner=item.owner.username,
            due=item.due,
            status=status,
            reason=reason,
            completed_at=completed_at,
        )
    )
    item.status = status
    item.reason = reason if status == "not_doing" else ""
    item.completed_at = completed_at
    item.save(update_fields=["status", "reason", "completed_at", "updated_at"])
    return item


# Priority caps on the severity's SLO, in days (P2 follows the severity alone).
PRIORITY_CAP_DAYS = {"P0": 15, "P1": 30}
DEFAULT_SLO_DAYS = 60


def default_due_date(postmortem: Postmortem, priority: str, *, today: date | None = None) -> date:
    """When an action item is due unless its owner says otherwise.

    The SLO of the most severe incident of the postmortem (``Severity.slo_days``),
    shortened to 15 days for P0 and 30 for P1, counted from today.
    """
    severity = Severity.objects.filter(incidents__postmortems=postmortem).order_by("rank").first()
    days = severity.slo_days if severity is not None else DEFAULT_SLO_DAYS
    days = min(days, PRIORITY_CAP_DAYS.get(priority, days))
    return (today or timezone.localdate()) + timedelta(days=days)


def _own_factors(
    postmortem: Postmortem, factors: Iterable[ContributingFactor]
) -> list[ContributingFactor]:
    factors = list(factors)
    if any(factor.postmortem_id != postmortem.pk for factor in factors):
        raise ValidationError({"factors": "an action item addresses factors of its own postmortem"})
    return factors


@transaction.atomic
def update_action_item(
    item: ActionItem,
    *,
    title: str,
    type: str,
    priority: str,
    owner: User | None,
    due: date,
    done_criterion: str = "",
    tracker_url: str = "",
    factors: Iterable[ContributingFactor] = (),
) -> ActionItem:
    """Change what an action item is, who owns it and when it is due (not its status)."""
    _raise_problems(
        ActionItemRecord(
            key=item.key,
            title=title,
            type=type,
            priority=priority,
            owner=owner.username if owner else "",
            due=due,
            status=item.status,
            reason=item.reason,
            completed_at=item.completed_at,
        )
    )
    assert owner is not None
    linked = _own_factors(item.postmortem, factors)
    item.title = title
    item.type = type
    item.priority = priority
    item.owner = owner
    item.due = due
    item.done_criterion = done_criterion
    item.tracker_url = tracker_url
    item.save(
        update_fields=[
            "title", "type", "priority", "owner", "due", "done_criterion", "tracker_url",
            "updated_at",
        ]
    )  # fmt: skip
    item.factors.set(linked)
    return item
