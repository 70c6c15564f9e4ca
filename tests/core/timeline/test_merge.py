"""Merging imported events: duplicates, grouping across sources, milestone suggestions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from secondstory.core.timeline.event import TimelineEvent
from secondstory.core.timeline.merge import (
    DUPLICATE,
    GROUPED,
    NEW,
    Anchor,
    Merger,
    merge,
    streamed,
    suggest_milestones,
)

T0 = datetime(2026, 3, 4, 14, 0, tzinfo=UTC)


def ev(
    source: str,
    ref: str,
    minutes: float,
    *,
    signal: str = "",
    state: str = "",
    kind: str = "alert",
    text: str = "HighErrorRate",
    offset: int = 0,
) -> TimelineEvent:
    at = (T0 + timedelta(minutes=minutes)).astimezone(timezone(timedelta(minutes=offset)))
    return TimelineEvent(at, kind, source, ref, text, signal=signal, state=state)


def test_chat_streams_through_and_repeats_are_duplicates() -> None:
    merger = Merger()
    first = merger.add(ev("slack", "C1/1", 1, kind="chat"))
    again = merger.add(ev("slack", "C1/1", 1, kind="chat"))
    assert first is not None and first.status == NEW
    assert again is not None and again.status == DUPLICATE
    assert merger.duplicates == 1


def test_known_references_are_duplicates() -> None:
    outcomes, _ = merge([ev("slack", "C1/1", 1, kind="chat")], known_refs={"slack:C1/1"})
    assert [o.status for o in outcomes] == [DUPLICATE]


def test_same_alert_through_two_sources_is_grouped_into_the_earlier() -> None:
    events = [
        ev("pagerduty", "Q1", 0.5, signal="higherrorrate", state="firing"),
        ev("alertmanager", "fp1", 0.0, signal="higherrorrate", state="firing"),
    ]
    outcomes, _ = merge(events)
    by_source = {o.event.source: o for o in outcomes}
    assert by_source["alertmanager"].status == NEW
    assert by_source["alertmanager"].also == ["pagerduty:Q1"]
    assert by_source["pagerduty"].status == GROUPED
    assert by_source["pagerduty"].into == "alertmanager:fp1"


def test_grouping_needs_another_source_the_same_state_and_a_near_time() -> None:
    events = [
        ev("alertmanager", "a", 0, signal="x", state="firing"),
        ev("alertmanager", "b", 1, signal="x", state="firing"),  # same source: not grouped
        ev("pagerduty", "c", 1, signal="x", state="resolved"),  # other state
        ev("pagerduty", "d", 30, signal="x", state="firing"),  # too late
        ev("pagerduty", "e", 2, signal="y", state="firing"),  # other signal
    ]
    outcomes, _ = merge(events)
    assert all(o.status == NEW for o in outcomes)


def test_a_later_import_groups_into_an_event_already_on_the_timeline() -> None:
    anchor = Anchor("alertmanager:fp1", T0, "alertmanager", "higherrorrate", "firing")
    outcomes, _ = merge(
        [ev("pagerduty", "Q1", 1, signal="higherrorrate", state="firing")], anchors=[anchor]
    )
    assert outcomes[0].status == GROUPED
    assert outcomes[0].into == "alertmanager:fp1"


def test_merge_returns_one_time_ordered_timeline_across_offsets() -> None:
    events = [
        ev("slack", "2", 5, kind="chat", offset=330),
        ev("git", "1", 1, kind="change", offset=-480),
        ev("alertmanager", "3", 3, signal="x", state="firing"),
    ]
    outcomes, _ = merge(events)
    assert [o.event.source_ref for o in outcomes] == ["1", "3", "2"]


def test_streamed_holds_only_alert_like_events() -> None:
    merger = Merger(track_refs=False)
    events = [ev("slack", str(n), n, kind="chat") for n in range(3)]
    events.insert(1, ev("alertmanager", "a", 0, signal="x", state="firing"))
    seen = []
    for outcome in streamed(merger, events):
        seen.append(outcome.event.source)
    assert seen == ["slack", "slack", "slack", "alertmanager"]


def test_suggestions_take_the_first_firing_first_ack_and_last_resolution() -> None:
    events = [
        ev("alertmanager", "1", 2, signal="a", state="firing"),
        ev("alertmanager", "2", 1, signal="b", state="firing"),
        ev("pagerduty", "3", 4, signal="b", state="acknowledged"),
        ev("alertmanager", "4", 20, signal="a", state="resolved"),
        ev("alertmanager", "5", 25, signal="b", state="resolved"),
        ev("slack", "6", 0, kind="chat"),
    ]
    suggestions = {s.kind: s for s in suggest_milestones(events)}
    assert suggestions["detected"].ref == "alertmanager:2"
    assert suggestions["acknowledged"].ref == "pagerduty:3"
    assert suggestions["resolved"].ref == "alertmanager:5"
    assert suggestions["resolved"].at == T0 + timedelta(minutes=25)
    assert "last resolution" in suggestions["resolved"].reason


def test_no_alert_states_no_suggestions() -> None:
    assert suggest_milestones([ev("slack", "1", 0, kind="chat")]) == []
