"""Follow-through figures of action items, by team and by priority.

Shared by the figures page, the Prometheus ``/metrics`` view and later insights pages. The
caller decides which items count (``visible_items(user)`` for a person, every item for
operators); this module never widens that set.

- *completion within SLO*: of the items done in the date range, the share completed on or
  before their due date;
- *median days to close*: over the same items, from the item's creation to its completion
  (an item imported after it was completed counts from its postmortem's creation);
- *overdue* and *oldest overdue*: open or in-progress items past their due date today,
  whatever the date range.

An item counts for every team of its postmortem's incidents, or for "(no team)".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from statistics import median

from django.db.models import QuerySet

from secondstory.actions.models import ActionItem
from secondstory.core import taxonomy

NO_TEAM = "(no team)"
_OPEN = ("open", "in_progress")


@dataclass(frozen=True, slots=True)
class _Item:
    priority: str
    status: str
    due: date
    created_at: datetime
    completed_at: datetime | None
    postmortem_created_at: datetime

    def days_to_close(self) -> float:
        assert self.completed_at is not None
        start = self.created_at
        if start > self.completed_at:
            start = min(self.postmortem_created_at, self.completed_at)
        return (self.completed_at - start).total_seconds() / 86400


@dataclass(slots=True)
class Figure:
    """The figures of one group of items (a team, a priority, both, or everything)."""

    team: str | None = None
    priority: str | None = None
    by_status: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(taxonomy.ACTION_STATUSES, 0)
    )
    done_in_range: int = 0
    done_within_slo: int = 0
    median_days_to_close: float | None = None
    overdue: int = 0
    oldest_overdue_days: int = 0

    @property
    def total(self) -> int:
        return sum(self.by_status.values())

    @property
    def within_slo_ratio(self) -> float | None:
        """Share of items done in the range that were done on time; None when none were."""
        return self.done_within_slo / self.done_in_range if self.done_in_range else None

    @property
    def within_slo_percent(self) -> int | None:
        ratio = self.within_slo_ratio
        return None if ratio is None else round(ratio * 100)


@dataclass(frozen=True, slots=True)
class Figures:
    today: date
    since: date | None
    until: date | None
    overall: Figure
    by_team: list[Figure]
    by_priority: list[Figure]
    by_team_priority: list[Figure]


def _in_range(day: date, since: date | None, until: date | None) -> bool:
    return (since is None or day >= since) and (until is None or day <= until)


def _figure(
    items: Iterable[_Item],
    today: date,
    since: date | None,
    until: date | None,
    *,
    team: str | None = None,
    priority: str | None = None,
) -> Figure:
    figure = Figure(team=team, priority=priority)
    closing: list[float] = []
    for item in items:
        figure.by_status[item.status] = figure.by_status.get(item.status, 0) + 1
        if item.status in _OPEN and item.due < today:
            figure.overdue += 1
            figure.oldest_overdue_days = max(figure.oldest_overdue_days, (today - item.due).days)
        if item.status == "done" and item.completed_at is not None:
            completed = item.completed_at.date()
            if _in_range(completed, since, until):
                figure.done_in_range += 1
                figure.done_within_slo += completed <= item.due
                closing.append(item.days_to_close())
    if closing:
        figure.median_days_to_close = round(median(closing), 1)
    return figure


def compute_figures(
    items: QuerySet[ActionItem],
    today: date,
    since: date | None = None,
    until: date | None = None,
) -> Figures:
    """The figures of ``items`` in two queries, whatever their number."""
    rows = items.order_by().values_list(
        "pk", "priority", "status", "due", "created_at", "completed_at", "postmortem__created_at"
    )
    by_pk = {pk: _Item(*rest) for pk, *rest in rows}
    teams_of: dict[int, set[str]] = defaultdict(set)
    pairs = (
        items.order_by()
        .filter(postmortem__incidents__teams__isnull=False)
        .values_list("pk", "postmortem__incidents__teams__slug")
        .distinct()
    )
    for pk, slug in pairs:
        teams_of[pk].add(slug)

    team_items: dict[str, list[_Item]] = defaultdict(list)
    priority_items: dict[str, list[_Item]] = defaultdict(list)
    pair_items: dict[tuple[str, str], list[_Item]] = defaultdict(list)
    for pk, item in by_pk.items():
        priority_items[item.priority].append(item)
        for team in teams_of.get(pk) or {NO_TEAM}:
            team_items[team].append(item)
            pair_items[(team, item.priority)].append(item)

    def team_order(team: str) -> tuple[bool, str]:
        return (team == NO_TEAM, team)

    return Figures(
        today=today,
        since=since,
        until=until,
        overall=_figure(by_pk.values(), today, since, until),
        by_team=[
            _figure(team_items[t], today, since, until, team=t)
            for t in sorted(team_items, key=team_order)
        ],
        by_priority=[
            _figure(priority_items[p], today, since, until, priority=p)
            for p in sorted(priority_items)
        ],
        by_team_priority=[
            _figure(pair_items[k], today, since, until, team=k[0], priority=k[1])
            for k in sorted(pair_items, key=lambda k: (team_order(k[0]), k[1]))
        ],
    )
