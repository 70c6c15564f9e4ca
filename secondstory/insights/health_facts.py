"""The facts of the postmortems the learning-health checks read, kept per incident month.

A postmortem's facts (``secondstory.core.insights.health.facts``) hold for any date, so they
are read from the database once and kept in the insights cache, one block per UTC month:
the postmortems all of whose incidents began in that month. A block is kept under the
version of its month (``month_triggers``), which every write to one of its postmortems,
their incidents, milestones, teams, services, factors, action items, the links between them
and their stored findings moves, and under the version every month depends on (teams,
services, categories, milestone kinds renamed). Checks as of any date then read the blocks
of the months the year before it covers, and only the months written since are read again.

The postmortems of no single month are read on every call: those without incidents, those
whose incidents began in different months (a write to one incident moves only its own
month), older drafts from months no block is read for, and postmortems whose factors are
linked to another postmortem's items (a write to the item moves only its postmortem's
months). They are few.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any

from django.db import connection

from secondstory.core.insights.health.classify import describes_a_person
from secondstory.core.insights.health.facts import Item, Link, PostmortemFacts
from secondstory.insights import freshness, month_triggers
from secondstory.insights.health_queries import KEPT, HealthSql

#: Part of a block's cache key: change it when ``PostmortemFacts`` or what a block holds
#: changes, so that an upgrade never reads blocks kept by an earlier version.
FORMAT = 1
#: Blocks are read for the months from this many days before the checks' year to its end;
#: a postmortem of the year whose incidents began earlier is read on its own.
LEAD_DAYS = 31

_about_a_person = lru_cache(maxsize=4096)(describes_a_person)


def selected(sql: HealthSql, targets_people: Callable[[str], bool]) -> list[PostmortemFacts]:
    """The facts of the postmortems the checks read as of ``sql.end``, in the order of their
    rows (newest first, ties by key): from the kept blocks where they can be, the rest read
    now."""
    where, params = sql.selected()
    ids = [
        pm
        for (pm,) in sql.rows(
            f"SELECT k.postmortem_id FROM {KEPT} k WHERE {where} ORDER BY k.created_at DESC, k.key",
            params,
        )
    ]
    found: dict[int, PostmortemFacts] = {}
    for block in kept_blocks(sql, months(sql.since - timedelta(days=LEAD_DAYS), sql.end)):
        found.update(block)
    missing = [pm for pm in ids if pm not in found]
    if missing:
        found.update(read(sql, missing, targets_people)[0])
    return [found[pm] for pm in ids]


def months(start: datetime, end: datetime) -> list[str]:
    """The UTC months (``YYYY-MM``) from ``start``'s to ``end``'s, both included."""
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    found = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


def kept_blocks(sql: HealthSql, wanted: list[str]) -> list[dict[int, PostmortemFacts]]:
    """The blocks of the ``wanted`` months, those whose data changed read again (the versions
    are read once, before reading anything)."""
    versions = month_triggers.versions(connection, wanted)
    every = versions[month_triggers.EVERY_MONTH]
    return [
        freshness.cached(
            "health-facts",
            (FORMAT, month),
            lambda month=month: block(sql, month),  # type: ignore[misc]
            f"{month}={versions[month]};*={every}",
        )
        for month in wanted
    ]


def block(sql: HealthSql, month: str) -> dict[int, PostmortemFacts]:
    """The facts of the postmortems all of whose incidents began in ``month`` (UTC), but for
    those linked to another postmortem's items or factors."""
    year, number = (int(part) for part in month.split("-"))
    start = datetime(year, number, 1, tzinfo=UTC)
    following = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=UTC)
    bounds = [sql.at(start), sql.at(following)]
    ids = [
        pm
        for (pm,) in sql.rows(
            "SELECT l.postmortem_id FROM insights_postmortemincident l "
            "LEFT JOIN insights_incidentstart st ON st.incident_id = l.incident_id "
            "WHERE l.postmortem_id IN (SELECT o.postmortem_id FROM insights_postmortemincident o "
            "JOIN insights_incidentstart s ON s.incident_id = o.incident_id "
            "WHERE s.began >= %s AND s.began < %s) GROUP BY l.postmortem_id "
            "HAVING COUNT(st.incident_id) = COUNT(*) AND MIN(st.began) >= %s "
            "AND MAX(st.began) < %s",
            [*bounds, *bounds],
        )
    ]
    from secondstory.insights.health_data import person_predicate

    facts, crossed = read(sql, ids, person_predicate())
    return {pm: f for pm, f in facts.items() if pm not in crossed}


