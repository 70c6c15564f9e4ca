"""SLO clocks, default due days and the action policy, over plain values."""

from __future__ import annotations

import doctest
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from secondstory.core import followup, taxonomy
from secondstory.core.followup import (
    Clock,
    PolicyItem,
    clock_state,
    counts_for_policy,
    default_due_days,
    policy_applies,
    policy_met,
    policy_rule,
)

DUE = date(2026, 4, 4)


def test_the_examples_in_the_docstrings_hold() -> None:
    result = doctest.testmod(followup)
    assert result.attempted >= 6 and result.failed == 0


@pytest.mark.parametrize(
    ("today", "expected", "label"),
    [
        (date(2026, 3, 20), Clock("open", 15), "15 days left"),
        (date(2026, 3, 27), Clock("open", 8), "8 days left"),
        (date(2026, 3, 28), Clock("due_soon", 7), "due in 7 days"),  # exactly N days
        (date(2026, 4, 2), Clock("due_soon", 2), "due in 2 days"),
        (date(2026, 4, 3), Clock("due_soon", 1), "due tomorrow"),
        (date(2026, 4, 4), Clock("due_soon", 0), "due today"),
        (date(2026, 4, 5), Clock("overdue", 1), "overdue by 1 day"),
        (date(2026, 4, 10), Clock("overdue", 6), "overdue by 6 days"),
    ],
)
@pytest.mark.parametrize("status", ["open", "in_progress"])
def test_the_clock_of_an_open_item(status: str, today: date, expected: Clock, label: str) -> None:
    clock = clock_state(status, DUE, None, today, 7)
    assert clock == expected
    assert clock.label == label
    assert clock.is_overdue == (expected.state == "overdue")


def test_due_soon_follows_the_configured_number_of_days() -> None:
    assert clock_state("open", DUE, None, date(2026, 4, 1), 3).state == "due_soon"
    assert clock_state("open", DUE, None, date(2026, 3, 31), 3).state == "open"
    assert clock_state("open", DUE, None, DUE, 0) == Clock("due_soon", 0)
    assert clock_state("open", DUE, None, DUE - timedelta(days=1), 0) == Clock("open", 1)


@pytest.mark.parametrize(
    ("completed", "expected", "label"),
    [
        (date(2026, 3, 1), Clock("done_on_time"), "done on time"),
        (DUE, Clock("done_on_time"), "done on time"),  # done on the due date
        (date(2026, 4, 5), Clock("done_late", 1), "done 1 day late"),
        (date(2026, 4, 14), Clock("done_late", 10), "done 10 days late"),
    ],
)
def test_the_clock_of_a_done_item(completed: date, expected: Clock, label: str) -> None:
    # Today does not matter once the item is done.
    for today in (date(2026, 3, 1), DUE, date(2027, 1, 1)):
        clock = clock_state("done", DUE, completed, today, 7)
        assert clock == expected
        assert clock.label == label


def test_a_done_item_without_a_completion_date_is_just_done() -> None:
    assert clock_state("done", DUE, None, date(2026, 5, 1), 7) == Clock("done")
    assert Clock("done").label == "done"


def test_not_doing_is_never_overdue() -> None:
    clock = clock_state("not_doing", DUE, None, date(2026, 12, 1), 7)
    assert clock == Clock("not_doing")
    assert (clock.label, clock.is_overdue) == ("not doing", False)


def test_every_state_has_its_own_css_class() -> None:
    classes = {Clock(state).css_class for state in followup.CLOCK_STATES}
    assert len(classes) == len(followup.CLOCK_STATES)
    assert Clock("due_soon").css_class == "clock-due-soon"
    assert Clock("done_late", 2).css_class == "clock-done-late"


def test_bad_input_names_the_field() -> None:
    with pytest.raises(ValueError, match="status: unknown action item status 'closed'"):
        clock_state("closed", DUE, None, DUE, 7)
    with pytest.raises(ValueError, match="due_soon_days"):
        clock_state("open", DUE, None, DUE, -1)


