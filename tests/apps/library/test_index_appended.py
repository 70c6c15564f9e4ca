"""Quick capture extends the search document and the kept word counts from the added events
alone, and what it stores is exactly what a full rewrite stores: the document, the kept
counts and, on PostgreSQL, the vectors its trigger writes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.urls import reverse

from secondstory.accounts.models import User
from secondstory.incidents.models import Incident, TimelineEvent
from secondstory.library import index, index_fields, wordscore
from secondstory.library.index_appended import appended_text, inserted_text
from secondstory.library.models import SearchDocument, SearchVector, SimilarTerms
from secondstory.library.similar_terms import extend_timeline
from secondstory.postmortems.models import Postmortem
from secondstory.postmortems.revisions import record_revision
from tests.apps.conftest import client_for

FIELDS = ("title", "summary", "factors", "actions", "labels", "narrative", "timeline", "keys")
VECTORS = ("vector", "keys_vector", "pairs", "head", "facets")


def stored(postmortem: Postmortem) -> dict[str, Any]:
    document = SearchDocument.objects.get(postmortem=postmortem)
    found: dict[str, Any] = {field: getattr(document, field) for field in FIELDS}
    found["terms"] = list(
        SimilarTerms.objects.filter(postmortem=postmortem).values_list(
            "text", "factors", "timeline", "people"
        )
    )
    if connection.vendor == "postgresql":
        columns = ", ".join(f"{column}::text" for column in VECTORS)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {columns} FROM {SearchVector._meta.db_table} WHERE document_id = %s",
                [document.pk],
            )
            found["vectors"] = cursor.fetchall()
        assert found["vectors"], "the trigger writes the document's vectors"
    return found


def assert_as_rewritten(postmortem: Postmortem) -> None:
    """What is stored now is what a full rewrite of the postmortem stores, the kept word
    scores included."""
    now = stored(postmortem)
    document = SearchDocument.objects.get(postmortem=postmortem).pk
    scores = wordscore.kept([document])
    assert scores and scores == wordscore.recomputed([document])
    index.index_postmortem(postmortem)
    assert now == stored(postmortem)
    assert scores == wordscore.kept([document])


@pytest.fixture
def appended(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each quick capture took the path that extends the stored texts."""
    taken: list[bool] = []
    extend = index_fields.reindex_appended

    def spy(postmortem: Postmortem, added: Any) -> bool:
        taken.append(extend(postmortem, added))
        return taken[-1]

    monkeypatch.setattr(index_fields, "reindex_appended", spy)
    return taken


def capture(user: User, postmortem: Postmortem, text: str, day: str = "2031-05-06") -> None:
    data = {
        "incident": "INC-PM-1",
        "text": text,
        "default_date": day,
        "default_zone": "UTC",
        "action": "add",
    }
    url = reverse("postmortems:timeline_capture", args=[postmortem.key])
    assert client_for(user).post(url, data).status_code == 302


def events(postmortem: Postmortem) -> list[TimelineEvent]:
    return list(TimelineEvent.objects.filter(incident__postmortems=postmortem).order_by("pk"))


def test_captures_edits_and_deletes_store_what_a_full_rewrite_stores(
    postmortem: Postmortem, alice: User, appended: list[bool]
) -> None:
    capture(alice, postmortem, "14:02 <Nia Okoro> the capybara alarm fired")
    assert "capybara alarm" in stored(postmortem)["timeline"]
    assert_as_rewritten(postmortem)
    capture(alice, postmortem, "14:05 [decision] rolled back\n14:04 <Ravi> wombat queue grew")
    assert_as_rewritten(postmortem)
    capture(alice, postmortem, "09:00 an early quokka note", day="2020-01-01")  # not at the end
    assert_as_rewritten(postmortem)
    capture(alice, postmortem, "14:02 <Ravi> at the alarm's very instant")
    assert_as_rewritten(postmortem)
    assert appended == [True, True, True, False]
    event = events(postmortem)[-1]
    event.text = "the quokka note, reworded"
    event.save()
    record_revision(postmortem, author=alice, summary="Edited a timeline event")
    assert_as_rewritten(postmortem)
    events(postmortem)[-2].delete()
    record_revision(postmortem, author=alice, summary="Deleted a timeline event")
    assert_as_rewritten(postmortem)
    capture(alice, postmortem, "15:00 <Nia Okoro> capybara alarm resolved\n15:01 done")
    assert appended[-1] is True
    assert_as_rewritten(postmortem)


