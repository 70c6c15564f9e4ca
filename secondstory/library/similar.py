"""Similar past incidents: the postmortems most like this one, each with the reason why.

The ranking has two stages, both bounded however large the library grows:

1. **Structure.** One query walks the ``WINDOW`` most recently created past postmortems
   (a range scan of the status/created index per status) to the factor categories, services
   and tags they share with this one. Each shared feature weighs its inverse document
   frequency within the window: a tag few postmortems carry says more than a service most
   incidents touch. The best ``SHORTLIST`` are checked against what the reader may read.
2. **Text.** The best ``RERANK`` readable ones are re-ranked with the TF-IDF cosine of their
   text (title, summary, factors and timeline) against this one's; the shared words with
   the most weight become the "similar timeline" part of the reason. The words are counted
   when a postmortem is indexed and kept (``similar_terms``): a panel reads them in one query.

"Past" means created before this postmortem, so a draft being written is compared with
everything recorded before it (the newest ``WINDOW`` of them).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection

from secondstory.accounts.models import User
from secondstory.incidents.models import Incident, Service, Tag
from secondstory.library.similar_terms import kept_terms, tokens
from secondstory.postmortems.models import ContributingFactor, FactorCategory, Postmortem
from secondstory.postmortems.services import visible_postmortems

LIMIT = 5
WINDOW = 500  # the most recent past postmortems compared (all of them in most libraries)
SHORTLIST = 60  # best structural matches checked for the reader's access
RERANK = 12  # candidates whose text is compared
TEXT_WEIGHT = 4.0  # how much a perfect text match counts, in units of a rare shared feature
TERMS = 3  # shared words named in a reason


@dataclass(frozen=True, slots=True)
class Similar:
    """One similar past postmortem and why it was chosen."""

    key: str
    title: str
    status: str
    created_at: datetime
    score: float
    reason: str
    categories: tuple[str, ...]
    services: tuple[str, ...]
    tags: tuple[str, ...]
    terms: tuple[str, ...]
    is_exercise: bool = False  # a game day's review: labelled "Exercise" wherever it is listed

    @property
    def status_label(self) -> str:
        return _STATUS_LABELS.get(self.status, self.status)


_STATUS_LABELS = dict(Postmortem.STATUS_CHOICES)


@dataclass(slots=True)
class _Features:
    categories: dict[int, str]
    services: dict[int, str]
    tags: dict[int, str]
    words: frozenset[str]  # the words of its services' and tags' names and slugs


def _table(model: Any) -> str:
    return str(connection.ops.quote_name(model._meta.db_table))


def _window_sql(before: datetime, exclude: int) -> tuple[str, list[Any]]:
    """The ``WINDOW`` most recently created postmortems before ``before``, as a subquery.

    One range scan of the (status, created_at) index per status, merged: the cost does not
    depend on how many postmortems the library holds.
    """
    pm = _table(Postmortem)
    parts, params = [], []
    for n, status in enumerate(_STATUS_LABELS):
        parts.append(
            f"SELECT * FROM (SELECT id, created_at FROM {pm} WHERE status = %s "
            f"AND created_at < %s AND id <> %s ORDER BY created_at DESC LIMIT %s) AS s{n}"
        )
        params += [status, before, exclude, WINDOW]
    union = " UNION ALL ".join(parts)
    sql = f"SELECT id FROM ({union}) AS recent ORDER BY created_at DESC LIMIT %s"
    return sql, [*params, WINDOW]


def _sharing(pk: int, before: datetime) -> tuple[_Features, int, list[tuple[int, str, int]]]:
    """In one query: the subject's features, how many postmortems the window holds, and
    (postmortem, kind, feature) for every feature of the subject a postmortem of the window
    shares.

    Each part walks from the window's postmortems to their features through indexes
    (``CROSS JOIN`` keeps that order on SQLite; PostgreSQL plans it as an inner join).
    """
    window, args = _window_sql(before, pk)
    link = _table(Postmortem.incidents.through)
    tags, services = _table(Incident.tags.through), _table(Incident.services.through)
    factors = _table(ContributingFactor)
    mine = (
        f"mine_incidents AS (SELECT incident_id FROM {link} WHERE postmortem_id = %s), "
        f"mine_tag AS (SELECT tag_id AS f FROM {tags} "
        "WHERE incident_id IN (SELECT incident_id FROM mine_incidents)), "
        f"mine_service AS (SELECT service_id AS f FROM {services} "
        "WHERE incident_id IN (SELECT incident_id FROM mine_incidents)), "
        f"mine_category AS (SELECT category_id AS f FROM {factors} WHERE postmortem_id = %s)"
    )
    args += [pk, pk]
    selects = [
        "SELECT 0, COUNT(*), '', 0, '', '' FROM recent",
        f"SELECT 2, 0, 'tag', x.id, x.slug, x.slug FROM {_table(Tag)} x "
        "WHERE x.id IN (SELECT f FROM mine_tag)",
        f"SELECT 2, 0, 'service', x.id, x.name, x.slug FROM {_table(Service)} x "
        "WHERE x.id IN (SELECT f FROM mine_service)",
        f"SELECT 2, 0, 'category', x.id, x.name, x.code FROM {_table(FactorCategory)} x "
        "WHERE x.id IN (SELECT f FROM mine_category)",
    ]
    for kind, through, column in (("tag", tags, "tag_id"), ("service", services, "service_id")):
        selects.append(
            f"SELECT DISTINCT 1, r.id, '{kind}', t.{column}, '', '' "
            f"FROM recent r CROSS JOIN {link} pi CROSS JOIN {through} t "
            "WHERE pi.postmortem_id = r.id AND t.incident_id = pi.incident_id "
            f"AND t.{column} IN (SELECT f FROM mine_{kind})"
        )
    selects.append(
        "SELECT DISTINCT 1, r.id, 'category', c.category_id, '', '' "
        f"FROM recent r CROSS JOIN {factors} c "
        "WHERE c.postmortem_id = r.id AND c.category_id IN (SELECT f FROM mine_category)"
    )
    sql = f"WITH recent AS ({window}), {mine} " + " UNION ALL ".join(selects)
    with connection.cursor() as cursor:
        cursor.execute(sql, args)
        rows = cursor.fetchall()
    subject = _Features({}, {}, {}, frozenset())
    names = {"tag": subject.tags, "service": subject.services, "category": subject.categories}
    total, shared, words = 0, [], []
    for marker, postmortem, kind, feature, name, slug in rows:
        if marker == 0:
            total = postmortem
        elif marker == 2:
            names[kind][feature] = name
            if kind != "category":
                words += [name, slug]
        else:
            shared.append((postmortem, kind, feature))
    subject.words = frozenset(tokens(" ".join(words)))
    return subject, total, shared


def _texts(ids: list[int]) -> tuple[dict[int, Counter[str]], dict[int, set[str]]]:
    """Word counts of each postmortem's whole text, and the words of its timeline alone,
    from the counts kept when the postmortems were indexed (``similar_terms``)."""
    kept = kept_terms(ids)
    words = {pk: terms.merged() for pk, terms in kept.items()}
    # People's names say who was there, not what happened: they never make two incidents alike.
    people = frozenset().union(*(terms.people for terms in kept.values()))
    for counts in words.values():
        for name in people & counts.keys():
            del counts[name]
    return words, {pk: set(terms.timeline) for pk, terms in kept.items()}


def _vectors(words: dict[int, Counter[str]]) -> dict[int, dict[str, float]]:
    """TF-IDF vectors (sub-linear term frequency, smoothed IDF) of unit length."""
    df: Counter[str] = Counter()
    for counts in words.values():
        df.update(counts.keys())
    n = len(words)
    # A word's weight depends on its count and its document frequency only, both small
    # integers: each logarithm is taken once (the same values as taking them word by word).
    idf = {d: 1 + math.log((1 + n) / (1 + d)) for d in set(df.values())}
    tf = {c: 1 + math.log(c) for counts in words.values() for c in set(counts.values())}
    vectors: dict[int, dict[str, float]] = {}
    for pk, counts in words.items():
        vector = {w: tf[c] * idf[df[w]] for w, c in counts.items()}
        norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
        vectors[pk] = {w: v / norm for w, v in vector.items() if v > 0}
    return vectors


def _shared_terms(
    a: dict[str, float], b: dict[str, float], exclude: frozenset[str]
) -> tuple[float, list[str]]:
    shared = {w: a[w] * b[w] for w in a.keys() & b.keys()}
    cosine = sum(shared.values())
    salient = [w for w in sorted(shared, key=lambda w: (-shared[w], w)) if w not in exclude]
    return cosine, salient


def _join(names: Iterable[str]) -> str:
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def reason(
    categories: Iterable[str],
    services: Iterable[str],
    tags: Iterable[str],
    terms: Iterable[str],
    *,
    timeline: bool = True,
) -> str:
    """E.g. ``shares: config change factor on checkout; tags dns; similar timeline: failover``."""
    categories, services, tags, terms = list(categories), list(services), list(tags), list(terms)
    shared = []
    if categories:
        noun = "factor" if len(categories) == 1 else "factors"
        shared.append(f"{_join(c.lower() for c in categories)} {noun}")
    if services:
        shared.append(("on " if shared else "service ") + _join(services))
    parts = []
    if shared:
        parts.append("shares: " + " ".join(shared))
    if tags:
        parts.append(("tag " if len(tags) == 1 else "tags ") + ", ".join(tags))
    if terms:
        parts.append(("similar timeline: " if timeline else "similar wording: ") + ", ".join(terms))
    return "; ".join(parts)


def similar_postmortems(
    postmortem: Postmortem, user: User | None, *, limit: int = LIMIT
) -> list[Similar]:
    """The ``limit`` past postmortems most like ``postmortem`` that ``user`` may read."""
    if user is None or not getattr(user, "is_authenticated", False) or postmortem.pk is None:
        return []
    subject, total, rows = _sharing(postmortem.pk, postmortem.created_at)
    shared: dict[int, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    df: Counter[tuple[str, int]] = Counter()
    for pk, kind, feature in rows:
        shared[pk][kind].add(feature)
        df[(kind, feature)] += 1
    # Inverse document frequency within the window: a rare shared tag says more than a
    # service most incidents touch.
    weights = {key: math.log(1 + (1 + total) / (1 + n)) for key, n in df.items()}
    scored = {
        pk: sum(weights[(kind, f)] for kind, found in kinds.items() for f in found)
        for pk, kinds in shared.items()
    }
    shortlist = sorted(scored, key=lambda pk: (-scored[pk], -pk))[:SHORTLIST]
    readable = set(visible_postmortems(user).filter(pk__in=shortlist).values_list("pk", flat=True))
    best = [pk for pk in shortlist if pk in readable][:RERANK]
    if not best:
        return []
    words, timeline = _texts([postmortem.pk, *best])
    vectors = _vectors({pk: words.get(pk, Counter()) for pk in [postmortem.pk, *best]})
    mine = vectors[postmortem.pk]
    top_weight = max(weights.values(), default=1.0)
    ranked: list[tuple[float, int, list[str]]] = []
    for pk in best:
        cosine, terms = _shared_terms(mine, vectors[pk], subject.words)
        ranked.append((scored[pk] + TEXT_WEIGHT * top_weight * cosine, pk, terms))
    ranked.sort(key=lambda r: (-r[0], -r[1]))
    ranked = ranked[:limit]
    fields = ("pk", "key", "title", "status", "created_at", "is_exercise")
    found = Postmortem.objects.filter(pk__in=[pk for _, pk, _ in ranked]).values(*fields)
    details = {row["pk"]: row for row in found}
    mine_in_timeline = timeline.get(postmortem.pk, set())
    result = []
    for score, pk, terms in ranked:
        kinds = shared[pk]
        categories = tuple(sorted(subject.categories[f] for f in kinds["category"]))
        services = tuple(sorted(subject.services[f] for f in kinds["service"]))
        tags = tuple(sorted(subject.tags[f] for f in kinds["tag"]))
        theirs = timeline.get(pk, set())
        in_timeline = [t for t in terms if t in mine_in_timeline and t in theirs][:TERMS]
        shown = in_timeline or terms[:TERMS]
        row = details[pk]
        result.append(
            Similar(
                key=row["key"],
                title=row["title"],
                status=row["status"],
                created_at=row["created_at"],
                score=round(score, 3),
                reason=reason(categories, services, tags, shown, timeline=bool(in_timeline)),
                categories=categories,
                services=services,
                tags=tags,
                terms=tuple(shown),
                is_exercise=row["is_exercise"],
            )
        )
    return result


__all__ = ["LIMIT", "Similar", "reason", "similar_postmortems", "tokens"]