def test_the_clock_depends_on_calendar_dates_not_on_zones() -> None:
    # The same instant is 4 April in Auckland and 3 April in Honolulu: the caller picks the
    # zone, and the clock only ever sees the resulting date.
    instant = datetime(2026, 4, 3, 20, 0, tzinfo=UTC)
    auckland = instant.astimezone(timezone(timedelta(hours=13))).date()
    honolulu = instant.astimezone(timezone(timedelta(hours=-10))).date()
    assert clock_state("open", DUE, None, auckland, 7) == Clock("due_soon", 0)
    assert clock_state("open", DUE, None, honolulu, 7) == Clock("due_soon", 1)
    assert clock_state("done", DUE, auckland, auckland, 7) == Clock("done_on_time")


@settings(deadline=None)
@given(
    status=st.sampled_from(taxonomy.ACTION_STATUSES),
    due=st.dates(),
    today=st.dates(),
    completed=st.none() | st.dates(),
    soon=st.integers(min_value=0, max_value=90),
)
def test_every_clock_has_a_known_state_and_a_label(
    status: str, due: date, today: date, completed: date | None, soon: int
) -> None:
    clock = clock_state(status, due, completed, today, soon)
    assert clock.state in followup.CLOCK_STATES
    assert clock.days >= 0 and clock.label
    assert clock.is_overdue == (status in ("open", "in_progress") and due < today)


@pytest.mark.parametrize(
    ("severity", "priority", "days"),
    [
        (15, None, 15),  # SEV1
        (30, None, 30),  # SEV2
        (60, None, 60),  # SEV3
        (60, 15, 15),  # P0
        (60, 30, 30),  # P1
        (15, 30, 15),  # SEV1 and P1: the shorter
        (None, None, 60),  # no incident
        (None, 30, 30),
    ],
)
def test_default_due_days_take_the_shorter_policy(
    severity: int | None, priority: int | None, days: int
) -> None:
    assert default_due_days(severity, priority) == days


def test_the_default_severities_match_the_policy() -> None:
    days = {s.code: s.slo_days for s in taxonomy.DEFAULT_SEVERITIES}
    assert days == {"SEV1": 15, "SEV2": 30, "SEV3": 60, "SEV4": 60}
    assert dict(followup.DEFAULT_PRIORITY_SLO_DAYS) == {"P0": 15, "P1": 30}
    assert set(followup.POLICY_TYPES) <= set(taxonomy.ACTION_TYPES)
    assert set(followup.POLICY_PRIORITIES) <= set(taxonomy.ACTION_PRIORITIES)


@pytest.mark.parametrize(
    ("item", "counts"),
    [
        (PolicyItem("prevent", "P1", "open"), True),
        (PolicyItem("mitigate", "P0", "in_progress"), True),
        (PolicyItem("detect", "P1", "done"), True),
        (PolicyItem("detect", "P1", "not_doing"), False),
        (PolicyItem("prevent", "P2", "open"), False),
        (PolicyItem("repair", "P0", "open"), False),
        (PolicyItem("investigate", "P1", "open"), False),
        (PolicyItem("process", "P0", "open"), False),
    ],
)
def test_which_items_count_for_the_policy(item: PolicyItem, counts: bool) -> None:
    assert counts_for_policy(item) is counts
    assert policy_met(1, [item]) is counts
    assert policy_met(2, [PolicyItem("repair", "P2", "open"), item]) is counts


def test_the_policy_covers_the_two_most_severe_ranks() -> None:
    assert [policy_applies(rank) for rank in (None, 1, 2, 3, 4)] == [
        False,
        True,
        True,
        False,
        False,
    ]
    assert policy_met(1, []) is False
    assert policy_met(3, []) is True
    assert policy_met(None, []) is True


def test_the_rule_names_the_severities_it_covers() -> None:
    rule = policy_rule(["SEV1", "SEV2"])
    assert rule.startswith("A SEV1 or SEV2 postmortem has at least one P0 or P1 action item")
    assert "prevent, mitigate or detect" in rule and "“Not doing”" in rule
    assert policy_rule(["Critical"]).startswith("A Critical postmortem")
    assert policy_rule(["S1", "S2", "S3"]).startswith("A S1, S2 or S3 postmortem")
    assert policy_rule([]).startswith("A rank 1 or rank 2 postmortem")