def _fill(incident: Incident, count: int, text: str = "filler line {n}") -> None:
    start = datetime(2030, 1, 1, tzinfo=UTC)
    TimelineEvent.objects.bulk_create(
        TimelineEvent(
            incident=incident,
            at=start + timedelta(seconds=n),
            kind="note",
            source="fill",
            source_ref=f"fill-{n}",
            actor=f"Person {n % 7}",
            text=text.format(n=n),
        )
        for n in range(count)
    )


@pytest.mark.parametrize("before", [58, 1999])
def test_captures_past_the_first_events_store_what_a_full_rewrite_stores(
    postmortem: Postmortem, alice: User, appended: list[bool], before: int
) -> None:
    incident = postmortem.incidents.get()
    _fill(incident, before - incident.timeline.count())
    index.index_postmortem(postmortem)
    lines = "\n".join(f"14:0{n} <Extra {n}> extra{n} line" for n in range(4))
    capture(alice, postmortem, lines)
    assert_as_rewritten(postmortem)
    capture(alice, postmortem, "15:00 later still")
    assert_as_rewritten(postmortem)
    capture(
        alice, postmortem, "09:00 <Early> before the filler\n09:01 and one more", day="2029-12-31"
    )
    assert_as_rewritten(postmortem)
    assert appended == [True, True, before + 7 <= index.TIMELINE_EVENTS]


@pytest.mark.parametrize("length", [199_970, 200_000])
def test_captures_past_the_first_characters_store_what_a_full_rewrite_stores(
    postmortem: Postmortem, alice: User, appended: list[bool], length: int
) -> None:
    incident = postmortem.incidents.get()
    incident.timeline.all().delete()
    _fill(incident, 1, "x" * length)
    index.index_postmortem(postmortem)
    capture(alice, postmortem, "14:00 a line that is cut where the room ends\n14:01 next")
    assert_as_rewritten(postmortem)
    capture(alice, postmortem, "09:00 before the long line", day="2029-12-31")
    assert_as_rewritten(postmortem)
    assert appended == [True, False]


def test_appended_text_cuts_as_a_full_rewrite_does() -> None:
    assert appended_text("", 0, ["a", "", "b"]) == "a\nb"
    assert appended_text("abc", 1, ["defg"]) == "abc\ndefg"
    assert appended_text("abc", index.TIMELINE_EVENTS, ["defg"]) == "abc"
    assert appended_text("a" * 199_996, 1, ["bcdef", "g"]) == "a" * 199_996 + "\nbcd"


def test_inserted_text_puts_texts_at_their_offsets() -> None:
    assert inserted_text("", [(0, "a"), (0, "b")]) == "a\nb"
    assert inserted_text("abc\nde", [(0, "x"), (4, ""), (4, "y"), (7, "z")]) == "x\nabc\ny\nde\nz"


def test_extended_counts_keep_the_order_words_first_appear() -> None:
    kept = '{"alarm":1,"capybara":1}'
    extended = extend_timeline(kept, "nia", 1, [("wombat alarm", "Ravi Rao")])
    assert extended == ('{"alarm":2,"capybara":1,"wombat":1}', "nia rao ravi")
    assert extend_timeline(kept, "nia", 60, [("wombat", "Ravi")]) is None


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL text holds no NUL")
def test_a_text_sqlite_measures_short_takes_the_longer_way(
    postmortem: Postmortem, alice: User, appended: list[bool]
) -> None:
    incident = postmortem.incidents.get()
    _fill(incident, 3, "filler\x00line {n}")
    index.index_postmortem(postmortem)
    capture(alice, postmortem, "00:00:01.5 between the fillers", day="2030-01-01")
    assert_as_rewritten(postmortem)
    assert appended == [False]
