"""Property: rendering then parsing gives the record back, and rendering is stable."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from secondstory.core.exchange import parse_postmortem, render_postmortem
from secondstory.core.invariants import postmortem_problems
from secondstory.core.record import PostmortemRecord
from tests.core.strategies import postmortem_records

ROUND_TRIP = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@ROUND_TRIP
@given(postmortem_records())
def test_generated_records_are_valid(record: PostmortemRecord) -> None:
    assert postmortem_problems(record) == []


@ROUND_TRIP
@given(postmortem_records())
def test_parse_render_round_trip(record: PostmortemRecord) -> None:
    text = render_postmortem(record)
    parsed = parse_postmortem(text)
    assert parsed == record
    assert render_postmortem(parsed) == text


@ROUND_TRIP
@given(postmortem_records())
def test_offsets_survive(record: PostmortemRecord) -> None:
    # Aware datetimes compare by instant; the offset must survive too.
    parsed = parse_postmortem(render_postmortem(record))
    for before, after in zip(record.incidents, parsed.incidents, strict=True):
        for a, b in zip(before.timeline, after.timeline, strict=True):
            assert a.at.utcoffset() == b.at.utcoffset()
        for m, n in zip(before.milestones, after.milestones, strict=True):
            assert m.at.utcoffset() == n.at.utcoffset()
