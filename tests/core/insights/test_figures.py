"""The figures built on plain rows: periods, tables, durations, pipeline, follow-through."""

from __future__ import annotations

from datetime import date

import pytest

from secondstory.core.insights.durations import DurationSample, summarise_metric
from secondstory.core.insights.factors import PairCount, co_occurrence, recurring_pairs
from secondstory.core.insights.followthrough import (
    FollowThroughCounts,
    TitleCount,
    age_bucket,
    aging_bins,
    aimed_at_people,
    not_doing_share,
    on_time_share,
)
from secondstory.core.insights.periods import DateRange, months, quarters
from secondstory.core.insights.pipeline import StageTimes, stage_delays
from secondstory.core.insights.stats import DAY_EDGES
from secondstory.core.insights.tables import GroupedCount, count_table


def test_months_and_quarters_cover_the_range_across_a_year_end() -> None:
    span = DateRange(date(2025, 12, 31), date(2026, 4, 1))
    assert months(span) == ["2025-12", "2026-01", "2026-02", "2026-03", "2026-04"]
    assert quarters(span) == ["2025-Q4", "2026-Q1", "2026-Q2"]


def test_a_range_cannot_end_before_it_starts() -> None:
    with pytest.raises(ValueError, match="before it starts"):
        DateRange(date(2026, 2, 1), date(2026, 1, 1))


def test_count_table_fills_missing_cells_with_zero_and_drops_unknown_ones() -> None:
    table = count_table(
        [
            GroupedCount("2026-01", "SEV1", 2),
            GroupedCount("2026-01", "SEV1", 1),
            GroupedCount("2027-01", "SEV1", 9),
        ],
        ["2026-01", "2026-02"],
        ["SEV1", "SEV2"],
    )
    assert table.cells == ((3, 0), (0, 0))
    assert table.total == 3


def test_durations_per_period_leave_out_negative_ones_and_empty_periods_stay() -> None:
    samples = [
        DurationSample("ttd", "2026-Q1", 1.0),
        DurationSample("ttd", "2026-Q1", 3.0),
        DurationSample("ttd", "2026-Q1", -2.0),
        DurationSample("ttr", "2026-Q1", 50.0),
    ]
    summary = summarise_metric("ttd", samples, ["2026-Q1", "2026-Q2"], [0, 2])
    first, second = summary.by_period
    assert first[1] is not None and first[1].median == 2.0
    assert second == ("2026-Q2", None)
    assert summary.negative == 1
    assert [b.count for b in summary.bins] == [1, 1]


def test_stage_delays_count_only_postmortems_that_reached_the_stage() -> None:
    rows = [StageTimes(1.0, 3.0, 10.0), StageTimes(-0.5, None, None), StageTimes(4.0, 5.0, None)]
    draft, review, published = stage_delays(rows, DAY_EDGES)
    assert draft.summary is not None and draft.summary.count == 3
    assert draft.summary.minimum == 0.0  # a draft before resolution took no time
    assert review.summary is not None and review.summary.median == 4.0
    assert published.summary is not None and published.summary.count == 1


def test_follow_through_shares() -> None:
    counts = FollowThroughCounts(
        total=10, done=4, done_on_time=3, not_doing=1, open=5, overdue=2, recurred=1
    )
    assert on_time_share(counts) == 0.75
    assert not_doing_share(counts) == 0.2
    empty = FollowThroughCounts(0, 0, 0, 0, 0, 0, 0)
    assert on_time_share(empty) is None and not_doing_share(empty) is None


def test_items_aimed_at_people_are_judged_once_per_title() -> None:
    seen: list[str] = []

    def targets(title: str) -> bool:
        seen.append(title)
        return title.startswith("Remind")

    titles = [TitleCount("Remind the on-call to be careful", 4), TitleCount("Add a check", 2)]
    assert aimed_at_people(titles, targets) == 4
    assert seen == ["Remind the on-call to be careful", "Add a check"]


def test_age_buckets_match_the_bins() -> None:
    assert [age_bucket(d) for d in (0, 6.9, 7, 29, 30, 179, 180, 1000)] == [0, 0, 1, 2, 3, 5, 6, 6]
    bins = aging_bins({1: 3})
    assert [(b.label, b.count) for b in bins[:2]] == [("0–7", 0), ("7–14", 3)]


def test_co_occurrence_is_symmetric_with_the_category_count_on_the_diagonal() -> None:
    table = co_occurrence(
        [PairCount("tooling", "tooling", 5), PairCount("tooling", "process", 2)],
        ["tooling", "process", "technical"],
    )
    assert table.cell("tooling", "tooling") == 5
    assert table.cell("process", "tooling") == table.cell("tooling", "process") == 2
    assert table.cell("technical", "technical") == 0


def test_recurring_pairs_keep_the_frequent_ones_most_first() -> None:
    counts = [
        GroupedCount("api", "technical", 3),
        GroupedCount("db", "process", 5),
        GroupedCount("web", "tooling", 2),
    ]
    assert recurring_pairs(counts, 3, 10) == [("db", "process", 5), ("api", "technical", 3)]
    assert recurring_pairs(counts, 3, 1) == [("db", "process", 5)]


@pytest.mark.parametrize(
    "name", ["durations", "factors", "followthrough", "periods", "pipeline", "stats", "tables"]
)
def test_the_examples_in_the_docstrings_hold(name: str) -> None:
    import doctest
    import importlib

    module = importlib.import_module(f"secondstory.core.insights.{name}")
    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0
