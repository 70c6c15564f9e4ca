"""Distributions and histograms: definitions on examples, invariants on any data."""

from __future__ import annotations

import statistics

import pytest
from hypothesis import given
from hypothesis import strategies as st

from secondstory.core.insights.stats import DURATION_EDGES_HOURS, distribution, histogram, quantile

values = st.lists(
    st.floats(min_value=0, max_value=1e6, allow_nan=False, allow_infinity=False), min_size=1
)


def test_median_of_an_even_count_is_the_mean_of_the_middle_two() -> None:
    summary = distribution([10.0, 1.0, 4.0, 2.0])
    assert summary is not None
    assert summary.median == 3.0
    assert (summary.minimum, summary.maximum, summary.count) == (1.0, 10.0, 4)


def test_quantiles_interpolate_between_ranks() -> None:
    ordered = [float(n) for n in range(1, 11)]  # 1..10
    assert quantile(ordered, 0.9) == pytest.approx(9.1)
    assert quantile(ordered, 0.25) == pytest.approx(3.25)


def test_no_values_no_distribution() -> None:
    assert distribution([]) is None


def test_quantile_refuses_out_of_range() -> None:
    with pytest.raises(ValueError, match="within 0 and 1"):
        quantile([1.0], 1.5)


@given(values)
def test_quantiles_are_ordered_and_within_the_values(sample: list[float]) -> None:
    summary = distribution(sample)
    assert summary is not None
    assert summary.minimum <= summary.q1 <= summary.median <= summary.q3 <= summary.maximum
    assert summary.median <= summary.p90 <= summary.maximum


@given(values)
def test_median_agrees_with_the_standard_library(sample: list[float]) -> None:
    summary = distribution(sample)
    assert summary is not None
    assert summary.median == pytest.approx(statistics.median(sample))


@given(values)
def test_histogram_counts_every_value_once(sample: list[float]) -> None:
    bins = histogram(sample, DURATION_EDGES_HOURS)
    assert sum(b.count for b in bins) == len(sample)
    assert bins[-1].high is None


def test_histogram_bins_are_half_open() -> None:
    bins = histogram([0.0, 1.0, 1.5, 10.0, 99.0], [0, 1, 10])
    assert [(b.label, b.count) for b in bins] == [("0–1", 1), ("1–10", 2), ("≥ 10", 2)]


def test_histogram_refuses_unordered_edges() -> None:
    with pytest.raises(ValueError, match="strictly increasing"):
        histogram([1.0], [0, 5, 5])


def test_the_binomial_tail_of_a_service_with_thousands_of_postmortems() -> None:
    from math import comb

    from secondstory.core.insights.health.stats import _large_tail, binomial_tail

    # C(20000, 250) is far beyond a float; the exact sum used to overflow
    tail = binomial_tail(250, 20000, 0.01)
    assert 0.0003 < tail < 0.0004
    assert binomial_tail(1, 25000, 0.5) == pytest.approx(1.0)
    assert binomial_tail(25000, 25000, 0.0) == 0.0
    for k, n, p in [(3, 900, 0.01), (20, 1000, 0.02), (500, 1000, 0.5)]:
        exact = sum(comb(n, i) * p**i * (1 - p) ** (n - i) for i in range(k, n + 1))
        assert abs(_large_tail(k, n, p) - exact) < 1e-9 * exact
