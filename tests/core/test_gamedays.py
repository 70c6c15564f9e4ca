"""Game days as plain data: the lifecycle and the suggestions."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from secondstory.core.gamedays import lifecycle
from secondstory.core.gamedays.suggestions import (
    RECURRED_ITEM,
    RECURRING,
    RecurredItem,
    from_recurred_item,
    from_recurring_pair,
    ranked,
)

T1 = datetime(2026, 5, 1, 10, 0, tzinfo=UTC)
T2 = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("current", "target", "allowed"),
    [
        ("planned", "running", True),
        ("planned", "aborted", True),
        ("planned", "done", False),
        ("running", "done", True),
        ("running", "aborted", True),
        ("running", "planned", False),
        ("done", "running", False),
        ("aborted", "running", False),
    ],
)
def test_transitions(current: str, target: str, allowed: bool) -> None:
    assert (lifecycle.check_transition(current, target) == "") is allowed
    assert (target in lifecycle.next_statuses(current)) is allowed


def test_an_unknown_status_is_named() -> None:
    assert "'finished'" in lifecycle.check_transition("planned", "finished")


def test_times_must_agree_with_each_other_and_the_status() -> None:
    assert lifecycle.time_problems("done", lifecycle.Times(None, T1, T2)) == {}
    assert lifecycle.time_problems("done", lifecycle.Times(None, T2, T1)) == {
        "ended_at": "the game day ends before it starts"
    }
    assert set(lifecycle.time_problems("running", lifecycle.Times())) == {"started_at"}
    assert set(lifecycle.time_problems("done", lifecycle.Times(None, T1, None))) == {"ended_at"}
    assert set(lifecycle.time_problems("planned", lifecycle.Times(None, None, T2))) == {"ended_at"}
    assert lifecycle.time_problems("planned", lifecycle.Times(T1, None, None)) == {}


def test_a_recurring_pair_prefills_service_category_and_evidence() -> None:
    s = from_recurring_pair("checkout", "tooling", 4, ("PM-2", "PM-3"), category_name="Tooling")
    assert s.kind == RECURRING
    assert s.services == ("checkout",) and s.categories == ("tooling",)
    assert s.evidence == ("PM-2", "PM-3")
    assert s.reason == "Tooling factors on checkout in 4 postmortems"
    assert "checkout" in s.hypothesis
    assert s.source == "checkout:tooling"


def test_a_recurred_item_names_the_item_and_where_it_came_back() -> None:
    item = RecurredItem("PM-1", "A2", "Alert on pool use", ("api",), ("detection",), ("PM-7",))
    s = from_recurred_item(item)
    assert s.kind == RECURRED_ITEM
    assert s.title == "Verify: Alert on pool use"
    assert "PM-1/A2 was marked done" in s.reason and "PM-7" in s.reason
    assert s.evidence == ("PM-1", "PM-7")


def test_a_recurred_item_the_reader_cannot_trace_still_reads_well() -> None:
    item = RecurredItem("PM-1", "A2", "Alert on pool use", ("api",), ("detection",), ())
    assert from_recurred_item(item).reason.endswith("recurred in a later postmortem")


def test_fixes_that_did_not_hold_come_first_then_the_most_evidence() -> None:
    few = from_recurring_pair("a", "x", 3, ("PM-1",), category_name="X")
    many = from_recurring_pair("b", "y", 5, ("PM-1", "PM-2"), category_name="Y")
    item = from_recurred_item(RecurredItem("PM-9", "A1", "Fix", (), (), ()))
    assert ranked([few, many, item]) == [item, many, few]
