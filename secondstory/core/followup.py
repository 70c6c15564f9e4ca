"""Follow-through rules over plain values: SLO clocks, default due days and the action policy.

Nothing here touches the database or Django; callers pass dates, codes and counts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from secondstory.core import taxonomy

# Days an action item may take when neither the severity nor the priority says otherwise.
DEFAULT_SLO_DAYS = 60
# The priority policy installed on a new organisation (P2 follows the severity alone).
DEFAULT_PRIORITY_SLO_DAYS: Mapping[str, int] = {"P0": 15, "P1": 30}

# The action policy: a postmortem whose most severe incident has one of the first
# POLICY_SEVERITY_RANKS ranks needs at least one item of these priorities and types.
POLICY_SEVERITY_RANKS = 2
POLICY_PRIORITIES: tuple[str, ...] = ("P0", "P1")
POLICY_TYPES: tuple[str, ...] = ("prevent", "mitigate", "detect")

CLOCK_STATES: tuple[str, ...] = (
    "open",
    "due_soon",
    "overdue",
    "done_on_time",
    "done_late",
    "done",
    "not_doing",
)

_OPEN_STATUSES = ("open", "in_progress")


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


@dataclass(frozen=True, slots=True)
class Clock:
    """Where an action item stands against its due date.

    ``days`` is the number that goes with the state: days left (open, due soon),
    days overdue, or days late (done late); 0 for the other states.
    """

    state: str
    days: int = 0

    @property
    def label(self) -> str:
        """What the item's page says, e.g. "due in 3 days" or "done 2 days late".

        >>> Clock("overdue", 6).label
        'overdue by 6 days'
        >>> Clock("due_soon", 0).label
        'due today'
        """
        if self.state == "open":
            return f"{_days(self.days)} left"
        if self.state == "due_soon":
            if self.days == 0:
                return "due today"
            if self.days == 1:
                return "due tomorrow"
            return f"due in {_days(self.days)}"
        if self.state == "overdue":
            return f"overdue by {_days(self.days)}"
        if self.state == "done_late":
            return f"done {_days(self.days)} late"
        return {"done_on_time": "done on time", "done": "done", "not_doing": "not doing"}[
            self.state
        ]

    @property
    def css_class(self) -> str:
        """One class per state, e.g. ``clock-due-soon``."""
        return "clock-" + self.state.replace("_", "-")

    @property
    def is_overdue(self) -> bool:
        return self.state == "overdue"


def clock_state(
    status: str,
    due: date,
    completed: date | None,
    today: date,
    due_soon_days: int,
) -> Clock:
    """The clock of an action item, from its status, due date and completion date.

    An open or in-progress item is overdue once its due date has passed, due soon
    from ``due_soon_days`` days before it up to and including the due date, else
    open with the days left. A done item is on time when completed on or before
    the due date. All values are calendar dates: the caller picks the zone.

    >>> clock_state("open", date(2026, 4, 4), None, date(2026, 4, 10), 7)
    Clock(state='overdue', days=6)
    >>> clock_state("done", date(2026, 4, 4), date(2026, 4, 4), date(2026, 5, 1), 7)
    Clock(state='done_on_time', days=0)
    """
    if status not in taxonomy.ACTION_STATUSES:
        raise ValueError(f"status: unknown action item status {status!r}")
    if due_soon_days < 0:
        raise ValueError("due_soon_days: must be zero or more")
    if status == "not_doing":
        return Clock("not_doing")
    if status == "done":
        if completed is None:
            return Clock("done")
        late = (completed - due).days
        return Clock("done_late", late) if late > 0 else Clock("done_on_time")
    left = (due - today).days
    if left < 0:
        return Clock("overdue", -left)
    if left <= due_soon_days:
        return Clock("due_soon", left)
    return Clock("open", left)


def default_due_days(severity_slo_days: int | None, priority_slo_days: int | None) -> int:
    """Days until an item's default due date: the shorter of the two policies that apply.

    >>> default_due_days(30, 15), default_due_days(60, None), default_due_days(None, None)
    (15, 60, 60)
    """
    days = DEFAULT_SLO_DAYS if severity_slo_days is None else severity_slo_days
    return days if priority_slo_days is None else min(days, priority_slo_days)


@dataclass(frozen=True, slots=True)
class PolicyItem:
    """What the action policy looks at in one action item."""

    type: str
    priority: str
    status: str


def counts_for_policy(item: PolicyItem) -> bool:
    """A P0 or P1 item that prevents, mitigates or detects, and is not marked "not doing"."""
    return (
        item.priority in POLICY_PRIORITIES
        and item.type in POLICY_TYPES
        and item.status != "not_doing"
    )


def policy_applies(most_severe_rank: int | None) -> bool:
    """Whether the action policy covers a postmortem whose most severe incident has this rank."""
    return most_severe_rank is not None and 1 <= most_severe_rank <= POLICY_SEVERITY_RANKS


def policy_met(most_severe_rank: int | None, items: Iterable[PolicyItem]) -> bool:
    """True when the policy does not apply, or at least one item counts for it."""
    if not policy_applies(most_severe_rank):
        return True
    return any(counts_for_policy(item) for item in items)


def policy_rule(severity_codes: Iterable[str]) -> str:
    """The rule in words, naming the severities it covers (e.g. SEV1 and SEV2).

    >>> policy_rule(["SEV1", "SEV2"])
    'A SEV1 or SEV2 postmortem has at least one P0 or P1 action item of type prevent, mitigate or detect (items marked “Not doing” do not count)'
    """  # noqa: E501
    codes = list(severity_codes) or [f"rank {r}" for r in range(1, POLICY_SEVERITY_RANKS + 1)]
    covered = " or ".join([", ".join(codes[:-1]), codes[-1]] if len(codes) > 1 else codes)
    types = ", ".join(POLICY_TYPES[:-1]) + " or " + POLICY_TYPES[-1]
    priorities = " or ".join(POLICY_PRIORITIES)
    return (
        f"A {covered} postmortem has at least one {priorities} action item of type {types} "
        "(items marked “Not doing” do not count)"
    )
