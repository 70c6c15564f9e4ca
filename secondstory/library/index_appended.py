"""After quick capture: extend the search document and the kept word counts in place.

Quick capture adds a few events to one incident's timeline, nearly always after every event
it already has. Then the document's timeline text (``index._timeline_texts``) and the kept
timeline counts (``similar_terms.first_events``) are what they were, followed by the new
events' share: they are extended from the new events alone, without rereading and
recounting the timeline, and a part the new events do not reach (a timeline already past
its first 2,000 events or 200,000 characters, or past its first 60 events for the counts)
is not rewritten at all.

One query reads what that needs: the stored texts, how many events the incident had, and
whether any of them is at or after the first new one. Anything else — a postmortem of
several incidents, events added before or at the time of existing ones, two new events at
the same instant, a document or counts not kept yet — returns ``False``, and the caller
rewrites the fields from the timeline, as a full rewrite would.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection
from django.utils import timezone

from secondstory.incidents.models import TimelineEvent
from secondstory.library.index import TIMELINE_CHARS, TIMELINE_EVENTS, _clean
from secondstory.library.models import SearchDocument, SimilarTerms
from secondstory.library.similar_terms import extend_timeline
from secondstory.postmortems.models import Postmortem


def _state(postmortem: int, incident: int, added: Sequence[TimelineEvent]) -> tuple | None:
    """(incidents, events before (at most TIMELINE_EVENTS), any event at or after the first
    new one, document timeline, kept timeline, kept people), or None without a document."""
    q = connection.ops.quote_name
    events = q(TimelineEvent._meta.db_table)
    links = q(Postmortem.incidents.through._meta.db_table)
    marks = ", ".join(["%s"] * len(added))
    others = f"incident_id = %s AND pending_import = '' AND id NOT IN ({marks})"
    pks = [event.pk for event in added]
    first = connection.ops.adapt_datetimefield_value(min(event.at for event in added))
    sql = (
        f"SELECT (SELECT COUNT(*) FROM {links} WHERE postmortem_id = %s), "
        f"(SELECT COUNT(*) FROM (SELECT 1 FROM {events} WHERE {others} LIMIT %s) AS b), "
        f"(SELECT COUNT(*) FROM (SELECT 1 FROM {events} WHERE {others} AND {q('at')} >= %s "
        "LIMIT 1) AS l), "
        f"d.timeline, t.timeline, t.people FROM {q(SearchDocument._meta.db_table)} d "
        f"LEFT JOIN {q(SimilarTerms._meta.db_table)} t ON t.postmortem_id = d.postmortem_id "
        "WHERE d.postmortem_id = %s"
    )
    params = [postmortem, incident, *pks, TIMELINE_EVENTS, incident, *pks, first, postmortem]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
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


def reindex_appended(postmortem: Postmortem, added: Sequence[TimelineEvent]) -> bool:
    """Extend the document and the kept counts by ``added`` (saved events of one incident of
    the postmortem); ``False`` when they were not added at the end of a one-incident
    timeline, and nothing was written."""
    if not added:
        return False
    incident = added[0].incident_id
    moments = [event.at for event in added]
    if any(e.incident_id != incident for e in added) or len(set(moments)) != len(moments):
        return False
    state = _state(postmortem.pk, incident, added)
    if state is None:
        return False
    incidents, before, later, timeline, kept_timeline, kept_people = state
    if incidents != 1 or later or kept_timeline is None:
        return False
    events = sorted(added, key=lambda event: event.at)
    text = appended_text(timeline, before, [event.text for event in events])
    if text != timeline:
        document = SearchDocument.objects.filter(postmortem_id=postmortem.pk)
        document.update(timeline=text, indexed_at=timezone.now())
    terms = extend_timeline(
        kept_timeline, kept_people, before, [(event.text, event.actor) for event in events]
    )
    if terms is not None:
        SimilarTerms.objects.filter(postmortem_id=postmortem.pk).update(
            timeline=terms[0], people=terms[1]
        )
    return True
