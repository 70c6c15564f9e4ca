"""The insights' database side: narrow rows and grouped counts, aggregated in SQL.

Every function runs a fixed number of queries whatever the data size; the pure computations
live in ``secondstory.core.insights``. Restricted postmortems count in every figure; their
keys appear only for readers who may read them (``visible_postmortems``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery

from secondstory.accounts.models import User
from secondstory.actions.models import ActionItem, Recurrence
from secondstory.core import followup
from secondstory.core.insights.factors import PairCount, RecurringPair, recurring_pairs
from secondstory.core.insights.followthrough import FollowThroughCounts, TitleCount
from secondstory.core.insights.pipeline import PolicyCoverage, StageTimes
from secondstory.core.insights.stats import DAY_EDGES
from secondstory.core.insights.tables import GroupedCount
from secondstory.core.review.person_targeted import targets_people
from secondstory.incidents.models import DurationMetric, Milestone, Severity
from secondstory.insights.scope import Scope, began, incident_ids, incidents_in
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


def postmortem_ids(scope: Scope) -> QuerySet[Any]:
    """The ids of the postmortems of the incidents in scope, as an uncorrelated subquery
    (the database runs it once, not once per row of the outer query)."""
    links = Postmortem.incidents.through.objects.filter(incident_id__in=incident_ids(scope))
    return links.values("postmortem_id")


def postmortems_in(scope: Scope) -> Q:
    return Q(pk__in=postmortem_ids(scope))


def stage_times(scope: Scope) -> list[StageTimes]:
    """Per postmortem: days from its incidents' last resolution to draft, review, publication.

    One row per (postmortem, incident in scope), each reaching its milestone through the
    (incident, kind) index; a postmortem of several incidents keeps the shortest delays,
    which are the ones from the last resolution.
    """
    resolved = Subquery(
        Milestone.objects.filter(incident=OuterRef("incident_id"), kind__code="resolved").values(
            "at"
        )[:1]
    )
    rows = (
        Postmortem.incidents.through.objects.filter(incident_id__in=incident_ids(scope))
        .annotate(resolved=resolved)
        .filter(resolved__isnull=False)
        .annotate(
            draft=HoursBetween(F("resolved"), F("postmortem__created_at")),
            review=HoursBetween(F("resolved"), F("postmortem__submitted_at")),
            published=HoursBetween(F("resolved"), F("postmortem__published_at")),
        )
        .values_list("postmortem_id", "draft", "review", "published")
        .order_by()
    )
    shortest: dict[int, tuple[float, float | None, float | None]] = {}
    for postmortem, draft, review, published in rows:
        seen = shortest.get(postmortem)
        if seen is not None:
            draft = min(draft, seen[0])
            review = _least(review, seen[1])
            published = _least(published, seen[2])
        shortest[postmortem] = (draft, review, published)
    return [
        StageTimes(d / 24, None if r is None else r / 24, None if p is None else p / 24)
        for d, r, p in shortest.values()
    ]


def _least(a: float | None, b: float | None) -> float | None:
    return b if a is None else a if b is None else min(a, b)


@dataclass(frozen=True, slots=True)
class KeyedCount:
    """A count with the keys of the ones this reader may read (at most ``KEYS_SHOWN``)."""

    count: int
    keys: list[str]


def old_draft_ids(scope: Scope, days: int) -> list[int]:
    """Drafts created more than ``days`` days before today, oldest first (every reader's)."""
    cutoff = scope.today - timedelta(days=days)
    drafts = Postmortem.objects.filter(
        postmortems_in(scope), status="draft", created_at__date__lt=cutoff
    )
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
    return Q(postmortem_id__in=postmortem_ids(scope))


def follow_through(scope: Scope) -> tuple[FollowThroughCounts, dict[int, int]]:
    """The counts of the items in scope and the open ones by age bucket; one query."""
    today = scope.today
    still_open = Q(status__in=("open", "in_progress"))
    midnight = datetime.combine(today + timedelta(days=1), time.min, tzinfo=UTC)
    ages: dict[str, Count] = {}
    highs: list[float | None] = [*DAY_EDGES[1:], None]
    for i, (low, high) in enumerate(zip(DAY_EDGES, highs, strict=True)):
        # Bounds as instants, not ``created_at__date``: a date cast per row is slow in SQLite.
        window = still_open & Q(created_at__lt=midnight - timedelta(days=low))
        if high is not None:
            window &= Q(created_at__gte=midnight - timedelta(days=high))
        ages[f"age_{i}"] = Count("pk", filter=window)
    recurred = Exists(Recurrence.objects.filter(item=OuterRef("pk")))
    figures = ActionItem.objects.filter(_items(scope)).aggregate(
        total=Count("pk"),
        done=Count("pk", filter=Q(status="done")),
        done_on_time=Count("pk", filter=Q(status="done", completed_at__lt=NextDay("due"))),
        not_doing=Count("pk", filter=Q(status="not_doing")),
        open=Count("pk", filter=still_open),
        overdue=Count("pk", filter=still_open & Q(due__lt=today)),
        recurred=Count("pk", filter=Q(status="done") & Q(recurred)),
        **ages,
    )
    counts = FollowThroughCounts(
        **{k: figures[k] for k in FollowThroughCounts.__dataclass_fields__}
    )
    return counts, {i: figures[f"age_{i}"] for i in range(len(DAY_EDGES))}


def item_titles(scope: Scope) -> list[TitleCount]:
    rows = (
        ActionItem.objects.filter(_items(scope)).values("title").annotate(n=Count("pk")).order_by()
    )
    return [TitleCount(r["title"], r["n"]) for r in rows]


def categories() -> list[tuple[str, str]]:
    return list(FactorCategory.objects.values_list("code", "name"))


def _factors(scope: Scope) -> Q:
    return Q(postmortem_id__in=postmortem_ids(scope))


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


def factor_pairs(scope: Scope) -> list[PairCount]:
    """Postmortems per pair of categories appearing together: a self-join in SQL of the
    distinct (postmortem, category) pairs, so a postmortem with several factors of a
    category is joined once, not once per factor and counted distinct afterwards."""
    distinct = (
        ContributingFactor.objects.filter(_factors(scope))
        .values("postmortem_id", "category_id")
        .distinct()
        .order_by()
    )
    sql, params = distinct.query.sql_with_params()
    codes = dict(FactorCategory.objects.values_list("pk", "code"))
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH pc (postmortem_id, category_id) AS ({sql}) "
            "SELECT a.category_id, b.category_id, COUNT(*) FROM pc a "
            "JOIN pc b ON a.postmortem_id = b.postmortem_id "
            "GROUP BY a.category_id, b.category_id",
            params,
        )
        rows = cursor.fetchall()
    return [PairCount(codes[a], codes[b], n) for a, b, n in rows]


