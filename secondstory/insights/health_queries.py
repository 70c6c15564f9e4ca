"""The learning-health checks' queries: narrow SQL over both engines, reading the last year's
postmortems as they stood at the end of a date (see ``health_data`` for what "as of" means).

Each postmortem is selected in its kept row (``insights_keptpostmortem``); timestamps are
read back as numbers or text and parsed here, without the ORM's per-value converters.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from secondstory.core.insights.health import ItemRow, MonthRow
from secondstory.core.insights.health.facts import HISTORY_DAYS
from secondstory.insights import postmortem_triggers

MONTH_DAYS = 30
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
KEPT = postmortem_triggers.TABLE  # each postmortem's times and words, kept narrow


class HealthSql:
    """Raw SQL over both engines for the checks' rows: the selection of postmortems as a
    subquery, parameters adapted as the ORM adapts them, and timestamps read back as the
    ORM reads them (aware, UTC) without its per-value converters."""

    def __init__(self, end: datetime) -> None:
        self.sqlite = connection.vendor == "sqlite"
        self.end = end
        self.since = end - timedelta(days=HISTORY_DAYS)
        self.kept = KEPT

    def at(self, value: datetime) -> Any:
        return connection.ops.adapt_datetimefield_value(value)

    def ts(self, column: str) -> str:
        """A timestamp column as the engine returns it cheaply: text on SQLite, microseconds
        since the epoch on PostgreSQL (the driver's loader for timestamps, with the
        connection's time zone, is Python code: about 1 s per 180,000 values)."""
        if self.sqlite:
            return f"({column} || '')"
        return f"(EXTRACT(EPOCH FROM {column}) * 1000000)::bigint"

    def parse(self, value: Any) -> datetime | None:
        """A value of ``ts`` as the aware datetime (UTC) the ORM would give."""
        if value is None:
            return None
        if not self.sqlite:
            return EPOCH + timedelta(microseconds=value)
        try:  # stored in UTC without an offset (naming it costs less than ``replace``)
            return datetime.fromisoformat(value + "+00:00")
        except ValueError:  # not ISO, or with an offset: read it as the ORM would
            parsed = parse_datetime(value)
            assert parsed is not None, value
            return parsed if timezone.is_aware(parsed) else parsed.replace(tzinfo=UTC)

    def selected(self, alias: str = "k") -> tuple[str, list[Any]]:
        """The condition selecting the postmortems the checks read, in the kept postmortems
        (``postmortem_triggers``): those started in the last year before the end and older
        ones still unpublished then (game days' exercises left out)."""
        end = self.at(self.end)
        return (
            f"NOT {alias}.is_exercise AND {alias}.created_at < %s AND ({alias}.created_at >= %s"
            f" OR (({alias}.published_at IS NULL OR {alias}.published_at >= %s)"
            f" AND ({alias}.not_required_at IS NULL OR {alias}.not_required_at >= %s)))",
            [end, self.at(self.since), end, end],
        )

    def ids(self) -> tuple[str, list[Any]]:
        where, params = self.selected()
        return f"SELECT k.postmortem_id FROM {KEPT} k WHERE {where}", params

    def rows(self, sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()


RESOLVED_AT = "MAX(CASE WHEN mk.code = 'resolved' THEN m.at END)"


def postmortems(sql: HealthSql) -> list[tuple[Any, ...]]:
    """(id, key, created, published, not required, words, restricted, started, resolved) of
    every selected postmortem, newest first (the postmortems' own order)."""
    where, params = sql.selected()
    ids, id_params = sql.ids()
    times = {
        pm: (started, resolved if resolved is not None else last)
        for pm, started, resolved, last in sql.rows(
            f"SELECT l.postmortem_id, {sql.ts('MIN(m.at)')}, "
            f"{sql.ts(RESOLVED_AT)}, "
            f"{sql.ts('MAX(m.at)')} FROM postmortems_postmortem_incidents l "
            "JOIN incidents_milestone m ON m.incident_id = l.incident_id "
            "JOIN incidents_milestonekind mk ON mk.id = m.kind_id "
            f"WHERE m.at < %s AND l.postmortem_id IN ({ids}) GROUP BY l.postmortem_id",
            [sql.at(sql.end), *id_params],
        )
    }
    restricted = {
        pm
        for (pm,) in sql.rows(
            "SELECT DISTINCT r.postmortem_id FROM postmortems_postmortem_incidents r "
            "JOIN incidents_incident i ON i.id = r.incident_id "
            f"WHERE i.visibility = 'restricted' AND r.postmortem_id IN ({ids})",
            id_params,
        )
    }
    parse = sql.parse
    rows = []
    for pm, key, created, published, not_required, words in sql.rows(
        f"SELECT k.postmortem_id, k.key, {sql.ts('k.created_at')}, {sql.ts('k.published_at')}, "
        f"{sql.ts('k.not_required_at')}, k.words FROM {KEPT} k WHERE {where} "
        "ORDER BY k.created_at DESC, k.key",
        params,
    ):
        started, resolved = times.get(pm, (None, None))
        rows.append(
            (
                pm,
                key,
                parse(created),
                parse(published),
                parse(not_required),
                int(words or 0),
                pm in restricted,
                parse(started),
                parse(resolved),
            )
        )
    return rows


def links(sql: HealthSql) -> tuple[dict[int, set[str]], dict[int, set[str]]]:
    """The slugs of each selected postmortem's teams and services (its incidents')."""
    teams = _named(sql, "incidents_incident_teams", "team_id", "accounts_team")
    services = _named(sql, "incidents_incident_services", "service_id", "incidents_service")
    return teams, services


def _named(sql: HealthSql, through: str, column: str, table: str) -> dict[int, set[str]]:
    ids, params = sql.ids()
    named: dict[int, set[str]] = defaultdict(set)
    for pm, slug in sql.rows(
        "SELECT DISTINCT l.postmortem_id, n.slug FROM postmortems_postmortem_incidents l "
        f"JOIN {through} x ON x.incident_id = l.incident_id "
        f"JOIN {table} n ON n.id = x.{column} WHERE l.postmortem_id IN ({ids})",
        params,
    ):
        named[pm].add(slug)
    return named


def blame(sql: HealthSql) -> dict[int, int]:
    """Blame findings per postmortem of the last year, from the reviewer's cache."""
    ids, params = sql.ids()
    return dict(
        sql.rows(
            blame_statement(sql, f"{ids} AND k.created_at >= %s"), [*params, sql.at(sql.since)]
        )
    )


def blame_statement(sql: HealthSql, ids: str) -> str:
    """The statement counting the blame findings of each postmortem of ``ids`` (a subquery)
    in the reviewer's stored review."""
    if sql.sqlite:
        elements = "json_each(c.findings) f"
        blame = "json_extract(f.value, '$.severity') = 'blame'"
    else:
        elements = "jsonb_array_elements(c.findings) f"
        blame = "f ->> 'severity' = 'blame'"
    return (
        f"SELECT c.postmortem_id, COUNT(*) FROM postmortems_reviewcache c, {elements} "
        f"WHERE c.postmortem_id IN ({ids}) AND {blame} GROUP BY c.postmortem_id"
    )


def months(sql: HealthSql, months: int) -> list[MonthRow]:
    """Incidents begun, items closed and items open per 30-day month, counted by the database
    (one row each, one column per month)."""
    end = sql.end
    first = end - timedelta(days=MONTH_DAYS * months)
    bounds = [first + timedelta(days=MONTH_DAYS * i) for i in range(months + 1)]
    at = [sql.at(bound) for bound in bounds]
    # The earliest milestone of every incident is kept beside it (``IncidentStart``: its
    # start, through the index on ``began``, is that milestone when it has one); incidents
    # without milestones are not counted. Exercises are left out through their own index.
    columns, params = _per_span("s.began", at)
    (incidents,) = sql.rows(
        f"SELECT {columns} FROM insights_incidentstart s "
        "WHERE s.began >= %s AND s.began < %s AND s.first_milestone IS NOT NULL "
        "AND s.incident_id NOT IN (SELECT i.id FROM incidents_incident i WHERE i.is_exercise)",
        [*params, at[0], at[-1]],
    )
    # A game day's items are neither an incident's follow-up nor its backlog (docs/game-days.md).
    columns, params = _per_span("a.completed_at", at)
    (closed,) = sql.rows(
        f"SELECT {columns} FROM actions_actionitem a "
        "WHERE a.completed_at >= %s AND a.completed_at < %s "
        f"AND a.postmortem_id NOT IN (SELECT k.postmortem_id FROM {KEPT} k WHERE k.is_exercise)",
        [*params, at[0], at[-1]],
    )
    backlog = _backlog(sql, at[1:])
    return [
        MonthRow(
            start=bounds[i].date(),
            end=bounds[i + 1].date(),
            incidents=int(incidents[i] or 0),
            closed=int(closed[i] or 0),
            backlog=backlog[i],
        )
        for i in range(months)
    ]


def _per_span(column: str, bounds: list[Any]) -> tuple[str, list[Any]]:
    """One column per span between consecutive ``bounds``: the rows whose ``column`` lies in
    it (the columns, and their parameters)."""
    spans = len(bounds) - 1
    sums = [f"SUM(CASE WHEN {column} >= %s AND {column} < %s THEN 1 ELSE 0 END)"]
    return ", ".join(sums * spans), [b for i in range(spans) for b in (bounds[i], bounds[i + 1])]


def _backlog(sql: HealthSql, bounds: list[Any]) -> list[int]:
    """The open action items at each of ``bounds`` (ascending): of an incident's postmortem
    (not a game day's) created before the bound, not "not doing", and not completed before it.

    Counted as every such item whatever its postmortem, from the index on completion
    (``action_completed_status``) alone, less the items of game days' postmortems and of
    postmortems created at or after the bound: joining each of the history's open items to
    its postmortem cost most of the checks' queries.
    """
    first = bounds[0]
    months = len(bounds)
    # Never completed: open at every bound. Completed at or after a bound: those completed in
    # each span between bounds, summed from the last (two statements: an OR of the two
    # ranges reads the index no faster than the table).
    ((never,),) = sql.rows(
        "SELECT COUNT(*) FROM actions_actionitem a "
        "WHERE a.completed_at IS NULL AND a.status <> 'not_doing'",
        [],
    )
    spans, params = _per_span("a.completed_at", bounds)
    (row,) = sql.rows(
        f"SELECT SUM(CASE WHEN a.completed_at >= %s THEN 1 ELSE 0 END), {spans} "
        "FROM actions_actionitem a WHERE a.completed_at >= %s AND a.status <> 'not_doing'",
        [bounds[-1], *params, first],
    )
    after_last, *between = (int(value or 0) for value in row)
    counts = [never + after_last + sum(between[i:]) for i in range(months)]
    # Less the items of game days' postmortems, and of those created at or after a bound
    # (few: the months counted, and the postmortems after the date asked).
    later = ", ".join(
        [
            "SUM(CASE WHEN (k.is_exercise OR k.created_at >= %s) AND "
            "(a.completed_at IS NULL OR a.completed_at >= %s) THEN 1 ELSE 0 END)"
        ]
        * months
    )
    (row,) = sql.rows(
        # from the postmortems, each found through an index, to their items (CROSS JOIN:
        # SQLite keeps that order)
        f"SELECT {later} FROM (SELECT e.postmortem_id, e.created_at, e.is_exercise FROM {KEPT} e "
        "WHERE e.is_exercise UNION ALL SELECT n.postmortem_id, n.created_at, n.is_exercise "
        f"FROM {KEPT} n WHERE n.created_at >= %s AND NOT n.is_exercise) k "
        "CROSS JOIN actions_actionitem a WHERE a.postmortem_id = k.postmortem_id "
        "AND a.status <> 'not_doing' AND (a.completed_at IS NULL OR a.completed_at >= %s)",
        [*(b for bound in bounds for b in (bound, bound)), first, first],
    )
    return [count - int(value or 0) for count, value in zip(counts, row, strict=True)]


def items(
    sql: HealthSql,
    keys: dict[int, str],
    teams_of: dict[int, tuple[str, ...]],
    created_of: dict[int, datetime],
) -> list[ItemRow]:
    ids, params = sql.ids()
    addressed: dict[int, list[int]] = defaultdict(list)
    for item, factor in sql.rows(
        "SELECT l.actionitem_id, l.contributingfactor_id FROM actions_actionitem_factors l "
        "JOIN actions_actionitem a ON a.id = l.actionitem_id "
        f"WHERE a.postmortem_id IN ({ids}) ORDER BY l.id",
        params,
    ):
        addressed[item].append(factor)
    factors_of = {item: tuple(factors) for item, factors in addressed.items()}
    of_postmortem = {pm: (key, teams_of[pm], created_of[pm]) for pm, key in keys.items()}
    end = sql.end
    parse = sql.parse
    items = []
    for iid, pm, priority, due, status, completed_at, title in sql.rows(
        f"SELECT a.id, a.postmortem_id, a.priority, a.due, a.status, {sql.ts('a.completed_at')}, "
        f"a.title FROM actions_actionitem a JOIN {KEPT} k ON k.postmortem_id = a.postmortem_id "
        f"WHERE a.postmortem_id IN ({ids}) "
        # the postmortems' order (``_postmortems``), each one's items in theirs
        "ORDER BY k.created_at DESC, k.key, a.position, a.id",
        params,
    ):
        done = None
        if completed_at is not None:
            completed = parse(completed_at)
            if completed is not None and completed < end:
                done = completed
        if status == "done" and done is None:
            status = "open"  # done only after the date
        key, teams, created = of_postmortem[pm]
        # id, postmortem, teams, priority, due, status, created, completed, title, factors
        items.append(
            ItemRow(
                iid,
                key,
                teams,
                priority,
                due,
                status,
                created,
                done,
                title,
                factors_of.get(iid, ()),
            )
        )
    return items
