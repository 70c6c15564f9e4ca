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
from secondstory.core.insights.health.facts import (
    Item,
    Link,
    PostmortemFacts,
    horizon,
    instant,
    times,
)
from secondstory.insights import freshness, month_triggers
from secondstory.insights.duration_triggers import MONTH
from secondstory.insights.health_queries import KEPT, HealthSql, blame_statement

#: Part of a block's cache key: change it when ``PostmortemFacts`` or what a block holds
#: changes, so that an upgrade never reads blocks kept by an earlier version.
FORMAT = 5
#: Blocks are read for the months from this many days before the checks' year to its end;
#: a postmortem of the year whose incidents began earlier is kept with the older drafts.
LEAD_DAYS = 31

_NEVER = datetime.max.replace(tzinfo=UTC)  # later than every milestone
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
    wanted = months(sql.since - timedelta(days=LEAD_DAYS), sql.end)
    for block in kept_blocks(sql, wanted, targets_people):
        found.update(block)
    missing = [pm for pm in ids if pm not in found]
    if missing:
        found.update(older(sql, missing, targets_people))
    missing = [pm for pm in ids if pm not in found]
    if missing:
        found.update(read(sql, missing, targets_people)[0])
    return [found[pm] for pm in ids]


def older(
    sql: HealthSql, ids: list[int], targets_people: Callable[[str], bool]
) -> dict[int, PostmortemFacts]:
    """The facts of older postmortems (drafts still unpublished, mostly) that lie in a single
    month, kept per month under its version: each month keeps the postmortems asked for so
    far, and only those never asked for are read (a date asked for the first time shares
    nearly all its drafts with the dates asked before)."""
    month_of = _months_of(sql, ids)
    of_month: dict[str, list[int]] = defaultdict(list)
    for pm, month in month_of.items():
        of_month[month].append(pm)
    version = _versions(of_month)
    found: dict[int, PostmortemFacts] = {}
    held: dict[str, tuple[frozenset[int], dict[int, PostmortemFacts]]] = {}
    unread: dict[int, str] = {}
    for month, pms in of_month.items():
        # (the postmortems asked for, their facts: those linked across postmortems are read
        # on every call, so asked for but not kept)
        entry = freshness.kept("health-older", (FORMAT, month), version[month])
        asked, facts = entry if isinstance(entry, tuple) else (frozenset(), {})
        held[month] = (asked, facts)
        for pm in pms:
            if pm not in asked:
                unread[pm] = month
            elif pm in facts:
                found[pm] = facts[pm]
    if unread:
        months = sorted(set(unread.values()))
        for month, facts in _split(sql, months, unread, targets_people).items():
            asked, before = held[month]
            now_asked = asked | {pm for pm, m in unread.items() if m == month}
            freshness.keep(
                "health-older", (FORMAT, month), version[month], (now_asked, before | facts)
            )
            found.update(facts)
    return found


def months(start: datetime, end: datetime) -> list[str]:
    """The UTC months (``YYYY-MM``) from ``start``'s to ``end``'s, both included."""
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    found = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


def kept_blocks(
    sql: HealthSql, wanted: list[str], targets_people: Callable[[str], bool]
) -> list[dict[int, PostmortemFacts]]:
    """The blocks of the ``wanted`` months, those whose data changed read again, all at once
    (the versions are read once, before reading anything)."""
    version = _versions(wanted)
    kept = freshness.cached_many(
        "health-facts",
        {month: ((FORMAT, month), version[month]) for month in wanted},
        lambda months: blocks(sql, months, targets_people),
    )
    return [kept[month] for month in wanted]


def _versions(wanted: Iterable[str]) -> dict[str, str]:
    """What the facts of each month are kept under: its version and the one every month
    depends on (``month_triggers``), read at once."""
    wanted = list(wanted)
    versions = month_triggers.versions(connection, wanted)
    every = versions[month_triggers.EVERY_MONTH]
    return {month: f"{month}={versions[month]};*={every}" for month in wanted}


def blocks(
    sql: HealthSql, months: list[str], targets_people: Callable[[str], bool]
) -> dict[str, dict[int, PostmortemFacts]]:
    """For each of ``months`` (UTC), the facts of the postmortems all of whose incidents began
    in it."""
    began: set[int] = set()
    for month in months:
        year, number = (int(part) for part in month.split("-"))
        start = datetime(year, number, 1, tzinfo=UTC)
        following = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=UTC)
        began.update(
            pm
            for (pm,) in sql.rows(
                "SELECT DISTINCT o.postmortem_id FROM insights_incidentstart s "
                "JOIN postmortems_postmortem_incidents o ON o.incident_id = s.incident_id "
                "WHERE s.began >= %s AND s.began < %s",
                [sql.at(start), sql.at(following)],
            )
        )
    asked = set(months)
    of_asked = {pm: m for pm, m in _months_of(sql, began).items() if m in asked}
    return _split(sql, months, of_asked, targets_people)


