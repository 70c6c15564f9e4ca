"""The action items and contributing factors of the learning-health checks, counted by the
database: sums per postmortem and per (service, category) pair
(``secondstory.core.insights.health.sums``), never one row per item or factor.

The definitions are those of ``sums``, which computes the same from rows; the tests compare
the two on both engines (``tests/apps/insights/test_health_sums.py``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from secondstory.core.insights.health import Thresholds
from secondstory.core.insights.health.common import EVIDENCE_LIMIT
from secondstory.core.insights.health.sums import ItemSums, PairSums

if TYPE_CHECKING:
    from secondstory.insights.health_queries import HealthSql


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def item_sums(
    sql: HealthSql,
    t: Thresholds,
    as_of: date,
    postmortems: list[tuple[int, str, tuple[str, ...], datetime]],
    targets_people: Callable[[str], bool],
) -> tuple[ItemSums, ...]:
    """The items of each postmortem (id, key, teams, created), counted in its order."""
    ids, params = sql.ids()
    end = sql.at(sql.end)
    if sql.sqlite:
        due_end = "date(a.due, '+1 day')"
    else:
        due_end = "((a.due + 1)::timestamp AT TIME ZONE 'UTC')"
    due = "a.due > %s AND a.due < %s AND a.status <> 'not_doing'"
    due_params = [as_of - timedelta(days=t.window_days), as_of]
    urgent = (
        "a.priority IN ('P0', 'P1') AND a.due < %s AND (a.status IN ('open', 'in_progress')"
        " OR (a.status = 'done' AND (a.completed_at IS NULL OR a.completed_at >= %s)))"
    )
    urgent_params = [as_of, end]
    counted = {
        pm: (int(n_due or 0), int(n_on_time or 0), int(n_overdue or 0), first)
        for pm, n_due, n_on_time, n_overdue, first in sql.rows(
            f"SELECT a.postmortem_id, SUM(CASE WHEN {due} THEN 1 ELSE 0 END), "
            f"SUM(CASE WHEN {due} AND a.completed_at < %s AND a.completed_at < {due_end} "
            f"THEN 1 ELSE 0 END), SUM(CASE WHEN {urgent} THEN 1 ELSE 0 END), "
            f"MIN(CASE WHEN {urgent} THEN a.due END) FROM actions_actionitem a "
            f"WHERE a.postmortem_id IN ({ids}) GROUP BY a.postmortem_id",
            [*due_params, *due_params, end, *urgent_params, *urgent_params, *params],
        )
    }
    # Items of the postmortems created in the window, judged by the reviewer's rule.
    recent: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for pm, title in sql.rows(
        f"SELECT a.postmortem_id, a.title FROM actions_actionitem a WHERE a.postmortem_id IN "
        f"({ids} AND k.created_at >= %s)",
        [*params, sql.at(sql.end - timedelta(days=t.window_days))],
    ):
        counts = recent[pm]
        counts[0] += 1
        counts[1] += targets_people(title)
    sums = []
    for pm, key, teams, _created in postmortems:
        if pm not in counted:
            continue
        n_due, n_on_time, n_overdue, first = counted[pm]
        items, aimed = recent.get(pm, (0, 0))
        sums.append(
            ItemSums(
                postmortem=key,
                teams=teams,
                due=n_due,
                on_time=n_on_time,
                overdue=n_overdue,
                first_overdue=_day(first) if first is not None else None,
                items=items,
                aimed=aimed,
            )
        )
    return tuple(sums)


def pairs(
    sql: HealthSql,
    t: Thresholds,
    as_of: date,
    postmortems: list[tuple[int, str, datetime, tuple[str, ...]]],
    categories: dict[int, set[str]],
) -> tuple[PairSums, ...]:
    """The (service, category) pairs ``recurring-factor`` judges, from each postmortem's (id,
    key, begun, services) and categories; the links of the candidate pairs' factors to action
    items are counted by the database."""
    start = sql.end - timedelta(days=t.window_days)
    ever_on: dict[str, int] = defaultdict(int)
    on_service: dict[str, int] = defaultdict(int)
    with_category: dict[str, int] = defaultdict(int)
    ever_with: dict[tuple[str, str], int] = defaultdict(int)
    newest: dict[tuple[str, str], list[tuple[datetime, str]]] = defaultdict(list)
    for pm, key, begun, services in postmortems:
        recent = begun >= start
        own = categories.get(pm, ())
        for category in own:
            with_category[category] += 1
        for service in services:
            ever_on[service] += 1
            on_service[service] += recent
            for category in own:
                ever_with[(service, category)] += 1
                if recent:
                    newest[(service, category)].append((begun, key))
    candidates = {
        pair: max(at for at, _ in found)
        for pair, found in newest.items()
        if len(found) >= t.recurring_min
    }
    linked = _links(sql, t, as_of) if candidates else {}
    everyone = len(postmortems)
    found = []
    for pair in sorted(candidates):
        service, category = pair
        items, n_failed = linked.get(pair, (0, 0))
        ordered = sorted(sorted(newest[pair], key=lambda at_key: at_key[1]), key=_at, reverse=True)
        found.append(
            PairSums(
                service=service,
                category=category,
                k=len(newest[pair]),
                n=on_service[service],
                others=everyone - ever_on[service],
                other_hits=with_category[category] - ever_with[pair],
                items=items,
                failed=n_failed,
                evidence=tuple(key for _, key in ordered[:EVIDENCE_LIMIT]),
            )
        )
    return tuple(found)


def _at(at_key: tuple[datetime, str]) -> datetime:
    return at_key[0]


def _links(sql: HealthSql, t: Thresholds, as_of: date) -> dict[tuple[str, str], tuple[int, int]]:
    """Per (service, category) pair of the window: the links from its factors (of the
    postmortems begun in the window) to action items, and the failed ones (judged against
    the pair's last occurrence, taken by a window function)."""
    where, params = sql.selected()
    end = sql.at(sql.end)
    start = sql.at(sql.end - timedelta(days=t.window_days))
    j = "CROSS JOIN" if sql.sqlite else "JOIN"  # SQLite keeps this order with CROSS JOIN
    failed = (
        "CASE WHEN a.status = 'not_doing' THEN 1 "
        "WHEN a.completed_at IS NULL OR a.completed_at >= %s THEN "
        "(CASE WHEN a.due < %s THEN 1 ELSE 0 END) "
        "WHEN a.completed_at < fx.last THEN 1 ELSE 0 END"
    )
    statement = (
        f"WITH sel AS (SELECT k.postmortem_id AS pm FROM {sql.kept} k WHERE {where}), "
        # the postmortems begun in the window: their earliest incident, else their creation
        "recent AS (SELECT pm, begun FROM (SELECT sel.pm AS pm, COALESCE(("
        "SELECT MIN(s.first_milestone) FROM postmortems_postmortem_incidents l "
        "JOIN insights_incidentstart s ON s.incident_id = l.incident_id "
        "WHERE l.postmortem_id = sel.pm AND s.first_milestone < %s), k.created_at) AS begun "
        f"FROM sel JOIN {sql.kept} k ON k.postmortem_id = sel.pm) b WHERE begun >= %s), "
        "svc AS (SELECT DISTINCT l.postmortem_id AS pm, s.slug AS service "
        "FROM postmortems_postmortem_incidents l "
        "JOIN incidents_incident_services i ON i.incident_id = l.incident_id "
        "JOIN incidents_service s ON s.id = i.service_id "
        "WHERE l.postmortem_id IN (SELECT pm FROM recent)), "
        # every factor of the window on each service, with its pair's last occurrence
        "fx AS (SELECT svc.service AS service, c.code AS category, f.id AS factor, "
        "MAX(recent.begun) OVER (PARTITION BY svc.service, c.code) AS last "
        f"FROM recent {j} postmortems_contributingfactor f ON f.postmortem_id = recent.pm "
        f"{j} postmortems_factorcategory c ON c.id = f.category_id "
        f"{j} svc ON svc.pm = recent.pm) "
        f"SELECT fx.service, fx.category, COUNT(*), SUM({failed}) "
        f"FROM fx {j} actions_actionitem_factors x ON x.contributingfactor_id = fx.factor "
        f"{j} actions_actionitem a ON a.id = x.actionitem_id "
        "WHERE a.postmortem_id IN (SELECT pm FROM sel) GROUP BY fx.service, fx.category"
    )
    return {
        (service, category): (int(n), int(n_failed or 0))
        for service, category, n, n_failed in sql.rows(statement, [*params, end, start, end, as_of])
    }
