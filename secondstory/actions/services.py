"""Operations on action items, shared by views, the CLI and loaders."""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from secondstory.accounts.models import User
from secondstory.actions.models import ActionItem
from secondstory.core.invariants import action_item_problems
from secondstory.core.record import ActionItemRecord
from secondstory.postmortems.models import Postmortem


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
    return ActionItem.objects.create(
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
