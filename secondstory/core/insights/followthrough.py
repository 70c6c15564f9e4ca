"""Follow-through of action items: on time, aging, not doing, recurrence, aimed at people."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import ClassVar

from secondstory.core.insights.stats import DAY_EDGES, Bin


@dataclass(frozen=True, slots=True)
class FollowThroughCounts:
    """Counts over the action items in scope (grouped in the database)."""

    total: int
    done: int
    done_on_time: int  # done, completed on or before the due date
    not_doing: int
    open: int  # open or in progress
    overdue: int  # open or in progress and past the due date
    recurred: int  # done items with at least one recorded recurrence


@dataclass(slots=True)
class OpenItems:
    """Action items counted without reference to a day: the counts that do not change with
    the date, and the open items by the UTC day they were created and by due date, from
    which their ages and the overdue ones follow for any day (``as_of``). Sums of these
    (``add``) are the figures of the union of their items."""

    COUNTED: ClassVar[tuple[str, ...]] = (
        "total",
        "done",
        "done_on_time",
        "not_doing",
        "open",
        "recurred",
    )
    counts: dict[str, int] = field(default_factory=dict)
    created: Counter[date] = field(default_factory=Counter)
    due: Counter[date] = field(default_factory=Counter)

    def add(self, other: OpenItems) -> None:
        for name in self.COUNTED:
            self.counts[name] = self.counts.get(name, 0) + other.counts.get(name, 0)
        self.created.update(other.created)
        self.due.update(other.due)

    def as_of(self, today: date) -> tuple[FollowThroughCounts, dict[int, int]]:
        """The counts and the open items per age bin at the end of ``today``: an item
        created on day *d* is ``today - d`` days old, and overdue when due before today.

        >>> items = OpenItems({"open": 3}, Counter({date(2026, 1, 10): 2, date(2026, 1, 1): 1}),
        ...                   Counter({date(2026, 1, 9): 1, date(2026, 1, 20): 1}))
        >>> counts, ages = items.as_of(date(2026, 1, 12))
        >>> counts.overdue, ages
        (1, {0: 2, 1: 1, 2: 0, 3: 0, 4: 0, 5: 0, 6: 0})
        """
        highs: list[float | None] = [*DAY_EDGES[1:], None]
        ages = {}
        for i, (low, high) in enumerate(zip(DAY_EDGES, highs, strict=True)):
            # Created on or before today - low, and after today - high.
            newest = today - timedelta(days=low)
            oldest = None if high is None else today - timedelta(days=high)
            ages[i] = sum(
                n
                for day, n in self.created.items()
                if day <= newest and (oldest is None or day > oldest)
            )
        overdue = sum(n for day, n in self.due.items() if day < today)
        counts = FollowThroughCounts(
            **{name: self.counts.get(name, 0) for name in self.COUNTED}, overdue=overdue
        )
        return counts, ages


@dataclass(frozen=True, slots=True)
class TitleCount:
    """How many items in scope share one title (the database groups them)."""

    title: str
    count: int


def share(part: int, whole: int) -> float | None:
    """``part / whole``, or None when there is nothing to divide.

    >>> share(1, 4), share(0, 0)
    (0.25, None)
    """
    return part / whole if whole else None


def on_time_share(counts: FollowThroughCounts) -> float | None:
    """Of the done items, the share completed on or before their due date."""
    return share(counts.done_on_time, counts.done)


def not_doing_share(counts: FollowThroughCounts) -> float | None:
    """Of the items that are settled (done or not doing), the share marked "not doing"."""
    return share(counts.not_doing, counts.done + counts.not_doing)


def aimed_at_people(titles: Iterable[TitleCount], targets_people: Callable[[str], bool]) -> int:
    """How many items have a title that aims at people rather than at the system.

    The predicate is judged once per distinct title.

    >>> aimed_at_people([TitleCount("Remind on-call to check", 3)], lambda t: "Remind" in t)
    3
    """
    return sum(entry.count for entry in titles if targets_people(entry.title))


def aging_bins(ages_in_days: dict[int, int]) -> list[Bin]:
    """Open items by age in days, counted into the day bins (``DAY_EDGES``).

    ``ages_in_days`` maps an age bucket index (0 for the first bin ...) to its count, as the
    database groups them; see ``age_bucket``.

    >>> [b.count for b in aging_bins({0: 2, 6: 1})]
    [2, 0, 0, 0, 0, 0, 1]
    """
    highs: list[float | None] = [*DAY_EDGES[1:], None]
    return [
        Bin(low, high, ages_in_days.get(i, 0))
        for i, (low, high) in enumerate(zip(DAY_EDGES, highs, strict=True))
    ]


def age_bucket(days: float) -> int:
    """The index of the ``DAY_EDGES`` bin an age falls in.

    >>> age_bucket(0), age_bucket(13.9), age_bucket(400)
    (0, 1, 6)
    """
    index = 0
    for i, edge in enumerate(DAY_EDGES):
        if days >= edge:
            index = i
    return index
