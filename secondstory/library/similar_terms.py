"""The words the similar-incidents ranking compares, counted when a postmortem is indexed.

The text stage of ``similar.similar_postmortems`` compares the words of a postmortem's title
(counted twice), summary, contributing factors and first ``TIMELINE_EVENTS`` timeline events.
Counting them is most of what the panel would cost if it were done for every request, so
each postmortem's counts are kept in ``SimilarTerms``, in three parts that change apart:

- ``text``: the title and the summary (a section save rewrites only this);
- ``factors``: the factors' descriptions;
- ``timeline``: the first events' text (quick capture rewrites only this), with ``people``,
  the words of those events' actors.

Each part is a JSON object of word counts in the order the words first appear, so that the
merged counts (``merged``) are exactly what counting the whole text at once gives, key
order included. People's names are removed when postmortems are compared, not here: the
names removed are those of every postmortem compared (``similar`` explains why).

The rows are written by the paths that write the search document (``index.index_postmortems``,
``index.rebuild``, ``index_fields``), in the same transaction; a postmortem without a row yet
(indexed by an older version) has its counts computed when it is compared.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection
from django.db.models import F, Window
from django.db.models.functions import RowNumber

from secondstory.incidents.models import TimelineEvent
from secondstory.library.models import SimilarTerms
from secondstory.postmortems.models import ContributingFactor, Postmortem

TIMELINE_EVENTS = 60  # timeline events read per postmortem
TEXT_CHARS = 4000  # characters of any one text field read
BATCH = 500

_WORD = re.compile(r"[a-z][a-z0-9]+(?:-[a-z0-9]+)*")
_STOP_WORDS = """
    about above after again against all also and any are back because been before being below
    between both but can could day days did does doing down during each eight few five for
    found four from further had has have having her here hers him his hour hours how incident
    incidents into its itself just minute minutes more most nine not now off once one only other
    our ours out over own per postmortem same second seconds seven she should six some start
    started still such ten than that the their them then there these they this those three
    through too two under until very via was were what when where which while who whom why will
    with would yes you your
