"""Events per incident are limited on every path that adds them, with a clear message."""

from __future__ import annotations

from datetime import UTC, date
from pathlib import Path

import pytest
from django.urls import reverse

from secondstory.accounts.models import User
from secondstory.core import limits
from secondstory.core.exchange import ExchangeError, parse_postmortem, render_postmortem
from secondstory.core.invariants import Vocabulary, postmortem_problems
from secondstory.core.timeline.sources.base import ParseOptions, Source, SourceError
from secondstory.incidents.importing import ImportRequest, import_events
from secondstory.incidents.models import Incident, TimelineEvent
from secondstory.postmortems.models import Postmortem
from tests.apps.conftest import client_for
from tests.apps.factories import postmortem_record

NOTES = Path(__file__).parents[2] / "fixtures" / "sources" / "plain" / "bridge-notes.txt"


@pytest.fixture
def small_limit(postmortem: Postmortem, monkeypatch: pytest.MonkeyPatch) -> int:
    """The limit set to two more events than the postmortem's incident holds."""
    count = TimelineEvent.objects.filter(incident__postmortems=postmortem).count()
    monkeypatch.setattr(limits, "MAX_EVENTS_PER_INCIDENT", count + 2)
    return count + 2


def test_quick_capture_past_the_limit_adds_nothing(
    postmortem: Postmortem, alice: User, small_limit: int
) -> None:
    before = TimelineEvent.objects.count()
    url = reverse("postmortems:timeline_capture", args=["PM-1"])
    lines = "14:00 one\n14:01 two\n14:02 three"
    data = {
        "incident": "INC-PM-1",
        "text": lines,
        "default_date": "2026-03-04",
        "default_zone": "UTC",
        "action": "add",
    }
    response = client_for(alice).post(url, data)
    html = response.content.decode()
    assert response.status_code == 400
    assert f"incident INC-PM-1 would hold {small_limit + 1:,} timeline events" in html
    assert f"at most {small_limit:,} fit" in html
    assert TimelineEvent.objects.count() == before


def test_an_import_past_the_limit_names_the_input_and_keeps_nothing(
    postmortem: Postmortem, small_limit: int
) -> None:
    incident = Incident.objects.get(key="INC-PM-1")
    before = TimelineEvent.objects.count()
    source = Source(NOTES, "bridge-notes.txt")
    with pytest.raises(SourceError) as raised:
        options = ParseOptions(tz=UTC, date=date(2024, 2, 29))
        import_events(incident, ImportRequest([source], "plain", options))
    assert str(raised.value).startswith("bridge-notes.txt")
    assert "would hold" in str(raised.value) and f"at most {small_limit:,} fit" in str(raised.value)
    assert TimelineEvent.objects.count() == before


def test_a_record_past_the_limits_is_refused_with_the_field(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    record = postmortem_record()
    monkeypatch.setattr(limits, "MAX_EVENTS_PER_INCIDENT", len(record.incidents[0].timeline) - 1)
    record.sections["summary"] = "ü" * 50_001
    problems = {p.path: p.message for p in postmortem_problems(record, Vocabulary())}
    assert problems[("sections", "summary")].startswith("is 100,002 bytes long")
    assert "would hold" in problems[("incidents", 0, "timeline")]
    # A file names the line and the field (what `secondstory load` and the web import show).
    with pytest.raises(ExchangeError) as raised:
        parse_postmortem(render_postmortem(record), source="PM-1.md")
    assert "PM-1.md:25: incidents[0].timeline: incident INC-PM-1 would hold" in str(raised.value)
    assert "sections.summary: is 100,002 bytes long" in str(raised.value)
