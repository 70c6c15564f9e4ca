"""Reading postmortems' facts (``secondstory.core.insights.health.facts``) from the database:
a handful of statements over any number of postmortems, sent as one JSON array. What is kept
of them, and when they are read again, is ``health_facts``'s.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

from secondstory.core.insights.health.classify import describes_a_person
from secondstory.core.insights.health.facts import (
    Item,
    Link,
    PostmortemFacts,
    horizon,
    instant,
    times,
)
from secondstory.insights.health_queries import KEPT, HealthSql, blame_statement

_NEVER = datetime.max.replace(tzinfo=UTC)  # later than every milestone
_about_a_person = lru_cache(maxsize=4096)(describes_a_person)


def read(
    sql: HealthSql, ids: Iterable[int], targets_people: Callable[[str], bool]
) -> tuple[dict[int, PostmortemFacts], set[int]]:
    """The facts of the postmortems ``ids`` (sent as one JSON array) as recorded now, and
    those of them whose factors and action items are linked to another postmortem's."""
    sent = json.dumps(sorted(set(ids)))
    of = listed(sql)
    parse = sql.parse
    names = _Names()

    def rows(statement: str) -> list[tuple[Any, ...]]:
        return sql.rows(statement.replace("{ids}", of), [sent] * statement.count("{ids}"))

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


def listed(sql: HealthSql) -> str:
    """A subquery of the ids sent as one JSON array (any number of them, one parameter)."""
    if sql.sqlite:
        return "SELECT CAST(value AS INTEGER) FROM json_each(%s)"
    return "SELECT jsonb_array_elements_text(%s::jsonb)::bigint"


def _instant(at: datetime | None) -> int | None:
    return None if at is None else instant(at)


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))
