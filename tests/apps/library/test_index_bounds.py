"""A postmortem's search document and similar-incidents text read a bounded timeline."""

from __future__ import annotations

from datetime import timedelta

import pytest

from secondstory.incidents.models import TimelineEvent
from secondstory.library import index, similar, similar_terms
from secondstory.library.models import SearchDocument
from secondstory.postmortems.models import Postmortem
from tests.apps.factories import START


def add_events(postmortem: Postmortem, words: list[str]) -> None:
    incident = postmortem.incidents.get()
    TimelineEvent.objects.bulk_create(
        TimelineEvent(
            incident=incident,
            at=START + timedelta(days=1, minutes=n),
            kind="chat",
            source="slack",
            source_ref=f"late-{n}",
            text=f"late {word}",
        )
        for n, word in enumerate(words)
    )


@pytest.mark.parametrize("few", [20, 0], ids=["one query per incident", "one window query"])
def test_the_search_document_holds_the_first_events_only(
    postmortem: Postmortem, monkeypatch: pytest.MonkeyPatch, few: int
) -> None:
    monkeypatch.setattr(index, "FEW_INCIDENTS", few)
    first = TimelineEvent.objects.filter(incident__postmortems=postmortem).count()
    monkeypatch.setattr(index, "TIMELINE_EVENTS", first + 2)
    add_events(postmortem, ["aardvark", "bluebird", "capybara", "dromedary"])
    index.index_postmortem(postmortem)
    timeline = SearchDocument.objects.get(postmortem=postmortem).timeline
    assert "aardvark" in timeline and "bluebird" in timeline
    assert "capybara" not in timeline and "dromedary" not in timeline


def test_the_search_document_stops_at_its_character_budget(
    postmortem: Postmortem, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(index, "TIMELINE_CHARS", 40)
    index.index_postmortem(postmortem)
    assert len(SearchDocument.objects.get(postmortem=postmortem).timeline) <= 40


def test_similar_reads_the_first_events_only(
    postmortem: Postmortem, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = TimelineEvent.objects.filter(incident__postmortems=postmortem).count()
    monkeypatch.setattr(similar_terms, "TIMELINE_EVENTS", first + 1)
    add_events(postmortem, ["aardvark", "bluebird"])
    # The database returns no more rows than are used, however long the timeline.
    rows = similar_terms.first_events([postmortem.pk])
    assert len(rows) == first + 1
    index.index_postmortem(postmortem)  # the counts compared are kept when it is indexed
    _, timeline = similar._texts([postmortem.pk])
    assert "aardvark" in timeline[postmortem.pk]
    assert "bluebird" not in timeline[postmortem.pk]
