"""Blameless writing figures from the reviewer's stored findings (``ReviewCache``).

The figures read the findings the editor already stored for each saved section text; they
never run the engine during a page view (a postmortem nobody opened since its last edit has
no entry and is counted under "not yet reviewed"). Words are those kept beside each postmortem
by triggers (``insights.postmortem_triggers``).
"""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import QuerySet, Sum

from secondstory.core.insights.writing import WritingSample
from secondstory.insights.models import KeptPostmortem
from secondstory.insights.scope import Scope
from secondstory.insights.services import of_postmortems, quarter_of_month
from secondstory.insights.sql import ArrayLength, MonthLabel
from secondstory.postmortems.models import Postmortem, ReviewCache, ReviewDismissal

NO_TEAM = "(no team)"


def _sql(query: QuerySet[Any]) -> tuple[str, list[object]]:
    sql, params = query.query.sql_with_params()
    return sql, list(params)


def writing_samples(scope: Scope) -> tuple[list[WritingSample], int, int, int]:
    """(samples per team and month, postmortems in scope, reviewed ones, dismissals); three
    queries. The database sums the words and findings per (team, month of creation): Python
    receives one row per team and month, not one per postmortem."""
    in_scope = Postmortem.objects.filter(of_postmortems(scope, "pk"))
    stored = ReviewCache.objects.filter(of_postmortems(scope))
    # Each postmortem's words as kept beside it by triggers (``postmortem_triggers.words``:
    # spaces and line breaks plus one per section that is not empty), not counted again from
    # the section texts, which PostgreSQL must read out of line.
    kept = KeptPostmortem.objects.filter(of_postmortems(scope))
    parts = [
        _sql(
            kept.filter(postmortem_id__in=stored.values("postmortem_id"))
            .annotate(month=MonthLabel("created_at"))
            .values_list("postmortem_id", "month", "words")
            .order_by()
        ),
        _sql(
            stored.values("postmortem_id")
            .annotate(n=Sum(ArrayLength("findings")))
            .values_list("postmortem_id", "n")
            .order_by()
        ),
        _sql(
            Postmortem.incidents.through.objects.filter(
                postmortem_id__in=stored.values("postmortem_id")
            )
            .values_list("postmortem_id", "incident__teams__slug")
            .distinct()
            .order_by()
        ),
    ]
    query = (
        "WITH p (id, month, words) AS ({}), f (id, n) AS ({}), t (id, team) AS ({}) "
        "SELECT t.team, p.month, COUNT(*), SUM(COALESCE(p.words, 0)), SUM(COALESCE(f.n, 0)) "
        "FROM p LEFT JOIN t ON t.id = p.id AND t.team IS NOT NULL LEFT JOIN f ON f.id = p.id "
        "GROUP BY t.team, p.month "
        # and, last, how many postmortems were reviewed (a team is never named '')
        "UNION ALL SELECT '', '', COUNT(*), 0, 0 FROM p ORDER BY 1"
    ).format(*(sql for sql, _ in parts))
    with connection.cursor() as cursor:
        cursor.execute(query, [param for _, params in parts for param in params])
        rows = cursor.fetchall()
    reviewed = next(n for team, _, n, _, _ in rows if team == "")
    samples = [
        WritingSample(team or NO_TEAM, quarter_of_month(month), int(n_words), int(found), n)
        for team, month, n, n_words, found in rows
        if team != ""
    ]
    dismissed = ReviewDismissal.objects.filter(of_postmortems(scope)).count()
    return samples, in_scope.count(), reviewed, dismissed
