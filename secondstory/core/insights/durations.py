"""Duration metrics (the installation's own ``end − start`` definitions) as distributions."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from secondstory.core.insights.stats import (
    Bin,
    Distribution,
    counted_distribution,
    counted_histogram,
    distribution,
    histogram,
)


@dataclass(frozen=True, slots=True)
class DurationSample:
    """One incident's value of one metric, in hours, and the period it is counted in."""

    metric: str
    period: str
    hours: float


@dataclass(frozen=True, slots=True)
class MetricSummary:
    """One metric over a range: a distribution per period and a histogram of all values."""

    metric: str
    by_period: tuple[tuple[str, Distribution | None], ...]
    overall: Distribution | None
    bins: tuple[Bin, ...]
    negative: int  # samples dropped because end came before start


def summarise_metric(
    metric: str, samples: Iterable[DurationSample], periods: Sequence[str], edges: Sequence[float]
) -> MetricSummary:
    """Distributions per period (every period listed, None when empty) and a histogram.

    A negative duration (milestones recorded out of order, with a note) says nothing about
    speed; it is counted in ``negative`` and left out of the figures.

    >>> s = summarise_metric("ttd", [DurationSample("ttd", "2026-Q1", 1.0)], ["2026-Q1"], [0, 2])
    >>> s.overall.median, [b.count for b in s.bins]
    (1.0, [1, 0])
    """
    grouped: dict[str, list[float]] = defaultdict(list)
    everything: list[float] = []
    negative = 0
    for sample in samples:
        if sample.metric != metric:
            continue
        if sample.hours < 0:
            negative += 1
            continue
        grouped[sample.period].append(sample.hours)
        everything.append(sample.hours)
    return MetricSummary(
        metric=metric,
        by_period=tuple((p, distribution(grouped.get(p, ()))) for p in periods),
        overall=distribution(everything),
        bins=tuple(histogram(everything, edges)),
        negative=negative,
    )


def summarise_counted(
    metric: str,
    counts: Mapping[str, Mapping[float, int]],
    periods: Sequence[str],
    edges: Sequence[float],
) -> MetricSummary:
    """``summarise_metric`` over values already counted: period → value → how many
    incidents had it (what the database's kept counts give).

    >>> s = summarise_counted("ttd", {"2026-Q1": {1.0: 2, -1.0: 1}}, ["2026-Q1"], [0, 2])
    >>> s.overall.median, s.negative, [b.count for b in s.bins]
    (1.0, 1, [2, 0])
    """
    kept: dict[str, dict[float, int]] = {}
    everything: Counter[float] = Counter()
    negative = 0
    for period, values in counts.items():
        kept[period] = {v: n for v, n in values.items() if v >= 0 and n > 0}
        negative += sum(n for v, n in values.items() if v < 0)
        everything.update(kept[period])
    return MetricSummary(
        metric=metric,
        by_period=tuple((p, counted_distribution(kept.get(p, {}))) for p in periods),
        overall=counted_distribution(everything),
        bins=tuple(counted_histogram(everything, edges)),
        negative=negative,
    )
