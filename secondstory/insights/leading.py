"""Leading indicators: near-miss reports per month, for the organisation and per team.

Counted by the database (one grouped query each for the total and the teams), by the day a
report was made (``reported_on``, a UTC day), whatever its status and whether named or not.
Not cached with the other figures: two small aggregates over one table.
"""

from __future__ import annotations

from collections import Counter

from django.db.models import Count, QuerySet
from django.db.models.functions import ExtractMonth, ExtractYear

from secondstory.core.insights.periods import months
from secondstory.insights import charts
from secondstory.insights.charts import Chart
from secondstory.insights.scope import Scope
from secondstory.nearmiss.models import NearMiss

DEFINITION = (
    "Near-miss and hazard reports counted in the month they were made (UTC), named and "
    "anonymous alike, whatever their status; a report for several teams counts once in the "
    "total and once for each of its teams."
)


def _reports(scope: Scope) -> QuerySet[NearMiss]:
    query = NearMiss.objects.filter(
        reported_on__gte=scope.span.start, reported_on__lte=scope.span.end
    )
    if scope.team is not None:
        query = query.filter(teams=scope.team)
    if scope.service is not None:
        query = query.filter(services=scope.service)
    return query.annotate(year=ExtractYear("reported_on"), month=ExtractMonth("reported_on"))


def _label(row: dict[str, int]) -> str:
    return f"{row['year']:04d}-{row['month']:02d}"


def reports_by_month(scope: Scope) -> tuple[Counter[str], Counter[tuple[str, str]]]:
    """(reports per month, reports per (month, team name)) within the scope."""
    totals: Counter[str] = Counter()
    for row in _reports(scope).values("year", "month").annotate(n=Count("pk")).order_by():
        totals[_label(row)] += row["n"]
    per_team: Counter[tuple[str, str]] = Counter()
    rows = _reports(scope).filter(teams__isnull=False).values("year", "month", "teams__name")
    for row in rows.annotate(n=Count("pk")).order_by():
        per_team[(_label(row), row["teams__name"])] += row["n"]
    return totals, per_team


def near_miss_charts(scope: Scope) -> list[Chart]:
    labels = months(scope.span)
    totals, per_team = reports_by_month(scope)
    teams = [] if scope.team is not None else sorted({team for _, team in per_team})
    chart = Chart(
        "near-misses-by-month",
        "Near-miss reports per month",
        DEFINITION,
        ["month", "reports", *teams],
        [[m, totals[m], *(per_team[(m, t)] for t in teams)] for m in labels],
    )
    total = sum(totals[m] for m in labels)
    chart.svg = charts.bars(
        chart.id, chart.title, f"{total} reports", labels, [totals[m] for m in labels]
    )
    return [chart]
