"""Rewrite only the fields of a search document that a change can have touched.

A full rewrite (``index.index_postmortem``) reads everything a document is made of, about
fifteen queries. The two writes people make most often change far less: a section edit
changes the summary or the narrative, events added to or edited in a timeline change the
timeline text. These functions write just that, with the same text a full rewrite would
give (``index.documents_for``), in one ``UPDATE`` (the databases' update triggers keep the
full-text index). A postmortem without a document yet gets a full one.

Call them inside the change's transaction, after ``record_revision`` has locked the
postmortem's row, so that writers of one document take turns.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils import timezone

from secondstory.incidents.models import Incident, TimelineEvent
from secondstory.library.index import NARRATIVE, _clean, _timeline_texts, index_postmortem
from secondstory.library.index_appended import reindex_appended
from secondstory.library.models import SearchDocument
from secondstory.library.similar_terms import keep_text, keep_timeline
from secondstory.postmortems.models import Postmortem


def _incidents(postmortem: Postmortem) -> list[tuple[int, str]]:
    """(id, title) of the postmortem's incidents, in the order a full document has them."""
    rows = Incident.objects.filter(postmortems=postmortem).order_by("pk")
    return list(rows.values_list("pk", "title"))


def _update(postmortem: Postmortem, fields: dict[str, str]) -> None:
    document = SearchDocument.objects.filter(postmortem_id=postmortem.pk)
    if not document.update(**fields, indexed_at=timezone.now()):
        index_postmortem(postmortem)


def reindex_sections(postmortem: Postmortem) -> None:
    """After a section edit: the document's summary and narrative, and the title and
    summary word counts for similar incidents.

    ``postmortem`` must hold the sections as saved (the row the edit locked and wrote).
    """
    narrative = [getattr(postmortem, field) for field in NARRATIVE]
    narrative += [title for _, title in _incidents(postmortem)]
    text = {
        "summary": _clean(postmortem.summary),
        "narrative": _clean("\n\n".join(part for part in narrative if part)),
    }
    _update(postmortem, text)
    keep_text(postmortem)


def reindex_timeline(postmortem: Postmortem, added: Sequence[TimelineEvent] = ()) -> None:
    """After events were added to or changed in the postmortem's timelines: the timeline
    text (its first events, see ``index.TIMELINE_EVENTS``) and the timeline word counts.

    ``added``: the change only added these events (saved); when they follow every event of
    a one-incident timeline, both are extended from them alone (``index_appended``).
    """
    if reindex_appended(postmortem, added):
        return
    mine = [pk for pk, _ in _incidents(postmortem)]
    texts = _timeline_texts(mine)
    _update(postmortem, {"timeline": _clean("\n".join(t for i in mine for t in texts.get(i, [])))})
    keep_timeline(postmortem)
