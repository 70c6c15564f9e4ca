"""The duration metrics of a scope as counted values, read from the kept counts.

Each incident's value of each metric is kept in whole minutes, and how many incidents of a
UTC month had each value (``insights.duration_triggers``). A page reads the months the range
covers whole from those counts, and the incidents of the range's partial months at either end
(and every incident of a team's or a service's scope) through the index on the starts, grouped
by the database; Python receives (metric, month, minutes, how many) rows, never one row per
incident. The quantiles and histograms computed from them equal those of every incident's
value rounded down to the minute.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, datetime
from functools import lru_cache

from django.db import connection, transaction

from secondstory.incidents.models import DurationMetric
from secondstory.insights import duration_triggers
from secondstory.insights.models import MetricPair
from secondstory.insights.scope import Scope, bounds

Counted = dict[str, dict[str, Counter[float]]]  # metric code → quarter → hours → incidents


def refresh() -> bool:
    """Refill the kept values when the metric definitions changed since they were computed
    (the triggers read a copy of the definitions); whether it had to."""
    return _refresh(set(DurationMetric.objects.values_list("pk", "start_id", "end_id")))


def _refresh(current: set[tuple[int, int, int]]) -> bool:
    if current == set(MetricPair.objects.values_list("metric_id", "start_id", "end_id")):
        return False
    with transaction.atomic():
        duration_triggers.refill(connection)
    return True


def _month_start(at: datetime) -> datetime:
    return datetime(at.year, at.month, 1, tzinfo=UTC)


def _next_month(at: datetime) -> datetime:
    return datetime(at.year + at.month // 12, at.month % 12 + 1, 1, tzinfo=UTC)


def whole_months(start: datetime, end: datetime) -> tuple[datetime, datetime] | None:
    """The first and the end (exclusive) of the UTC months lying wholly in [start, end)."""
    first = _month_start(start.astimezone(UTC))
    if first < start:
        first = _next_month(first)
    last = _month_start(end.astimezone(UTC))
    return (first, last) if first < last else None


@lru_cache(maxsize=1024)
def _quarter(month: str) -> str:
    """``YYYY-Qn`` of a ``YYYY-MM`` (once per month: a range's counts name each month often)."""
    return f"{month[:4]}-Q{(int(month[5:7]) - 1) // 3 + 1}"


def counted_values(scope: Scope) -> Counted:
    """Per metric and quarter, how many incidents of the scope had each value (in hours)."""
    metrics = list(DurationMetric.objects.values_list("pk", "start_id", "end_id", "code"))
    _refresh({(pk, start, end) for pk, start, end, _ in metrics})
    codes = {pk: code for pk, _, _, code in metrics}
    result: Counted = defaultdict(lambda: defaultdict(Counter))
    for metric, month, minutes, n in _rows(scope):
        if metric in codes and n:
            result[codes[metric]][_quarter(month)][minutes / 60] += n
    for quarters in result.values():
        for counter in quarters.values():
            for hours in [h for h, n in counter.items() if n <= 0]:
                del counter[hours]  # an exercise's value, taken out again
    return result


def _rows(scope: Scope) -> list[tuple[int, str, int, int]]:
    """(metric, month, minutes, incidents) of the scope; one query: the kept counts of the
    months the range covers whole (the organisation's), the rest grouped from the values."""
    start, end = bounds(scope.span)
    months = whole_months(start, end) if scope.is_organisation else None
    if months is None:
        parts = [_grouped(scope, [(start, end)])]
    else:
        parts = [
            _kept(*months),
            _grouped(scope, [(start, months[0]), (months[1], end)]),
            # The kept counts include every incident: take a game day's exercises out again.
            _grouped(scope, [months], exercises=True),
        ]
    query = " UNION ALL ".join(sql for sql, _ in parts)
    with connection.cursor() as cursor:
        cursor.execute(query, [p for _, params in parts for p in params])
        return list(cursor.fetchall())


def _kept(first: datetime, last: datetime) -> tuple[str, list[object]]:
    query = """SELECT metric_id, month, minutes, n FROM insights_durationcount
        WHERE month >= %s AND month < %s AND n <> 0"""
    return query, [first.strftime("%Y-%m"), last.strftime("%Y-%m")]


def _grouped(
    scope: Scope, spans: list[tuple[datetime, datetime]], *, exercises: bool = False
) -> tuple[str, list[object]]:
    """The values of the incidents of the scope that began in one of the spans, grouped;
    game days' exercise incidents are left out. ``exercises``: only theirs, counted
    negatively (to take them out of the kept counts)."""
    month = duration_triggers.MONTH[connection.vendor].format("st.began")
    adapt = connection.ops.adapt_datetimefield_value
    began = " OR ".join(["(st.began >= %s AND st.began < %s)"] * len(spans))
    params: list[object] = [adapt(at) for span in spans for at in span]
    where = ""
    if scope.team is not None:
        where += " AND st.incident_id IN (SELECT incident_id FROM incidents_incident_teams"
        where += " WHERE team_id = %s)"
        params.append(scope.team.pk)
    if scope.service is not None:
        where += " AND st.incident_id IN (SELECT incident_id FROM incidents_incident_services"
        where += " WHERE service_id = %s)"
        params.append(scope.service.pk)
    where += " AND i.is_exercise = %s"
    params.append(exercises)
    count = "-COUNT(*)" if exercises else "COUNT(*)"
    query = f"""SELECT v.metric_id, {month}, v.minutes, {count}
        FROM insights_incidentstart st
        JOIN insights_durationvalue v ON v.incident_id = st.incident_id
        JOIN incidents_incident i ON i.id = st.incident_id
        WHERE ({began}){where}
        GROUP BY v.metric_id, {month}, v.minutes"""
    return query, params
