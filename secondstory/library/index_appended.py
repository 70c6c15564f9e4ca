"""After quick capture: update the search document and the kept word counts in place.

Quick capture adds a few events to one incident's timeline. On a postmortem of one incident
the document's timeline text (``index._timeline_texts``) is the events' texts in timeline
order, so the new texts are put in it where they belong, at offsets the database sums up,
without rereading the timeline; the kept timeline counts (``similar_terms``) are extended
from the new events alone when they come after every other event, and recounted from the
first 60 events (one short query) when they do not. A part the new events do not reach (a
timeline already past its first 2,000 events or 200,000 characters, or past its first 60
events for the counts, the new events coming last) is not rewritten.

One query reads what this needs: the stored texts, the timeline's size and, for each new
event, how many events and characters come before it. Anything else — several incidents,
a new event at the very instant of another one, an insertion that would push text past the
200,000 characters or events past the first 2,000, a document or counts not kept yet —
returns ``False`` before writing anything, and the caller rewrites the fields from the
timeline, as a full rewrite would.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.utils import timezone

from secondstory.incidents.models import TimelineEvent
from secondstory.library.index import TIMELINE_CHARS, TIMELINE_EVENTS, _clean
from secondstory.library.models import SearchDocument, SimilarTerms
from secondstory.library.similar_terms import TIMELINE_EVENTS as COUNTED_EVENTS
from secondstory.library.similar_terms import counted_timeline, extend_timeline
from secondstory.postmortems.models import Postmortem

#: More new events than this at once are not placed one by one (a rewrite reads the timeline).
MOST_PLACED = 10


def _state(postmortem: int, incident: int, added: Sequence[TimelineEvent]) -> Any:
    """(incidents, other events (at most TIMELINE_EVENTS), the length of their texts (each
    with its line break), document timeline, kept timeline, kept people, then per new event:
    events before it, the length of their texts and events at its instant), or None
    without a document."""
    q = connection.ops.quote_name
    events = q(TimelineEvent._meta.db_table)
    links = q(Postmortem.incidents.through._meta.db_table)
    marks = ", ".join(["%s"] * len(added))
    others = f"incident_id = %s AND pending_import = '' AND id NOT IN ({marks})"
    pks = [event.pk for event in added]
    every = f"SELECT text FROM {events} WHERE {others} LIMIT %s"
    columns = [
        f"(SELECT COUNT(*) FROM {links} WHERE postmortem_id = %s)",
        f"(SELECT COUNT(*) FROM ({every}) b)",
        f"(SELECT COALESCE(SUM(LENGTH(text) + 1), 0) FROM ({every}) a WHERE text <> '')",
        "d.timeline",
        "t.timeline",
        "t.people",
    ]
    params: list[Any] = [postmortem, *[incident, *pks, TIMELINE_EVENTS] * 2]
    at = q("at")
    for event in added:
        moment = connection.ops.adapt_datetimefield_value(event.at)
        earlier = f"SELECT text FROM {events} WHERE {others} AND {at} < %s LIMIT %s"
        columns += [
            f"(SELECT COUNT(*) FROM ({earlier}) e)",
            f"(SELECT COALESCE(SUM(LENGTH(text) + 1), 0) FROM ({earlier}) e WHERE text <> '')",
            f"(SELECT COUNT(*) FROM {events} WHERE {others} AND {at} = %s)",
        ]
        params += [incident, *pks, moment, TIMELINE_EVENTS] * 2 + [incident, *pks, moment]
    sql = (
        f"SELECT {', '.join(columns)} FROM {q(SearchDocument._meta.db_table)} d "
        f"LEFT JOIN {q(SimilarTerms._meta.db_table)} t ON t.postmortem_id = d.postmortem_id "
        "WHERE d.postmortem_id = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, postmortem])
        return cursor.fetchone()


def appended_text(stored: str, before: int, texts: Sequence[str]) -> str:
    """The timeline text of one incident's document after ``texts`` were added at its end,
    ``stored`` being its text with ``before`` events (as ``index._timeline_texts`` cuts it)."""
    room = TIMELINE_CHARS - (len(stored) + 1) if stored else TIMELINE_CHARS
    pieces = [stored] if stored else []
    for text in texts[: max(0, TIMELINE_EVENTS - before)]:
        if text and room > 0:
            pieces.append(_clean(text[:room]))
            room -= len(text) + 1
    return "\n".join(pieces)


def inserted_text(stored: str, places: Sequence[tuple[int, str]]) -> str:
    """The timeline text after each (offset, text) of ``places`` was put in, in order;
    ``offset``: the length of the existing texts before it, each with its line break."""
    lines = stored + "\n" if stored else ""
    shift = 0
    for offset, text in places:
        if text:
            at = offset + shift
            lines = f"{lines[:at]}{_clean(text)}\n{lines[at:]}"
            shift += len(text) + 1
    return lines[:-1]


def _first_events(incident: int) -> list[tuple[str, str]]:
    """(text, actor) of the incident's first events, as ``similar_terms.first_events``."""
    table = connection.ops.quote_name(TimelineEvent._meta.db_table)
    at = connection.ops.quote_name("at")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT text, actor FROM {table} WHERE incident_id = %s AND pending_import = '' "
            f"ORDER BY {at}, id LIMIT %s",
            [incident, COUNTED_EVENTS],
        )
        return cursor.fetchall()


def reindex_appended(postmortem: Postmortem, added: Sequence[TimelineEvent]) -> bool:
    """Put ``added`` (saved events of one incident of the postmortem) in its document and
    kept counts; ``False`` when that cannot be done from them alone, and nothing was written."""
    if not added or len(added) > MOST_PLACED:
        return False
    incident = added[0].incident_id
    events = sorted(added, key=lambda event: event.at)
    moments = [event.at for event in events]
    if any(e.incident_id != incident for e in added) or len(set(moments)) != len(moments):
        return False
    state = _state(postmortem.pk, incident, events)
    if state is None:
        return False
    incidents, before, length, timeline, kept_timeline, kept_people = state[:6]
    places = [state[i : i + 3] for i in range(6, len(state), 3)]
    if incidents != 1 or kept_timeline is None or any(same for _, _, same in places):
        return False
    if all(earlier == before for earlier, _, _ in places):  # after every other event
        text = appended_text(timeline, before, [event.text for event in events])
        terms = extend_timeline(
            kept_timeline, kept_people, before, [(event.text, event.actor) for event in events]
        )
    else:
        grown = len(timeline) + sum(len(event.text) + 1 for event in events if event.text)
        if before + len(events) > TIMELINE_EVENTS or grown + 1 >= TIMELINE_CHARS:
            return False
        if length != (len(timeline) + 1 if timeline else 0):
            return False  # the database counts the texts otherwise (SQLite stops at a NUL)
        offsets = [place[1] for place in places]
        text = inserted_text(timeline, list(zip(offsets, [e.text for e in events], strict=True)))
        terms = counted_timeline(_first_events(incident))
    if text != timeline:
        document = SearchDocument.objects.filter(postmortem_id=postmortem.pk)
        document.update(timeline=text, indexed_at=timezone.now())
    if terms is not None and terms != (kept_timeline, kept_people):
        SimilarTerms.objects.filter(postmortem_id=postmortem.pk).update(
            timeline=terms[0], people=terms[1]
        )
    return True
