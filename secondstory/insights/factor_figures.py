"""The contributing factors' figures of a scope: per category and quarter, co-occurring
categories, and the (service, category) pairs with their newest postmortems, aggregated in
SQL (see ``services`` for the postmortems of a scope)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

from django.db import connection
from django.db.models import Count, Q

from secondstory.accounts.models import User
from secondstory.core.insights.factors import PairCount, RecurringPair, recurring_pairs
from secondstory.core.insights.tables import GroupedCount
from secondstory.insights.scope import Listed, Scope
from secondstory.insights.services import (
    KEYS_SHOWN,
    RECURRING_MINIMUM,
    of_postmortems,
    postmortem_ids,
    quarter_of_month,
)
from secondstory.insights.sql import MonthLabel
from secondstory.postmortems.models import ContributingFactor, FactorCategory
from secondstory.postmortems.services import visible_postmortems


def categories() -> list[tuple[str, str]]:
    return list(FactorCategory.objects.values_list("code", "name"))


def _factors(scope: Scope) -> Q:
    return of_postmortems(scope)


def factors_by_quarter(scope: Scope) -> list[GroupedCount]:
    """Factors per (quarter of their postmortem's creation, category)."""
    rows = (
        ContributingFactor.objects.filter(_factors(scope))
        .annotate(month=MonthLabel("postmortem__created_at"))
        .values("month", "category__code")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return [GroupedCount(quarter_of_month(r["month"]), r["category__code"], r["n"]) for r in rows]


def category_sets(scope: Scope) -> Counter[tuple[int, ...]]:
    """Postmortems per set of factor categories (ids, ascending). The database groups the
    postmortems by their set of categories (a few hundred sets, whatever the number of
    postmortems); a self-join of the (postmortem, category) pairs made a row per pair of
    every postmortem, three times the work on 100,000 postmortems."""
    distinct = (
        ContributingFactor.objects.filter(_factors(scope))
        .values("postmortem_id", "category_id")
        .distinct()
        .order_by()
    )
    sql, params = distinct.query.sql_with_params()
    listed = _LIST_OF[connection.vendor]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT s.categories, COUNT(*) FROM (SELECT pc.postmortem_id, {listed} AS categories "
            f"FROM ({sql}) pc GROUP BY pc.postmortem_id) s GROUP BY s.categories",
            params,
        )
        rows = cursor.fetchall()
    sets: Counter[tuple[int, ...]] = Counter()
    for listed_ids, n in rows:
        sets[tuple(sorted({int(pk) for pk in str(listed_ids).split(",")}))] += n
    return sets


def pairs_of(sets: Counter[tuple[int, ...]]) -> list[PairCount]:
    """Postmortems per pair of categories appearing together (and per category, the pair of
    a category with itself), from the postmortems per set of categories."""
    codes = dict(FactorCategory.objects.values_list("pk", "code"))
    pairs: Counter[tuple[int, int]] = Counter()
    for found, n in sets.items():
        for a in found:
            for b in found:
                pairs[(a, b)] += n
    return [PairCount(codes[a], codes[b], n) for (a, b), n in pairs.items()]


def factor_pairs(scope: Scope) -> list[PairCount]:
    return pairs_of(category_sets(scope))


# A postmortem's categories as one text ("3,7,9"; the order does not matter).
_LIST_OF = {
    "sqlite": "group_concat(pc.category_id)",
    "postgresql": "string_agg(CAST(pc.category_id AS text), ',')",
}


Candidate = tuple[str, str, int, tuple[int, ...]]


# The distinct (service of a postmortem's incidents, factor category, postmortem) of the
# postmortems in scope; the database groups them, Python receives the counts.
_TRIPLES = """SELECT DISTINCT x.service_id AS service, f.category_id AS category,
    f.postmortem_id AS pm FROM postmortems_contributingfactor f
    JOIN postmortems_postmortem_incidents pi ON pi.postmortem_id = f.postmortem_id
    JOIN incidents_incident_services x ON x.incident_id = pi.incident_id
    WHERE f.postmortem_id IN ({ids})"""


def _newest(scope: Scope) -> list[tuple[str, str, int, int]]:
    """(service, category, postmortems of the pair, one of its newest ``KEYS_SHOWN``
    postmortems): one pass in which the database counts and numbers each pair's postmortems."""
    if isinstance(scope.only, Listed):
        ids, params = ", ".join(["%s"] * len(scope.only.ids)), scope.only.ids
    else:
        ids, params = postmortem_ids(scope).query.sql_with_params()
    query = (
        "SELECT s.slug, c.code, r.n, r.pm FROM (SELECT service, category, pm, "
        "COUNT(*) OVER (PARTITION BY service, category) AS n, ROW_NUMBER() OVER "
        "(PARTITION BY service, category ORDER BY pm DESC) AS newest "
        f"FROM ({_TRIPLES.format(ids=ids)}) t) r "
        "JOIN incidents_service s ON s.id = r.service "
        "JOIN postmortems_factorcategory c ON c.id = r.category "
        f"WHERE r.newest <= {KEYS_SHOWN:d}"
    )
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return list(cursor.fetchall())


#: (service, category) → (postmortems of the pair, ids of its newest ``KEYS_SHOWN``, newest first)
Newest = dict[tuple[str, str], tuple[int, list[int]]]


def newest_by_pair(scope: Scope) -> Newest:
    """Postmortems per (service of their incidents, factor category), each with its newest
    ``KEYS_SHOWN`` postmortems; one query."""
    found: Newest = {}
    for service, category, n, pm in _newest(scope):
        found.setdefault((service, category), (n, []))[1].append(pm)
    return {pair: (n, sorted(ids, reverse=True)) for pair, (n, ids) in found.items()}


def candidates_of(found: Newest) -> tuple[list[GroupedCount], list[Candidate]]:
    """Postmortems per (service, category), and the pairs in ``RECURRING_MINIMUM`` or more
    postmortems, most first, each with the ids of its newest ``KEYS_SHOWN`` postmortems (the
    same for every reader)."""
    grouped = [GroupedCount(service, category, n) for (service, category), (n, _) in found.items()]
    newest = {pair: ids for pair, (_, ids) in found.items()}
    return grouped, _candidates(newest, grouped)


def categories_and_candidates(scope: Scope) -> tuple[list[GroupedCount], list[Candidate]]:
    return candidates_of(newest_by_pair(scope))


def _candidates(
    newest: Mapping[tuple[str, str], list[int]], counts: Iterable[GroupedCount]
) -> list[Candidate]:
    top = recurring_pairs(counts, RECURRING_MINIMUM, KEYS_SHOWN)
    return [
        (service, category, n, tuple(sorted(newest[(service, category)], reverse=True)))
        for service, category, n in top
    ]


def readable_pairs(user: User, candidates: list[Candidate]) -> list[RecurringPair]:
    """The recurring pairs with the keys of the postmortems this reader may read; one query."""
    if not candidates:
        return []
    wanted = {pk for *_, ids in candidates for pk in ids}
    readable = dict(visible_postmortems(user).filter(pk__in=wanted).values_list("pk", "key"))
    return [
        RecurringPair(
            service, category, n, tuple(sorted(readable[pk] for pk in ids if pk in readable))
        )
        for service, category, n, ids in candidates
    ]
