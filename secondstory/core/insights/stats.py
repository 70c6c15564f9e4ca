"""Distributions of durations: quantiles and histogram bins, never a lone mean.

Definitions (documented in docs/insights.md):

- a *quantile* q of n sorted values x[0..n-1] interpolates linearly between the two closest
  ranks: position p = q·(n−1), value x[⌊p⌋] + (p−⌊p⌋)·(x[⌊p⌋+1] − x[⌊p⌋]) (the "inclusive"
  method of ``statistics.quantiles``, numpy's default); so the median of an even count is the
  mean of the two middle values and every quantile lies between the minimum and the maximum;
- a *histogram bin* ``[low, high)`` counts the values v with low <= v < high; the last bin is
  open above (``high`` is None) so that no value is left out.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Distribution:
    """The five-number summary plus p90 of a set of values (all in the values' unit)."""

    count: int
    minimum: float
    q1: float
    median: float
    q3: float
    p90: float
    maximum: float


@dataclass(frozen=True, slots=True)
class Bin:
    low: float
    high: float | None  # None: open above
    count: int

    @property
    def label(self) -> str:
        low = _short(self.low)
        return f"≥ {low}" if self.high is None else f"{low}–{_short(self.high)}"


def _short(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def quantile(ordered: Sequence[float], q: float) -> float:
    """The q-quantile (0 <= q <= 1) of already sorted values, interpolated between ranks.

    >>> quantile([1.0, 2.0, 3.0, 4.0], 0.5)
    2.5
    >>> quantile([5.0], 0.9)
    5.0
    """
    if not ordered:
        raise ValueError("a quantile needs at least one value")
    if not 0.0 <= q <= 1.0:
        raise ValueError(f"a quantile lies within 0 and 1, not {q}")
    position = q * (len(ordered) - 1)
    below = math.floor(position)
    above = min(below + 1, len(ordered) - 1)
    fraction = position - below
    low, high = ordered[below], ordered[above]
    value = low + fraction * (high - low)
    return min(max(value, low), high)  # no rounding drift outside the two ranks


def distribution(values: Iterable[float]) -> Distribution | None:
    """Summarise values; None when there are none.

    >>> distribution([4.0, 1.0, 3.0, 2.0]).median
    2.5
    """
    ordered = sorted(values)
    if not ordered:
        return None
    return Distribution(
        count=len(ordered),
        minimum=ordered[0],
        q1=quantile(ordered, 0.25),
        median=quantile(ordered, 0.5),
        q3=quantile(ordered, 0.75),
        p90=quantile(ordered, 0.9),
        maximum=ordered[-1],
    )


def counted_distribution(counts: Mapping[float, int]) -> Distribution | None:
    """``distribution`` of values given as value → how many times it occurs; the same
    figures as the expanded list, in time proportional to the distinct values.

    >>> counted_distribution({1.0: 1, 2.0: 2, 4.0: 1}).median
    2.0
    """
    ordered = sorted((v, n) for v, n in counts.items() if n > 0)
    if not ordered:
        return None
    values = [v for v, _ in ordered]
    ends = list(itertools.accumulate(n for _, n in ordered))  # rank just past each value
    total = ends[-1]

    def at(rank: int) -> float:
        return values[bisect.bisect_right(ends, rank)]

    def q(fraction: float) -> float:
        position = fraction * (total - 1)
        below = math.floor(position)
        low, high = at(below), at(min(below + 1, total - 1))
        value = low + (position - below) * (high - low)
        return min(max(value, low), high)

    return Distribution(total, values[0], q(0.25), q(0.5), q(0.75), q(0.9), values[-1])


def counted_histogram(counts: Mapping[float, int], edges: Sequence[float]) -> list[Bin]:
    """``histogram`` of values given as value → how many times it occurs.

    >>> [b.count for b in counted_histogram({0.5: 1, 1.0: 2, 30.0: 1}, [0, 1, 10])]
    [1, 2, 1]
    """
    if not edges or any(b <= a for a, b in itertools.pairwise(edges)):
        raise ValueError("histogram edges are a non-empty, strictly increasing sequence")
    bins = [0] * len(edges)
    for value, n in counts.items():
        bins[max(bisect.bisect_right(edges, value) - 1, 0)] += n
    highs: list[float | None] = [*edges[1:], None]
    return [Bin(low, high, n) for low, high, n in zip(edges, highs, bins, strict=True)]


def histogram(values: Iterable[float], edges: Sequence[float]) -> list[Bin]:
    """Count values into bins ``[edges[i], edges[i+1])`` and a last bin ``[edges[-1], ∞)``.

    Values below ``edges[0]`` count in the first bin, so the counts add up to the number of
    values.

    >>> [b.count for b in histogram([0.5, 1, 2, 30], [0, 1, 10])]
    [1, 2, 1]
    """
    if not edges or any(b <= a for a, b in itertools.pairwise(edges)):
        raise ValueError("histogram edges are a non-empty, strictly increasing sequence")
    counts = [0] * len(edges)
    for value in values:
        index = 0
        for i, edge in enumerate(edges):
            if value >= edge:
                index = i
            else:
                break
        counts[index] += 1
    highs: list[float | None] = [*edges[1:], None]
    return [Bin(low, high, n) for low, high, n in zip(edges, highs, counts, strict=True)]


# Duration bins in hours: minutes to weeks on one readable, roughly logarithmic scale.
DURATION_EDGES_HOURS: tuple[float, ...] = (0, 0.25, 0.5, 1, 2, 4, 8, 24, 72, 168)
# Age bins in days for the review pipeline and action items.
DAY_EDGES: tuple[float, ...] = (0, 7, 14, 30, 60, 90, 180)