Candidate = tuple[str, str, int, tuple[int, ...]]


def service_postmortems(scope: Scope) -> dict[tuple[str, str], list[int]]:
    """The postmortems per (service of their incidents, factor category), newest first; one
    grouped query (the distinct triples), which both the counts and the recurring pairs read."""
    rows = (
        ContributingFactor.objects.filter(_factors(scope))
        .values_list("postmortem__incidents__services__slug", "category__code", "postmortem_id")
        .distinct()
        .order_by()
    )
    pairs: dict[tuple[str, str], list[int]] = defaultdict(list)
    for service, category, postmortem in rows:
        if service is not None:  # incidents without a service
            pairs[(service, category)].append(postmortem)
    for ids in pairs.values():
        ids.sort(reverse=True)
    return dict(pairs)


def service_categories(scope: Scope) -> list[GroupedCount]:
    """Postmortems per (service, factor category)."""
    return _pair_counts(service_postmortems(scope))


def _pair_counts(pairs: dict[tuple[str, str], list[int]]) -> list[GroupedCount]:
    return [GroupedCount(service, category, len(ids)) for (service, category), ids in pairs.items()]


def categories_and_candidates(scope: Scope) -> tuple[list[GroupedCount], list[Candidate]]:
    """``service_categories`` and ``recurring_candidates`` from one query."""
    pairs = service_postmortems(scope)
    counts = _pair_counts(pairs)
    return counts, _candidates(pairs, counts)


def _candidates(
    pairs: dict[tuple[str, str], list[int]], counts: Iterable[GroupedCount]
) -> list[Candidate]:
    top = recurring_pairs(counts, RECURRING_MINIMUM, KEYS_SHOWN)
    return [
        (service, category, n, tuple(pairs[(service, category)][:KEYS_SHOWN]))
        for service, category, n in top
    ]


def recurring_candidates(scope: Scope, counts: Iterable[GroupedCount]) -> list[Candidate]:
    """The pairs in ``RECURRING_MINIMUM`` or more postmortems, most first, each with the ids
    of its newest ``KEYS_SHOWN`` postmortems (the same for every reader)."""
    return _candidates(service_postmortems(scope), counts)


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


def recurring(scope: Scope, user: User, counts: Iterable[GroupedCount]) -> list[RecurringPair]:
    """The recurring pairs with the keys this reader may read."""
    return readable_pairs(user, recurring_candidates(scope, counts))


def people_predicate() -> Callable[[str], bool]:
    """Whether an action item's title aims at people rather than the system: the reviewer's
    person-targeted rule (``core.review.person_targeted``)."""
    return targets_people
