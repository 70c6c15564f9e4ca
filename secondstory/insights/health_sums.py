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
    from secondstory.insights.health_data import HealthSql


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


def pairs(sql: HealthSql, t: Thresholds, as_of: date) -> tuple[PairSums, ...]:
    """The (service, category) pairs ``recurring-factor`` judges, counted in one statement:
    per pair, per service and per category, the evidence of every pair in the window, and
    the links of the candidate pairs' factors to action items."""
    where, params = sql.selected()
    end = sql.at(sql.end)
    start = sql.at(sql.end - timedelta(days=t.window_days))
    key_order = "sel.key" if sql.sqlite else 'sel.key COLLATE "C"'
    on = "JOIN svc ON svc.pm = sel.pm JOIN cat ON cat.pm = sel.pm"
    failed = (
        "CASE WHEN a.status = 'not_doing' THEN 1 "
        "WHEN a.completed_at IS NULL OR a.completed_at >= %s THEN "
        "(CASE WHEN a.due < %s THEN 1 ELSE 0 END) "
        "WHEN a.completed_at < p.last THEN 1 ELSE 0 END"
    )
    statement = (
        "WITH sel AS (SELECT k.postmortem_id AS pm, k.key AS key, COALESCE(("
        "SELECT MIN(s.first_milestone) FROM postmortems_postmortem_incidents l "
        "JOIN insights_incidentstart s ON s.incident_id = l.incident_id "
        "WHERE l.postmortem_id = k.postmortem_id AND s.first_milestone < %s), k.created_at) "
        f"AS begun FROM {sql.kept} k WHERE {where}), "
        "svc AS (SELECT DISTINCT l.postmortem_id AS pm, s.slug AS service "
        "FROM postmortems_postmortem_incidents l "
        "JOIN incidents_incident_services i ON i.incident_id = l.incident_id "
        "JOIN incidents_service s ON s.id = i.service_id "
        "WHERE l.postmortem_id IN (SELECT pm FROM sel)), "
        "cat AS (SELECT DISTINCT f.postmortem_id AS pm, c.code AS category "
        "FROM postmortems_contributingfactor f "
        "JOIN postmortems_factorcategory c ON c.id = f.category_id "
        "WHERE f.postmortem_id IN (SELECT pm FROM sel)), "
        f"pair AS (SELECT svc.service, cat.category, MAX(sel.begun) AS last FROM sel {on} "
        "WHERE sel.begun >= %s GROUP BY svc.service, cat.category HAVING COUNT(*) >= %s) "
        # per pair: postmortems with the category on the service, in the window, the last
        "SELECT 'p', svc.service, cat.category, COUNT(*), "
        "SUM(CASE WHEN sel.begun >= %s THEN 1 ELSE 0 END), NULL "
        f"FROM sel {on} GROUP BY svc.service, cat.category "
        # per service: postmortems on it, in the window
        "UNION ALL SELECT 's', svc.service, NULL, COUNT(*), "
        "SUM(CASE WHEN sel.begun >= %s THEN 1 ELSE 0 END), NULL "
        "FROM sel JOIN svc ON svc.pm = sel.pm GROUP BY svc.service "
        # per category: postmortems with it
        "UNION ALL SELECT 'c', NULL, cat.category, COUNT(*), NULL, NULL FROM cat "
        "GROUP BY cat.category "
        "UNION ALL SELECT 'e', NULL, NULL, COUNT(*), NULL, NULL FROM sel "
        # the candidate pairs' links from factors to items, and the failed ones
        f"UNION ALL SELECT 'i', p.service, p.category, COUNT(*), SUM({failed}), NULL "
        "FROM sel JOIN svc ON svc.pm = sel.pm "
        "JOIN postmortems_contributingfactor f ON f.postmortem_id = sel.pm "
        "JOIN postmortems_factorcategory c ON c.id = f.category_id "
        "JOIN pair p ON p.service = svc.service AND p.category = c.code "
        "JOIN actions_actionitem_factors l ON l.contributingfactor_id = f.id "
        "JOIN actions_actionitem a ON a.id = l.actionitem_id "
        "WHERE sel.begun >= %s AND a.postmortem_id IN (SELECT pm FROM sel) "
        "GROUP BY p.service, p.category "
        # the candidate pairs' newest postmortems
        "UNION ALL SELECT 'v', x.service, x.category, x.rn, NULL, x.key FROM ("
        "SELECT svc.service, cat.category, sel.key, ROW_NUMBER() OVER (PARTITION BY "
        f"svc.service, cat.category ORDER BY sel.begun DESC, {key_order}) AS rn FROM sel {on} "
        "JOIN pair p ON p.service = svc.service AND p.category = cat.category "
        f"WHERE sel.begun >= %s) x WHERE x.rn <= {EVIDENCE_LIMIT}"
    )
    rows = sql.rows(
        statement,
        [end, *params, start, t.recurring_min, start, start, end, as_of, start, start],
    )
    everyone = 0
    ever_with: dict[tuple[str, str], int] = {}
    recent: dict[tuple[str, str], int] = {}
    on_service: dict[str, tuple[int, int]] = {}
    with_category: dict[str, int] = {}
    linked: dict[tuple[str, str], tuple[int, int]] = {}
    evidence: dict[tuple[str, str], list[tuple[int, str]]] = defaultdict(list)
    for tag, service, category, first, second, key in rows:
        if tag == "p":
            ever_with[(service, category)] = int(first)
            recent[(service, category)] = int(second or 0)
        elif tag == "s":
            on_service[service] = (int(first), int(second or 0))
        elif tag == "c":
            with_category[category] = int(first)
        elif tag == "e":
            everyone = int(first)
        elif tag == "i":
            linked[(service, category)] = (int(first), int(second or 0))
        else:
            evidence[(service, category)].append((int(first), key))
    found = []
    for pair, k in sorted(recent.items()):
        if k < t.recurring_min:
            continue
        service, category = pair
        ever, n = on_service[service]
        items, n_failed = linked.get(pair, (0, 0))
        found.append(
            PairSums(
                service=service,
                category=category,
                k=k,
                n=n,
                others=everyone - ever,
                other_hits=with_category[category] - ever_with[pair],
                items=items,
                failed=n_failed,
                evidence=tuple(key for _, key in sorted(evidence[pair])),
            )
        )
    return tuple(found)
