"""Operations on action items, shared by views, the CLI and loaders."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta, tzinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from secondstory.accounts.models import User
from secondstory.actions.models import ActionItem, PriorityPolicy
from secondstory.core import followup
from secondstory.core.followup import Clock
from secondstory.core.invariants import action_item_problems
from secondstory.core.record import ActionItemRecord
from secondstory.incidents.models import Severity
from secondstory.lib.concurrency import fingerprint
from secondstory.lib.timezones import site_zone
from secondstory.outgoing import events as webhook_events
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
    webhook_events.action_item_created(item)
    return item


def status_fingerprint(item: ActionItem) -> str:
    """What a status form started from: the status and its reason (see lib.concurrency)."""
    return fingerprint(item.status, item.reason)


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
    was_done = item.status == "done"
    item.status = status
    item.reason = reason if status == "not_doing" else ""
    item.completed_at = completed_at
    item.save(update_fields=["status", "reason", "completed_at", "updated_at"])
    if status == "done" and not was_done:
        webhook_events.action_item_done(item)
    return item


def most_severe(postmortem: Postmortem) -> Severity | None:
    """The severity of the postmortem's most severe incident (None without incidents)."""
    return Severity.objects.filter(incidents__postmortems=postmortem).order_by("rank").first()


def _severity_slo_days(postmortem: Postmortem) -> int | None:
    severity = most_severe(postmortem)
    return severity.slo_days if severity is not None else None


def default_due_date(postmortem: Postmortem, priority: str, *, today: date | None = None) -> date:
    """When an action item is due unless its owner says otherwise, counted from today.

    The shorter of the most severe incident's ``Severity.slo_days`` and the
    ``PriorityPolicy.slo_days`` of the item's priority; without a policy row for the
    priority the severity alone decides, and without an incident it is 60 days.
    """
    policy = PriorityPolicy.objects.filter(priority=priority).first()
    days = followup.default_due_days(
        _severity_slo_days(postmortem), policy.slo_days if policy is not None else None
    )
    return (today or timezone.localdate()) + timedelta(days=days)


def due_soon_days() -> int:
    """How many days before its due date an open item counts as due soon."""
    return int(getattr(settings, "SECONDSTORY_DUE_SOON_DAYS", 7))


def clock(item: ActionItem, today: date | None = None, *, zone: tzinfo | None = None) -> Clock:
    """The item's SLO clock: due soon, overdue, done on time, done late, not doing or open.

    ``today`` and the completion date are calendar dates in ``zone`` (the site's zone
    unless given), so one item reads the same for everybody who shares that zone.
    """
    zone = zone or site_zone()
    today = today or timezone.localdate(timezone=zone)
    completed = (
        timezone.localtime(item.completed_at, zone).date()
        if item.completed_at is not None
        else None
    )
    return followup.clock_state(item.status, item.due, completed, today, due_soon_days())


def annotate_clocks(
    items: Iterable[ActionItem], today: date, *, zone: tzinfo | None = None
) -> list[ActionItem]:
    """Set ``clock`` and ``overdue_days`` on each item, for templates; returns the items."""
    annotated = list(items)
    for item in annotated:
        item.clock = clock(item, today, zone=zone)  # type: ignore[attr-defined]
        item.overdue_days = item.days_overdue(today)  # type: ignore[attr-defined]
    return annotated


def most_severe_rank(postmortem: Postmortem) -> int | None:
    """The rank of the postmortem's most severe incident (1 is the most severe)."""
    severity = most_severe(postmortem)
    return severity.rank if severity is not None else None


def action_policy_enabled() -> bool:
    return bool(getattr(settings, "SECONDSTORY_ACTION_POLICY", True))


def action_policy_met(postmortem: Postmortem) -> bool:
    """Whether the postmortem meets the action policy (see core.followup.policy_met)."""
    items = [
        followup.PolicyItem(type=t, priority=p, status=s)
        for t, p, s in postmortem.action_items.values_list("type", "priority", "status")
    ]
    return followup.policy_met(most_severe_rank(postmortem), items)


def action_policy_rule() -> str:
    """The rule in words, naming the severity codes it covers on this installation."""
    codes = Severity.objects.filter(rank__lte=followup.POLICY_SEVERITY_RANKS).order_by("rank")
    return followup.policy_rule(codes.values_list("code", flat=True))


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
