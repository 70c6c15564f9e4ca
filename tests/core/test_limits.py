"""The size limits of core.limits: events per incident, bytes per section."""

from __future__ import annotations

from secondstory.core import limits
from secondstory.core.limits import event_count_problem, limit_problems, section_size_problem
from tests.apps.factories import postmortem_record


def test_sections_are_measured_in_bytes() -> None:
    assert section_size_problem("x" * limits.MAX_SECTION_BYTES) is None
    assert section_size_problem("é" * (limits.MAX_SECTION_BYTES // 2)) is None
    message = section_size_problem("é" * (limits.MAX_SECTION_BYTES // 2 + 1))
    assert message == "is 100,002 bytes long; at most 100,000 bytes fit (tables included)"


def test_events_per_incident() -> None:
    assert event_count_problem("INC-1", limits.MAX_EVENTS_PER_INCIDENT) is None
    assert event_count_problem("INC-1", limits.MAX_EVENTS_PER_INCIDENT + 1) == (
        "incident INC-1 would hold 250,001 timeline events; at most 250,000 fit"
    )


def test_a_record_names_the_section_that_is_too_big() -> None:
    record = postmortem_record()
    record.sections["trigger"] = "| a | b |\n" * 12_000
    assert limit_problems(record) == [
        (("sections", "trigger"), section_size_problem(record.sections["trigger"]))
    ]