"""
_STOP = frozenset(_STOP_WORDS.split())
_PARTS = ("text", "factors", "timeline", "people")


def tokens(text: str) -> list[str]:
    """The words of ``text`` that can carry meaning (lower case, no stop words, no numbers)."""
    return [w for w in _WORD.findall(text.lower()) if len(w) > 2 and w not in _STOP]


@dataclass(slots=True)
class Terms:
    """One postmortem's word counts, part by part, and the words of its events' actors."""

    text: Counter[str]
    factors: Counter[str]
    timeline: Counter[str]
    people: frozenset[str]

    def merged(self) -> Counter[str]:
        """The counts of the whole text, in the order its words first appear."""
        words: Counter[str] = Counter()
        for part in (self.text, self.factors, self.timeline):
            words.update(part)
        return words


def _text_counts(title: str, summary: str) -> Counter[str]:
    return Counter(tokens(title) * 2 + tokens(summary[:TEXT_CHARS]))


def _factor_counts(ids: list[int]) -> dict[int, Counter[str]]:
    counts: dict[int, Counter[str]] = defaultdict(Counter)
    rows = ContributingFactor.objects.filter(postmortem_id__in=ids).values_list(
        "postmortem_id", "description"
    )
    for pk, description in rows:
        counts[pk].update(tokens(description[:TEXT_CHARS]))
    return counts


def first_events(ids: list[int]) -> list[tuple[int, str, str]]:
    """(postmortem, text, actor) of the first ``TIMELINE_EVENTS`` events of each postmortem:
    the database stops there, however long a timeline is."""
    order = [F("at").asc(), F("pk").asc()]
    return list(
        TimelineEvent.objects.filter(incident__postmortems__in=ids)
        .annotate(
            postmortem=F("incident__postmortems"),
            n=Window(RowNumber(), partition_by=[F("incident__postmortems")], order_by=order),
        )
        .filter(n__lte=TIMELINE_EVENTS)
        .order_by("postmortem", "n")
        .values_list("postmortem", "text", "actor")
    )


def _count_timeline(events: Iterable[tuple[str, str]]) -> tuple[Counter[str], frozenset[str]]:
    """The timeline words and people of the first ``TIMELINE_EVENTS`` events (text, actor)."""
    texts: list[str] = []
    actors: set[str] = set()
    for text, actor in events:
        texts.append(text[:TEXT_CHARS])
        actors.add(actor)
    return Counter(tokens("\n".join(texts))), frozenset(tokens(" ".join(actors)))


def _timeline_counts(ids: list[int]) -> dict[int, tuple[Counter[str], frozenset[str]]]:
    events: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for pk, text, actor in first_events(ids):
        events[pk].append((text, actor))
    return {pk: _count_timeline(found) for pk, found in events.items()}


def count_terms(ids: Iterable[int]) -> dict[int, Terms]:
    """The word counts of these postmortems, read from their text (three queries)."""
    wanted = list(ids)
    factors = _factor_counts(wanted)
    timelines = _timeline_counts(wanted)
    empty: tuple[Counter[str], frozenset[str]] = (Counter(), frozenset())
    found = {}
    for pk, title, summary in Postmortem.objects.filter(pk__in=wanted).values_list(
        "pk", "title", "summary"
    ):
        timeline, people = timelines.get(pk, empty)
        found[pk] = Terms(
            _text_counts(title, summary), factors.get(pk, Counter()), timeline, people
        )
    return found


def _dump(counts: Counter[str]) -> str:
    return json.dumps(counts, ensure_ascii=False, separators=(",", ":"))


def _row(pk: int, terms: Terms) -> SimilarTerms:
    return SimilarTerms(
        postmortem_id=pk,
        text=_dump(terms.text),
        factors=_dump(terms.factors),
        timeline=_dump(terms.timeline),
        people=" ".join(sorted(terms.people)),
    )


def keep_terms(ids: Iterable[int]) -> None:
    """Count and keep the words of these postmortems (call it inside the change's transaction)."""
    wanted = list(ids)
    for start in range(0, len(wanted), BATCH):
        counted = count_terms(wanted[start : start + BATCH])
        SimilarTerms.objects.bulk_create(
            [_row(pk, terms) for pk, terms in sorted(counted.items())],
            batch_size=BATCH,
            update_conflicts=True,
            unique_fields=["postmortem"],
            update_fields=list(_PARTS),
        )


def keep_text(postmortem: Postmortem) -> None:
    """After a section edit: the title and summary part (``postmortem`` as saved)."""
    text = _dump(_text_counts(postmortem.title, postmortem.summary))
    if not SimilarTerms.objects.filter(postmortem_id=postmortem.pk).update(text=text):
        keep_terms([postmortem.pk])


def keep_timeline(postmortem: Postmortem) -> None:
    """After events were added to or changed in the postmortem's timelines: the timeline part."""
    timeline, people = _timeline_counts([postmortem.pk]).get(
        postmortem.pk, (Counter(), frozenset())
    )
    kept = SimilarTerms.objects.filter(postmortem_id=postmortem.pk)
    if not kept.update(timeline=_dump(timeline), people=" ".join(sorted(people))):
        keep_terms([postmortem.pk])


def _load(text: str) -> Counter[str]:
    return Counter(json.loads(text))


def counted_timeline(events: Iterable[tuple[str, str]]) -> tuple[str, str]:
    """The timeline part and people (as stored) of a postmortem whose first
    ``TIMELINE_EVENTS`` events are ``events`` (text, actor), in order."""
    counts, people = _count_timeline(events)
    return _dump(counts), " ".join(sorted(people))


def extend_timeline(
    kept: str, people: str, before: int, events: list[tuple[str, str]]
) -> tuple[str, str] | None:
    """The timeline part and people (as stored) after ``events`` (text, actor), in order,
    were added after the ``before`` events of a timeline whose kept part is ``kept`` and
    ``people``; None when none of them is among its first ``TIMELINE_EVENTS``.

    The words of the text that follows are counted after those before, in the order they
    appear, so the counts, key order included, are those of counting the whole text.
    """
    taken = events[: max(0, TIMELINE_EVENTS - before)]
    if not taken:
        return None
    counts = _load(kept)
    counts.update(tokens("\n".join(text[:TEXT_CHARS] for text, _ in taken)))
    names = set(people.split()) | set(tokens(" ".join(actor for _, actor in taken)))
    return _dump(counts), " ".join(sorted(names))


def kept_terms(ids: list[int]) -> dict[int, Terms]:
    """The kept word counts of these postmortems (one query); counted from the text for
    any postmortem without kept counts."""
    if not ids:
        return {}
    # Plain SQL: this runs for every panel, and building the ORM query cost more than it.
    table = connection.ops.quote_name(SimilarTerms._meta.db_table)
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT postmortem_id, {', '.join(_PARTS)} FROM {table} "
            f"WHERE postmortem_id IN ({marks})",
            ids,
        )
        rows = cursor.fetchall()
    found = {
        pk: Terms(_load(text), _load(factors), _load(timeline), frozenset(people.split()))
        for pk, text, factors, timeline, people in rows
    }
    missing = [pk for pk in ids if pk not in found]
    if missing:
        found.update(count_terms(missing))
    return found


def stale_terms(ids: list[int]) -> tuple[int, int]:
    """(missing, out of date): how many of these postmortems have no kept counts, and how
    many have counts that differ from counting their text now (word order included)."""
    kept = {
        row[0]: row[1:]
        for row in SimilarTerms.objects.filter(postmortem_id__in=ids).values_list(
            "postmortem_id", *_PARTS
        )
    }
    missing = stale = 0
    for pk, terms in count_terms(ids).items():
        row = _row(pk, terms)
        if pk not in kept:
            missing += 1
        elif kept[pk] != tuple(getattr(row, part) for part in _PARTS):
            stale += 1
    return missing, stale
