"""Small exact statistics for the checks (no dependency beyond the standard library)."""

from __future__ import annotations

from collections.abc import Sequence
from math import comb


def binomial_tail(k: int, n: int, p: float) -> float:
    """P(X >= k) for X ~ Binomial(n, p).

    >>> round(binomial_tail(4, 6, 0.15), 4)
    0.0059
    >>> binomial_tail(0, 5, 0.3)
    1.0
    """
    if k <= 0:
        return 1.0
    if k > n:
        return 0.0
    p = min(max(p, 0.0), 1.0)
    return min(1.0, sum(comb(n, i) * p**i * (1 - p) ** (n - i) for i in range(k, n + 1)))


def median(values: Sequence[float]) -> float | None:
    """The median, or None for no values.

    >>> median([3, 1, 2]), median([1, 2, 3, 4]), median([])
    (2, 2.5, None)
    """
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2
