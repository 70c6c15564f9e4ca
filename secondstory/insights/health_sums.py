"""The action items and contributing factors of the learning-health checks, counted by the
database: sums per postmortem and per (service, category) pair
(``secondstory.core.insights.health.sums``), never one row per item or factor.

The definitions are those of ``sums``, which computes the same from rows; the tests compare
the two on both engines (``tests/apps/insights/test_health_sums.py``).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from secondstory.core.insights.health import Thresholds
from secondstory.core.insights.health.sums import ItemSums, PairCounter, PairSums

if TYPE_CHECKING:
    from secondstory.insights.health_queries import HealthSql


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def item_sums(
    sql: HealthSql,
    t: Thresholds,
    as_of: date,
    postmortems: list[tuple[int, str, tuple[str, ...]]],
    targets_people: Callable[[str], bool],
) -> tuple[ItemSums, ...]:
    """The items of each postmortem (id, key, teams), counted in their order."""
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
    for pm, key, teams in postmortems:
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
    counter = PairCounter(sql.end - timedelta(days=t.window_days))
    in_window = {
        pm: services
        for pm, key, begun, services in postmortems
        if counter.add(key, begun, services, categories.get(pm, ()))
    }
    candidates = counter.candidates(t.recurring_min)
    linked = _links(sql, as_of, in_window, candidates) if candidates else {}
    return counter.sums(t.recurring_min, linked)


def _links(
    sql: HealthSql,
    as_of: date,
    services_of: dict[int, tuple[str, ...]],
    candidates: dict[tuple[str, str], datetime],
) -> dict[tuple[str, str], tuple[int, int]]:
    """Per candidate pair (with its last occurrence): the links from its factors to action
    items, and the failed ones. The database groups the links of the window's postmortems
    (``services_of``, their ids sent as one JSON array) per postmortem and category: those
    that failed whatever the pair (not doing, or open after the due date), those that did not
    (open, not yet due), and the done ones per completion time, compared here with each
    pair's last occurrence."""
    ids, params = sql.ids()
    window = json.dumps(sorted(services_of))
    if sql.sqlite:
        listed = "SELECT CAST(value AS INTEGER) FROM json_each(%s)"
    else:
        listed = "SELECT jsonb_array_elements_text(%s::jsonb)::bigint"
    end = sql.at(sql.end)
    done = "a.status <> 'not_doing' AND a.completed_at IS NOT NULL AND a.completed_at < %s"
    statement = (
        f"SELECT f.postmortem_id, c.code, CASE WHEN {done} THEN 'd' "
        "WHEN a.status = 'not_doing' OR a.due < %s THEN 'a' ELSE 'n' END AS kind, "
        f"CASE WHEN {done} THEN {sql.ts('a.completed_at')} END AS completed, COUNT(*) "
        "FROM postmortems_contributingfactor f "
        "JOIN postmortems_factorcategory c ON c.id = f.category_id "
        "JOIN actions_actionitem_factors x ON x.contributingfactor_id = f.id "
        "JOIN actions_actionitem a ON a.id = x.actionitem_id "
        f"WHERE f.postmortem_id IN ({listed}) AND a.postmortem_id IN ({ids}) "
        "GROUP BY f.postmortem_id, c.code, kind, completed"
    )
    linked: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    parse = sql.parse
    for pm, category, kind, completed, n in sql.rows(statement, [end, as_of, end, window, *params]):
        at = parse(completed) if kind == "d" else None
        for service in services_of[pm]:
            pair = (service, category)
            last = candidates.get(pair)
            if last is None:
                continue
            counts = linked[pair]
            counts[0] += n
            if kind == "a" or (at is not None and at < last):
                counts[1] += n
    return {pair: (n, n_failed) for pair, (n, n_failed) in linked.items()}
