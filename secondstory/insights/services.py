"""The insights' database side: narrow rows and grouped counts, aggregated in SQL.

Every function runs a fixed number of queries whatever the data size; the pure computations
live in ``secondstory.core.insights``. Restricted postmortems count in every figure; their
keys appear only for readers who may read them (``visible_postmortems``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
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
from secondstory.core.insights.followthrough import OpenItems, TitleCount
from secondstory.core.insights.pipeline import PolicyCoverage, StageTimes
from secondstory.core.insights.tables import GroupedCount
from secondstory.core.review.person_targeted import targets_people
from secondstory.incidents.models import DurationMetric, Severity
from secondstory.insights.scope import (
    Listed,
    Scope,
    began,
    bounds,
    incident_ids,
    incidents_in,
    of_scope,
)
from secondstory.insights.sql import HoursBetween, MonthLabel, NextDay
from secondstory.postmortems.models import Postmortem
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
    (the database runs it once, not once per row of the outer query), or those of
    ``scope.only``."""
    if isinstance(scope.only, Listed):
        return Postmortem.objects.filter(pk__in=scope.only.ids).values("pk")
    return _links(scope).values("postmortem_id")


def of_postmortems(scope: Scope, field: str = "postmortem_id") -> Q:
    """``field`` names a postmortem of the scope. Listed postmortems are named as values:
    PostgreSQL reads ``IN (values)`` through the index many times faster than ``IN`` a
    subquery that lists them."""
    if isinstance(scope.only, Listed):
        return Q(**{f"{field}__in": scope.only.ids})
    return Q(**{f"{field}__in": postmortem_ids(scope)})


def within_and_straddling(scope: Scope) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The postmortems of the incidents in scope, in two sets: those all of whose incidents
    of the scope began within the range, and those with some outside it; one query."""
    rows = _links(scope).annotate(outside=_outside(scope)).values_list("postmortem_id", "outside")
    found = dict(rows)  # a postmortem's links all say the same
    within = tuple(sorted(pm for pm, outside in found.items() if not outside))
    return within, tuple(sorted(pm for pm, outside in found.items() if outside))


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


def item_titles(scope: Scope) -> list[TitleCount]:
    rows = (
        ActionItem.objects.filter(_items(scope)).values("title").annotate(n=Count("pk")).order_by()
    )
    return [TitleCount(r["title"], r["n"]) for r in rows]


def people_predicate() -> Callable[[str], bool]:
    """Whether an action item's title aims at people rather than the system: the reviewer's
    person-targeted rule (``core.review.person_targeted``)."""
    return targets_people
