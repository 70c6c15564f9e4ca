"""Contributing factors as data: frequency, co-occurrence and the pairs that keep returning."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from secondstory.core.insights.tables import CountTable, GroupedCount, count_table


@dataclass(frozen=True, slots=True)
class PairCount:
    """Postmortems in which two categories both appear (a == b: the category at all)."""

    a: str
    b: str
    postmortems: int


@dataclass(frozen=True, slots=True)
class RecurringPair:
    """A (service, category) pair seen in several postmortems, with the keys a reader may see."""

    service: str
    category: str
    postmortems: int
    keys: tuple[str, ...]  # only the readable ones; restricted ones count but are not named

    @property
    def hidden(self) -> int:
        return self.postmortems - len(self.keys)


def co_occurrence(pairs: Iterable[PairCount], categories: Sequence[str]) -> CountTable:
    """A symmetric categories × categories table of postmortems sharing both categories.

    The diagonal holds the postmortems with the category at all.

    >>> t = co_occurrence([PairCount("technical", "process", 2)], ["technical", "process"])
    >>> t.cell("process", "technical"), t.cell("technical", "process")
    (2, 2)
    """
    counts: dict[tuple[str, str], int] = {}
    for pair in pairs:
        counts[(pair.a, pair.b)] = pair.postmortems
        counts[(pair.b, pair.a)] = pair.postmortems
    entries = (GroupedCount(a, b, n) for (a, b), n in counts.items())
    return count_table(entries, categories, categories)


def recurring_pairs(
    counts: Iterable[GroupedCount], minimum: int, limit: int
) -> list[tuple[str, str, int]]:
    """The (service, category) pairs counted in at least ``minimum`` postmortems, most first.

    ``GroupedCount.row`` is the service, ``column`` the category; ties go by name.

    >>> recurring_pairs([GroupedCount("api", "technical", 3), GroupedCount("db", "process", 1)],
    ...                 2, 10)
    [('api', 'technical', 3)]
    """
    kept = [(c.row, c.column, c.count) for c in counts if c.count >= minimum]
    kept.sort(key=lambda pair: (-pair[2], pair[0], pair[1]))
    return kept[:limit]
