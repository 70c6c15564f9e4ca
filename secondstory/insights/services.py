"""The insights' database side: narrow rows and grouped counts, aggregated in SQL.

Every function runs a fixed number of queries whatever the data size; the pure computations
live in ``secondstory.core.insights``. Restricted postmortems count in every figure; their
keys appear only for readers who may read them (``visible_postmortems``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from django.db import connection
from django.db.models import Count, Exists, F, Min, OuterRef, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from secondstory.accounts.models import User
from secondstory.actions.models import ActionItem, Recurrence
from secondstory.core import followup
from secondstory.core.insights.factors import PairCount, RecurringPair, recurring_pairs
from secondstory.core.insights.followthrough import FollowThroughCounts, OpenItems, TitleCount
from secondstory.core.insights.pipeline import PolicyCoverage, StageTimes
from secondstory.core.insights.tables import GroupedCount
from secondstory.core.review.person_targeted import targets_people
from secondstory.incidents.models import DurationMetric, Severity
from secondstory.insights.scope import (
    Listed,
    Scope,
    Whole,
    began,
    bounds,
    incident_ids,
    incidents_in,
    of_scope,
)
from secondstory.insights.sql import HoursBetween, MonthLabel, NextDay
from secondstory.postmortems.models import ContributingFactor, FactorCategory, Postmortem
from secondstory.postmortems.services import visible_postmortems

KEYS_SHOWN = 20  # keys listed under a figure; the count says how many there are in all
RECURRING_MINIMUM = 3  # postmortems for a (service, category) pair to count as recurring
KEYS_CHUNK = 200  # postmortems asked about at once when looking for the readable keys


def quarter_of_month(month: str) -> str:
    """``2026-05`` → ``2026-Q2``."""
    return f"{month[:4]}-Q{(int(month[5:]) - 1) // 3 + 1}"


def severities() -> list[str]:
    return list(Severity.objects.order_by("rank").values_list("code", flat=True))


def severity_by_month(scope: Scope) -> list[GroupedCount]:
    rows = (
        incidents_in(scope)
        .annotate(month=MonthLabel(began()))
        .values("month", "severity__code")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return [GroupedCount(r["month"], r["severity__code"], r["n"]) for r in rows]


@dataclass(frozen=True, slots=True)
class MetricDefinition:
    code: str
    name: str
    definition: str
    start: str
    end: str


def metric_definitions() -> list[MetricDefinition]:
    return [
        MetricDefinition(m.code, m.name, m.definition, m.start.code, m.end.code)
        for m in DurationMetric.objects.select_related("start", "end")
    ]


def policy_coverage(scope: Scope) -> PolicyCoverage:
    """Incidents whose severity the postmortem policy covers, with and without a postmortem."""
    links = Postmortem.incidents.through.objects.filter(incident_id=OuterRef("pk"))
    reviewed = links.exclude(postmortem__status="not_required")
    # Written as an exclusion so that SQLite reaches the link through the incident's index
    # instead of walking every published postmortem for each incident.
    unpublished = [code for code, _ in Postmortem.STATUS_CHOICES if code != "published"]
    published = links.exclude(postmortem__status__in=unpublished)
    covered = incidents_in(scope).filter(severity__rank__lte=followup.POLICY_SEVERITY_RANKS)
    # Three counts: a conditional aggregate over the annotated incidents makes SQLite
    # evaluate the correlated subqueries many times over.
    return PolicyCoverage(
        covered.count(),
        covered.filter(Exists(reviewed)).count(),
        covered.filter(Exists(published)).count(),
    )


def policy_severities() -> list[str]:
    ranks = followup.POLICY_SEVERITY_RANKS
    return list(Severity.objects.filter(rank__lte=ranks).values_list("code", flat=True))


def _links(scope: Scope) -> QuerySet[Any]:
    return Postmortem.incidents.through.objects.filter(incident_id__in=incident_ids(scope))


def _outside(scope: Scope) -> Exists:
    """The postmortem (of the outer link) has an incident of the scope outside the range."""
    start, end = bounds(scope.span)
    began = "incident__insights_start__began"
    return Exists(
        Postmortem.incidents.through.objects.filter(
            of_scope(scope, "incident__"),
            Q(**{f"{began}__lt": start}) | Q(**{f"{began}__gte": end}),
            postmortem_id=OuterRef("postmortem_id"),
        )
    )


def postmortem_ids(scope: Scope) -> QuerySet[Any]:
    """The ids of the postmortems of the incidents in scope, as an uncorrelated subquery
    (the database runs it once, not once per row of the outer query), narrowed by
    ``scope.only`` (see ``scope.Whole`` and ``scope.Listed``)."""
    if isinstance(scope.only, Listed):
        return Postmortem.objects.filter(pk__in=scope.only.ids).values("pk")
    links = _links(scope)
    if isinstance(scope.only, Whole):
        links = links.exclude(_outside(scope))
    return links.values("postmortem_id")


def of_postmortems(scope: Scope, field: str = "postmortem_id") -> Q:
    """``field`` names a postmortem of the scope. Listed postmortems are named as values:
    PostgreSQL reads ``IN (values)`` through the index many times faster than ``IN`` a
    subquery that lists them."""
    if isinstance(scope.only, Listed):
        return Q(**{f"{field}__in": scope.only.ids})
    return Q(**{f"{field}__in": postmortem_ids(scope)})


def straddling(scope: Scope) -> list[int]:
    """The postmortems with incidents of the scope both in the range and outside it."""
    return sorted(
        set(_links(scope).filter(_outside(scope)).values_list("postmortem_id", flat=True))
    )


def postmortems_in(scope: Scope) -> Q:
    return of_postmortems(scope, "pk")


def stage_times(scope: Scope) -> list[StageTimes]:
    """Per postmortem: days from its incidents' last resolution to draft, review, publication.

    The database joins each (postmortem, incident in scope) to the incident's "resolved"
    milestone (one per incident) and keeps, per postmortem, the shortest delays, which are
    the ones from the last resolution: Python receives one row per postmortem.
    """
    resolved = F("incident__milestones__at")
    if scope.only is None:
        links = Q(incident_id__in=incident_ids(scope))
    else:
        # A few postmortems: reached from their ids, their incidents checked by joins
        # (naming every incident of the range as a subquery made the database build it).
        start, end = bounds(scope.span)
        links = (
            of_postmortems(scope)
            & of_scope(scope, "incident__")
            & Q(incident__insights_start__began__gte=start)
            & Q(incident__insights_start__began__lt=end)
        )
    rows = (
        Postmortem.incidents.through.objects.filter(
            links, incident__milestones__kind__code="resolved"
        )
        .values("postmortem_id")
        .annotate(
            draft=Min(HoursBetween(resolved, F("postmortem__created_at"))),
            review=Min(HoursBetween(resolved, F("postmortem__submitted_at"))),
            published=Min(HoursBetween(resolved, F("postmortem__published_at"))),
        )
        .values_list("draft", "review", "published")
        .order_by()
    )
    found: Iterable[tuple[float, float | None, float | None]] = rows
    if scope.only is not None and connection.vendor == "sqlite":
        # SQLite starts from every "resolved" milestone of the installation (its index on
        # the milestones' kind looks cheapest to it); from a few postmortems, the joins in
        # the order written (SQLite keeps a CROSS JOIN's order) read only theirs.
        sql, params = rows.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(sql.replace(" INNER JOIN ", " CROSS JOIN "), params)
            found = cursor.fetchall()
    return [
        StageTimes(d / 24, None if r is None else r / 24, None if p is None else p / 24)
        for d, r, p in found
    ]


@dataclass(frozen=True, slots=True)
class KeyedCount:
    """A count with the keys of the ones this reader may read (at most ``KEYS_SHOWN``)."""

    count: int
    keys: list[str]


def old_draft_ids(scope: Scope, days: int) -> list[int]:
    """Drafts created more than ``days`` days before today, oldest first (every reader's)."""
    cutoff = scope.today - timedelta(days=days)
    # From the drafts (a few of every postmortem), each asked whether it has an incident of
    # the scope in the range: naming every postmortem of the range cost a long range more.
    start, end = bounds(scope.span)
    in_scope = Postmortem.incidents.through.objects.filter(
        of_scope(scope, "incident__"),
        postmortem_id=OuterRef("pk"),
        incident__insights_start__began__gte=start,
        incident__insights_start__began__lt=end,
    )
    before = datetime.combine(cutoff, time.min, tzinfo=timezone.get_current_timezone())
    # (An instant, not ``created_at__date``: a date cast per row is slow in SQLite.)
    drafts = Postmortem.objects.filter(Exists(in_scope), status="draft", created_at__lt=before)
    return list(drafts.order_by("created_at", "pk").values_list("pk", flat=True))


def readable_keys(user: User, ids: list[int], limit: int = KEYS_SHOWN) -> list[str]:
    """The keys of the first ``limit`` postmortems of ``ids`` (in that order) this reader may
    read; asks in chunks and stops once it has enough (usually after one query)."""
    visible = visible_postmortems(user)
    keys: list[str] = []
    for start in range(0, len(ids), KEYS_CHUNK):
        chunk = ids[start : start + KEYS_CHUNK]
        found = dict(visible.filter(pk__in=chunk).values_list("pk", "key"))
        keys += [found[pk] for pk in chunk if pk in found]
        if len(keys) >= limit:
            break
    return keys[:limit]


def old_drafts(scope: Scope, user: User, days: int) -> KeyedCount:
    ids = old_draft_ids(scope, days)
    return KeyedCount(len(ids), readable_keys(user, ids))


def _items(scope: Scope) -> Q:
    return of_postmortems(scope)


def follow_through_raw(scope: Scope) -> OpenItems:
    """The counts of the items in scope, and the open ones by the UTC day they were created
    and by due date (so that ages and overdue items can be told for any day); three queries."""
    still_open = Q(status__in=("open", "in_progress"))
    recurred = Exists(Recurrence.objects.filter(item=OuterRef("pk")))
    items = ActionItem.objects.filter(_items(scope))
    figures = items.aggregate(
        total=Count("pk"),
        done=Count("pk", filter=Q(status="done")),
        done_on_time=Count("pk", filter=Q(status="done", completed_at__lt=NextDay("due"))),
        not_doing=Count("pk", filter=Q(status="not_doing")),
        open=Count("pk", filter=still_open),
        recurred=Count("pk", filter=Q(status="done") & Q(recurred)),
    )
    opened = items.filter(still_open)
    created = opened.annotate(day=TruncDate("created_at", tzinfo=UTC)).values("day")
    due = opened.filter(due__isnull=False).values("due")
    return OpenItems(
        counts={k: figures[k] for k in OpenItems.COUNTED},
        created=Counter({r["day"]: r["n"] for r in created.annotate(n=Count("pk")).order_by()}),
        due=Counter({r["due"]: r["n"] for r in due.annotate(n=Count("pk")).order_by()}),
    )


def follow_through(scope: Scope) -> tuple[FollowThroughCounts, dict[int, int]]:
    """The counts of the items in scope and the open ones by age bucket, as of ``today``."""
    return follow_through_raw(scope).as_of(scope.today)


def item_titles(scope: Scope) -> list[TitleCount]:
    rows = (
        ActionItem.objects.filter(_items(scope)).values("title").annotate(n=Count("pk")).order_by()
    )
    return [TitleCount(r["title"], r["n"]) for r in rows]


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


def people_predicate() -> Callable[[str], bool]:
    """Whether an action item's title aims at people rather than the system: the reviewer's
    person-targeted rule (``core.review.person_targeted``)."""
    return targets_people
