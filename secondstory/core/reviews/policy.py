"""The review policy: how many business days after resolution a postmortem is reviewed.

Business days are Monday to Friday; the day of resolution does not count. Nothing here
touches the database: callers pass dates, ranks and day counts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

#: The default policy by severity rank (1 is the most severe); other ranks get OTHER_DAYS.
DEFAULT_BUSINESS_DAYS: Mapping[int, int] = {1: 3, 2: 5}
OTHER_DAYS = 10
#: An unheld review is "due soon" from this many business days before its due date.
DUE_SOON_BUSINESS_DAYS = 1

REVIEW_CLOCK_STATES: tuple[str, ...] = ("due", "due_soon", "overdue", "met", "met_late")


def default_business_days(rank: int | None) -> int:
    """Business days allowed for a severity rank without an explicit policy row.

    >>> default_business_days(1), default_business_days(2), default_business_days(4)
    (3, 5, 10)
    """
    if rank is None:
        return OTHER_DAYS
    return DEFAULT_BUSINESS_DAYS.get(rank, OTHER_DAYS)


def is_business_day(day: date) -> bool:
    return day.weekday() < 5


def add_business_days(start: date, days: int) -> date:
    """The date ``days`` business days after ``start`` (``start`` itself not counted).

    >>> add_business_days(date(2026, 12, 4), 3)  # a Friday -> the next Wednesday
    datetime.date(2026, 12, 9)
    >>> add_business_days(date(2026, 12, 5), 1)  # a Saturday -> Monday
    datetime.date(2026, 12, 7)
    """
    if days < 0:
        raise ValueError("days: must be zero or more")
    day = start
    left = days
    while left:
        day += timedelta(days=1)
        if is_business_day(day):
            left -= 1
    return day


def business_days_between(start: date, end: date) -> int:
    """Business days after ``start`` up to and including ``end`` (negative when end < start).

    >>> business_days_between(date(2026, 12, 4), date(2026, 12, 7))  # Friday -> Monday
    1
    """
    if end < start:
        return -business_days_between(end, start)
    return sum(1 for n in range(1, (end - start).days + 1) if is_business_day(start + timedelta(n)))


def _days(n: int, unit: str = "business day") -> str:
    return f"{n} {unit}" if n == 1 else f"{n} {unit}s"


@dataclass(frozen=True, slots=True)
class ReviewClock:
    """Where a postmortem's review stands against the policy.

    ``days`` goes with the state: business days left (due, due soon), business days
    overdue, or business days late (met late); 0 when met on time.
    """

    state: str
    due: date
    days: int = 0

    @property
    def label(self) -> str:
        """What the postmortem page says.

        >>> ReviewClock("overdue", date(2026, 12, 9), 2).label
        'review overdue by 2 business days'
        """
        if self.state == "due":
            return f"review due in {_days(self.days)}"
        if self.state == "due_soon":
            return "review due today" if self.days == 0 else "review due tomorrow"
        if self.state == "overdue":
            return f"review overdue by {_days(self.days)}"
        if self.state == "met_late":
            return f"reviewed {_days(self.days)} late"
        return "reviewed on time"

    @property
    def css_class(self) -> str:
        """The action-item clock classes, so both clocks read alike."""
        return {
            "due": "clock-open",
            "due_soon": "clock-due-soon",
            "overdue": "clock-overdue",
            "met": "clock-done-on-time",
            "met_late": "clock-done-late",
        }[self.state]

    @property
    def is_overdue(self) -> bool:
        return self.state == "overdue"


def review_clock(resolved: date, business_days: int, held: date | None, today: date) -> ReviewClock:
    """The review clock from the resolution date, the policy and the day the review was held.

    >>> review_clock(date(2026, 12, 4), 3, None, date(2026, 12, 10))
    ReviewClock(state='overdue', due=datetime.date(2026, 12, 9), days=1)
    >>> review_clock(date(2026, 12, 4), 3, date(2026, 12, 9), date(2026, 12, 20)).state
    'met'
    """
    due = add_business_days(resolved, business_days)
    if held is not None:
        late = business_days_between(due, held) if held > due else 0
        return ReviewClock("met_late", due, late) if late > 0 else ReviewClock("met", due)
    if today > due:
        return ReviewClock("overdue", due, max(business_days_between(due, today), 1))
    left = business_days_between(today, due)
    if left <= DUE_SOON_BUSINESS_DAYS:
        return ReviewClock("due_soon", due, left)
    return ReviewClock("due", due, left)