def read(
    sql: HealthSql, ids: Iterable[int], targets_people: Callable[[str], bool]
) -> tuple[dict[int, PostmortemFacts], set[int]]:
    """The facts of the postmortems ``ids`` (sent as one JSON array) as recorded now, and
    those of them whose factors and action items are linked to another postmortem's."""
    listed = json.dumps(sorted(set(ids)))
    if sql.sqlite:
        of = "SELECT CAST(value AS INTEGER) FROM json_each(%s)"
    else:
        of = "SELECT jsonb_array_elements_text(%s::jsonb)::bigint"
    parse = sql.parse
    names = _Names()

    def rows(statement: str) -> list[tuple[Any, ...]]:
        return sql.rows(statement.replace("{ids}", of), [listed] * statement.count("{ids}"))

    milestones: dict[int, list[tuple[datetime, bool]]] = defaultdict(list)
    for pm, at, resolved in rows(
        f"SELECT l.postmortem_id, {sql.ts('m.at')}, CASE WHEN mk.code = 'resolved' "
        "THEN 1 ELSE 0 END FROM insights_postmortemincident l "
        "JOIN incidents_milestone m ON m.incident_id = l.incident_id "
        "JOIN incidents_milestonekind mk ON mk.id = m.kind_id WHERE l.postmortem_id IN ({ids})"
    ):
        moment = parse(at)
        assert moment is not None
        milestones[pm].append((moment, bool(resolved)))
    restricted = {
        pm
        for (pm,) in rows(
            "SELECT DISTINCT l.postmortem_id FROM insights_postmortemincident l "
            "JOIN incidents_incident i ON i.id = l.incident_id "
            "WHERE i.visibility = 'restricted' AND l.postmortem_id IN ({ids})"
        )
    }
    teams = _slugs(rows, "incidents_incident_teams", "team_id", "accounts_team")
    services = _slugs(rows, "incidents_incident_services", "service_id", "incidents_service")
    blame = dict(rows(_blame(sql)))
    factors: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    categories: dict[int, dict[str, None]] = defaultdict(dict)
    category_of: dict[int, str] = {}
    for fid, pm, category, description in rows(
        "SELECT f.id, f.postmortem_id, c.code, f.description FROM postmortems_contributingfactor f "
        "JOIN postmortems_factorcategory c ON c.id = f.category_id "
        "WHERE f.postmortem_id IN ({ids})"
    ):
        counts = factors[pm]
        counts[0] += 1
        counts[1] += _about_a_person(description)
        categories[pm][names(category)] = None
        category_of[fid] = names(category)
    items: dict[int, list[Item]] = defaultdict(list)
    for pm, priority, due, status, completed, title in rows(
        f"SELECT a.postmortem_id, a.priority, a.due, a.status, {sql.ts('a.completed_at')}, "
        "a.title FROM actions_actionitem a WHERE a.postmortem_id IN ({ids})"
    ):
        items[pm].append(
            (names(priority), _day(due), names(status), parse(completed), targets_people(title))
        )
    links: dict[int, list[Link]] = defaultdict(list)
    crossed: set[int] = set()
    for factor_pm, factor, item_pm, status, due, completed in rows(
        "SELECT f.postmortem_id, f.id, a.postmortem_id, a.status, a.due, "
        f"{sql.ts('a.completed_at')} FROM actions_actionitem_factors x "
        "JOIN postmortems_contributingfactor f ON f.id = x.contributingfactor_id "
        "JOIN actions_actionitem a ON a.id = x.actionitem_id "
        "WHERE f.postmortem_id IN ({ids}) OR a.postmortem_id IN ({ids})"
    ):
        category = category_of.get(factor)
        if category is not None:  # a factor of one of these postmortems
            link = (category, item_pm, names(status), _day(due), parse(completed))
            links[factor_pm].append(link)
        if factor_pm != item_pm:
            crossed.update((factor_pm, item_pm))
    found = {}
    for pm, key, created, published, not_required, words in rows(
        f"SELECT k.postmortem_id, k.key, {sql.ts('k.created_at')}, "
        f"{sql.ts('k.published_at')}, {sql.ts('k.not_required_at')}, k.words "
        f"FROM {KEPT} k WHERE k.postmortem_id IN ({{ids}})"
    ):
        made = parse(created)
        assert made is not None
        n_factors, n_person = factors.get(pm, (0, 0))
        found[pm] = PostmortemFacts(
            id=pm,
            key=key,
            created=made,
            published=parse(published),
            not_required=parse(not_required),
            words=int(words or 0),
            restricted=pm in restricted,
            teams=names.sorted(teams.get(pm, ())),
            services=names.sorted(services.get(pm, ())),
            blame=int(blame.get(pm, 0)),
            factors=n_factors,
            person_factors=n_person,
            categories=tuple(categories.get(pm, ())),
            milestones=tuple(sorted(milestones.get(pm, ()))),
            items=tuple(items.get(pm, ())),
            links=tuple(links.get(pm, ())),
        )
    return found, crossed


class _Names:
    """The same string object for each equal name (the cache then stores it once)."""

    def __init__(self) -> None:
        self.known: dict[str, str] = {}

    def __call__(self, name: str) -> str:
        return self.known.setdefault(name, name)

    def sorted(self, names: Iterable[str]) -> tuple[str, ...]:
        return tuple(self(name) for name in sorted(names))


def _slugs(
    rows: Callable[[str], list[tuple[Any, ...]]], through: str, column: str, table: str
) -> dict[int, set[str]]:
    named: dict[int, set[str]] = defaultdict(set)
    for pm, slug in rows(
        "SELECT DISTINCT l.postmortem_id, n.slug FROM insights_postmortemincident l "
        f"JOIN {through} x ON x.incident_id = l.incident_id "
        f"JOIN {table} n ON n.id = x.{column} WHERE l.postmortem_id IN ({{ids}})"
    ):
        named[pm].add(slug)
    return named


def _blame(sql: HealthSql) -> str:
    """Blame findings per postmortem, from the reviewer's stored review."""
    if sql.sqlite:
        elements = "json_each(c.findings) f"
        blame = "json_extract(f.value, '$.severity') = 'blame'"
    else:
        elements = "jsonb_array_elements(c.findings) f"
        blame = "f ->> 'severity' = 'blame'"
    return (
        f"SELECT c.postmortem_id, COUNT(*) FROM postmortems_reviewcache c, {elements} "
        f"WHERE c.postmortem_id IN ({{ids}}) AND {blame} GROUP BY c.postmortem_id"
    )


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))