def _months_of(sql: HealthSql, ids: Iterable[int]) -> dict[int, str]:
    """The UTC month in which all the incidents of each of ``ids`` began, for those whose
    incidents all began in one month."""
    month = MONTH[connection.vendor].format("st.began")
    return {
        pm: first
        for pm, first, last, starts, links in sql.rows(
            f"SELECT l.postmortem_id, MIN({month}), MAX({month}), COUNT(st.incident_id), "
            "COUNT(*) FROM insights_postmortemincident l "
            "LEFT JOIN insights_incidentstart st ON st.incident_id = l.incident_id "
            f"WHERE l.postmortem_id IN ({_listed(sql)}) GROUP BY l.postmortem_id",
            [json.dumps(sorted(ids))],
        )
        if first == last and starts == links
    }


def _split(
    sql: HealthSql,
    months: list[str],
    month_of: dict[int, str],
    targets_people: Callable[[str], bool],
) -> dict[str, dict[int, PostmortemFacts]]:
    """The facts of the postmortems ``month_of`` names, read at once and split by month, but
    for those linked to another postmortem's items or factors (a write to the other moves
    only its own months)."""
    facts, crossed = read(sql, month_of, targets_people)
    split: dict[str, dict[int, PostmortemFacts]] = {month: {} for month in months}
    for pm, f in facts.items():
        if pm not in crossed:
            split[month_of[pm]][pm] = f
    return split


def read(
    sql: HealthSql, ids: Iterable[int], targets_people: Callable[[str], bool]
) -> tuple[dict[int, PostmortemFacts], set[int]]:
    """The facts of the postmortems ``ids`` (sent as one JSON array) as recorded now, and
    those of them whose factors and action items are linked to another postmortem's."""
    listed = json.dumps(sorted(set(ids)))
    of = _listed(sql)
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
    blame = dict(rows(blame_statement(sql, "{ids}")))
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
            (
                names(priority),
                _day(due).toordinal(),
                names(status),
                _instant(parse(completed)),
                targets_people(title),
            )
        )
    links: dict[int, list[Link]] = defaultdict(list)
    for factor_pm, factor, item_pm, status, due, completed in rows(
        "SELECT f.postmortem_id, f.id, a.postmortem_id, a.status, a.due, "
        f"{sql.ts('a.completed_at')} FROM postmortems_contributingfactor f "
        "JOIN actions_actionitem_factors x ON x.contributingfactor_id = f.id "
        "JOIN actions_actionitem a ON a.id = x.actionitem_id WHERE f.postmortem_id IN ({ids})"
    ):
        link = (
            category_of[factor],
            item_pm,
            names(status),
            _day(due).toordinal(),
            _instant(parse(completed)),
        )
        links[factor_pm].append(link)
    # Linked across postmortems, either way: a write to one moves only its own months.
    crossed = {pm for pm, f_links in links.items() for link in f_links if link[1] != pm}
    crossed.update(
        pm
        for (pm,) in rows(
            "SELECT a.postmortem_id FROM actions_actionitem a "
            "JOIN actions_actionitem_factors x ON x.actionitem_id = a.id "
            "JOIN postmortems_contributingfactor f ON f.id = x.contributingfactor_id "
            "WHERE a.postmortem_id IN ({ids}) AND f.postmortem_id <> a.postmortem_id"
        )
    )
    found = {}
    for pm, key, created, published, not_required, words in rows(
        f"SELECT k.postmortem_id, k.key, {sql.ts('k.created_at')}, "
        f"{sql.ts('k.published_at')}, {sql.ts('k.not_required_at')}, k.words "
        f"FROM {KEPT} k WHERE k.postmortem_id IN ({{ids}})"
    ):
        made = parse(created)
        assert made is not None
        n_factors, n_person = factors.get(pm, (0, 0))
        last_due, urgent_until = horizon(items.get(pm, ()))
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
            milestones=tuple(sorted((instant(at), r) for at, r in milestones.get(pm, ()))),
            times=(
                *times(milestones.get(pm, ()), _NEVER),
                max(milestones.get(pm, ()), default=(None,))[0],
            ),
            items=tuple(items.get(pm, ())),
            links=tuple(links.get(pm, ())),
            last_due=last_due,
            urgent_until=urgent_until,
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


def _listed(sql: HealthSql) -> str:
    """A subquery of the ids sent as one JSON array (any number of them, one parameter)."""
    if sql.sqlite:
        return "SELECT CAST(value AS INTEGER) FROM json_each(%s)"
    return "SELECT jsonb_array_elements_text(%s::jsonb)::bigint"


def _instant(at: datetime | None) -> int | None:
    return None if at is None else instant(at)


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))
