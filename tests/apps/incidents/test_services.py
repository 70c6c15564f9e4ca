from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from secondstory.core.timeline.event import TimelineEvent as EventData
from secondstory.incidents.models import Milestone
from secondstory.incidents.services import (
    add_timeline_event,
    durations,
    format_duration,
)
from secondstory.postmortems.models import Postmortem
from tests.apps.factories import START


def test_durations_come_with_their_definitions(postmortem: Postmortem) -> None:
    rows = {row.code: row for row in durations(postmortem.incidents.get())}
    assert rows["time_to_detect"].value == timedelta(minutes=12)
    assert rows["time_to_detect"].definition == "time to detect = detected − impact started"
    assert format_duration(rows["time_to_resolve"].value) == "1 d 2 h"
    assert format_duration(None) == "—"


def test_a_duration_is_unknown_when_a_milestone_is_missing(postmortem: Postmortem) -> None:
    incident = postmortem.incidents.get()
    incident.milestones.filter(kind__code="acknowledged").delete()
    rows = {row.code: row for row in durations(incident)}
    assert rows["time_to_acknowledge"].value is None


def test_a_duplicate_source_reference_is_refused(postmortem: Postmortem) -> None:
    incident = postmortem.incidents.get()
    event = EventData(START, "alert", "alertmanager", "fp-1", "firing again")
    with pytest.raises(ValidationError, match="already has an event with source reference"):
        add_timeline_event(incident, event)
    assert incident.timeline.count() == 4
    added = add_timeline_event(incident, EventData(START, "alert", "alertmanager", "fp-2", "x"))
    assert added.utc_offset_minutes == 60


def test_milestones_out_of_order_are_refused_unless_explained(postmortem: Postmortem) -> None:
    incident = postmortem.incidents.get()
    Milestone.objects.filter(incident=incident, kind__code="detected").update(
        at=START - timedelta(hours=1)
    )
    with pytest.raises(ValidationError, match=r"detected .* is before impact_started"):
        incident.check_milestone_order()
    incident.milestone_order_note = "A synthetic probe fired before customers were affected."
    incident.check_milestone_order()
