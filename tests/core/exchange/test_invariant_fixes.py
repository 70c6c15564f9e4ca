"""Invariant fixes made alongside the exchange format (naive datetimes, blank keys)."""

from __future__ import annotations

from datetime import datetime

from secondstory.core.invariants import postmortem_problems
from secondstory.core.record import FactorRecord, Milestone
from tests.core.exchange.helpers import CET, action_item, minimal_record, record_with_event


def test_naive_milestone_is_a_problem_not_a_crash() -> None:
    record = minimal_record()
    record.incidents[0].milestones = [
        Milestone("impact_started", datetime(2026, 3, 4, 14, 0, tzinfo=CET)),
        Milestone("detected", datetime(2026, 3, 4, 14, 5)),
    ]
    problems = postmortem_problems(record)
    assert [(p.field, p.message) for p in problems] == [
        ("incidents[0].milestones[1].at", "2026-03-04T14:05:00 has no UTC offset")
    ]


def test_naive_event_and_created_at() -> None:
    record = record_with_event(at=datetime(2026, 3, 4, 14, 2))
    record.created_at = datetime(2026, 3, 5)
    fields = [p.field for p in postmortem_problems(record)]
    assert fields == ["created_at", "incidents[0].timeline[0].at"]


def test_blank_keys_say_so() -> None:
    record = minimal_record(
        factors=[FactorRecord(" ", "technical", "Pool too small")],
        action_items=[action_item(key="")],
    )
    assert [p.message for p in postmortem_problems(record)] == [
        "a factor needs a key",
        "an action item needs a key",
    ]
