"""Small exact statistics for the checks (no dependency beyond the standard library)."""

from __future__ import annotations

from collections.abc import Sequence
from math import comb, exp, lgamma, log, log1p

#: Up to this n every binomial coefficient fits a float, so the tail is summed exactly.
EXACT_UP_TO = 1000


def binomial_tail(k: int, n: int, p: float) -> float:
    """P(X >= k) for X ~ Binomial(n, p).

    >>> round(binomial_tail(4, 6, 0.15), 4)
    0.0059
    >>> binomial_tail(0, 5, 0.3)
    1.0
    >>> round(binomial_tail(250, 20000, 0.01), 4)
    0.0003
    """
    if k <= 0:
        return 1.0
    if k > n:
        return 0.0
    p = min(max(p, 0.0), 1.0)
    if n <= EXACT_UP_TO:
        return min(1.0, sum(comb(n, i) * p**i * (1 - p) ** (n - i) for i in range(k, n + 1)))
    return min(1.0, _large_tail(k, n, p))


def _large_tail(k: int, n: int, p: float) -> float:
    """The tail for a large n (a service with thousands of postmortems), term by term in
    logarithms: a coefficient such as C(20000, 500) is far beyond a float."""
    if p <= 0.0:
        return 0.0  # k >= 1 here
    if p >= 1.0:
        return 1.0  # k <= n here
    odds = log(p) - log1p(-p)
    term = lgamma(n + 1) - lgamma(k + 1) - lgamma(n - k + 1) + k * log(p) + (n - k) * log1p(-p)
    total = 0.0
    for i in range(k, n + 1):
        value = exp(term)
        total += value
        if i == n or (i > n * p and value < total * 1e-17):
            break  # past the mode the terms only shrink
        term += log((n - i) / (i + 1)) + odds
    return total


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
