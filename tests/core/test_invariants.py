from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from secondstory.core.invariants import Vocabulary, postmortem_problems
from secondstory.core.record import Transition
from tests.apps.factories import START, postmortem_record


def fields(record) -> list[str]:  # type: ignore[no-untyped-def]
    return [p.field for p in postmortem_problems(record)]


def test_a_valid_record_has_no_problems() -> None:
    assert postmortem_problems(postmortem_record()) == []


def test_unknown_severity_is_named_with_the_choices() -> None:
    record = postmortem_record()
    record.incidents[0].severity = "SEV9"
    (problem,) = postmortem_problems(record)
    assert problem.field == "incidents[0].severity"
    assert "SEV9" in problem.message and "SEV1" in problem.message


def test_configured_severities_are_respected() -> None:
    vocab = Vocabulary(severities=frozenset({"P1", "P2"}))
    record = postmortem_record()
    assert [p.field for p in postmortem_problems(record, vocab)] == ["incidents[0].severity"]


def test_milestones_out_of_order_are_refused_unless_explained() -> None:
    record = postmortem_record()
    detected = record.incidents[0].milestones[1]
    detected.at = START - timedelta(minutes=1)
    assert fields(record) == ["incidents[0].milestones[1].at"]
    record.incidents[0].milestone_order_note = "Detected by a synthetic check before impact."
    assert fields(record) == []


def test_action_item_needs_an_owner_and_not_doing_needs_a_reason() -> None:
    record = postmortem_record()
    record.action_items[0].owner = ""
    record.action_items.append(
        replace(record.action_items[0], key="A2", owner="bob", status="not_doing")
    )
    assert fields(record) == ["action_items[0].owner", "action_items[1].reason"]


def test_duplicate_source_reference_is_refused() -> None:
    record = postmortem_record()
    timeline = record.incidents[0].timeline
    timeline.append(replace(timeline[1], text="the same alert again"))
    (problem,) = postmortem_problems(record)
    assert problem.field == "incidents[0].timeline[4].source_ref"
    assert "alertmanager:fp-1" in problem.message


def test_transitions_follow_the_lifecycle() -> None:
    record = postmortem_record(status="published")
    record.transitions = [Transition("draft", "published", "alice", START)]
    assert "transitions[0].to" in fields(record)


def test_a_published_record_needs_summary_factor_and_timeline() -> None:
    record = postmortem_record(status="published")
    record.transitions = [
        Transition("draft", "in_review", "alice", START),
        Transition("in_review", "approved", "bob", START + timedelta(days=1)),
        Transition("approved", "published", "alice", START + timedelta(days=2)),
    ]
    assert fields(record) == []
    record.sections = {}
    record.factors = []
    record.action_items = []
    record.incidents[0].timeline = []
    assert fields(record) == ["sections.summary", "factors", "incidents"]


def test_overlong_fields_and_malformed_handles_are_named() -> None:
    record = postmortem_record()
    record.factors[0].key = "k" * 101
    record.incidents[0].services = ["Checkout API"]
    record.incidents[0].timeline[0].source_ref = "r" * 301
    record.reviewers = ["bob smith"]
    messages = {p.field: p.message for p in postmortem_problems(record)}
    assert messages["factors[0].key"] == "is 101 characters long; at most 100 fit"
    assert messages["incidents[0].timeline[0].source_ref"].startswith("is 301 characters")
    assert "not a slug" in messages["incidents[0].services[0]"]
    assert "not a username" in messages["people.bob smith"]


def test_fields_at_their_limit_are_fine() -> None:
    record = postmortem_record()
    record.factors[0].key = "k" * 100
    record.action_items[0].factors = ["k" * 100]
    record.title = "t" * 300
    assert postmortem_problems(record) == []
