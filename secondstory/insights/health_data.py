"""The learning-health diagnostic's data: narrow SQL aggregates into the plain rows of
``secondstory.core.insights.health`` as the organisation stood on a date.

"As of" uses the timestamps the records carry (see docs/insights.md):

- an incident happened when its first milestone did, and was resolved at its
  ``resolved`` milestone (or its last milestone); milestones after the date are ignored;
- a postmortem exists from ``created_at``, is published from ``published_at`` and
  not required from ``not_required_at``;
- an action item exists from its postmortem's ``created_at`` (its own creation time is
  when it was loaded, not when it was written) and is done from ``completed_at``;
  "not doing" has no timestamp, so an item not being done counts as such all along;
- texts, factors and blame findings are the current ones.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from secondstory.accounts.models import Team
from secondstory.core.insights.health import (
    CheckResult,
    FactorRow,
    HealthData,
    ItemRow,
    MonthRow,
    PostmortemRow,
    Thresholds,
    evaluate,
)
from secondstory.core.insights.health.classify import describes_a_person
from secondstory.core.insights.health.common import cyclic_gc_paused, end_of
from secondstory.core.insights.health.sums import ItemSums, PairSums
from secondstory.incidents.models import Service
from secondstory.insights import freshness, health_sums, postmortem_triggers
from secondstory.learningcheck.figures import health_rows
from secondstory.postmortems.models import Postmortem

HISTORY_DAYS = 366  # the longest window a check reads: four quarters for blame-drift
MONTH_DAYS = 30
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
KEPT = postmortem_triggers.TABLE  # each postmortem's times and words, kept narrow
REVIEW_BATCH = 500  # never-reviewed postmortems read at once (their texts are long)


def thresholds() -> Thresholds:
    """The organisation's thresholds: the defaults overridden by ``SECONDSTORY_HEALTH``."""
    return Thresholds.from_mapping(dict(getattr(settings, "SECONDSTORY_HEALTH", {})))


def person_predicate() -> Callable[[str], bool]:
    """The reviewer's person-targeted rule (the same judgement the action-item form shows)."""
    from secondstory.core.review.person_targeted import targets_people

    return lru_cache(maxsize=4096)(targets_people)  # titles repeat across items


def team_services(team: str) -> set[str]:
    """The services the team owns or has had incidents on."""
    owned = Q(team__slug=team) | Q(incidents__teams__slug=team)
    return set(Service.objects.filter(owned).values_list("slug", flat=True).distinct())


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


def _postmortems(sql: HealthSql) -> list[tuple[Any, ...]]:
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


def _links(sql: HealthSql) -> tuple[dict[int, set[str]], dict[int, set[str]]]:
    ids, params = sql.ids()
    teams: dict[int, set[str]] = defaultdict(set)
    services: dict[int, set[str]] = defaultdict(set)
    for pm, team in sql.rows(
        "SELECT DISTINCT l.postmortem_id, t.slug FROM postmortems_postmortem_incidents l "
        "JOIN incidents_incident_teams it ON it.incident_id = l.incident_id "
        f"JOIN accounts_team t ON t.id = it.team_id WHERE l.postmortem_id IN ({ids})",
        params,
    ):
        teams[pm].add(team)
    for pm, service in sql.rows(
        "SELECT DISTINCT l.postmortem_id, s.slug FROM postmortems_postmortem_incidents l "
        "JOIN incidents_incident_services i ON i.incident_id = l.incident_id "
        f"JOIN incidents_service s ON s.id = i.service_id WHERE l.postmortem_id IN ({ids})",
        params,
    ):
        services[pm].add(service)
    return teams, services


def _review_unseen(sql: HealthSql) -> None:
    """Review the selected postmortems of the last year the reviewer has never seen."""
    from secondstory.postmortems.blameless import postmortem_findings

    ids, params = sql.ids()
    unseen = sql.rows(
        f"{ids} AND k.created_at >= %s AND NOT EXISTS "
        "(SELECT 1 FROM postmortems_reviewcache c WHERE c.postmortem_id = k.postmortem_id)",
        [*params, sql.at(sql.since)],
    )
    for postmortem in Postmortem.objects.filter(pk__in=[pm for (pm,) in unseen]):
        postmortem_findings(postmortem)


def _blame(sql: HealthSql) -> dict[int, int]:
    """Blame findings per postmortem of the last year, from the reviewer's cache."""
    ids, params = sql.ids()
    if sql.sqlite:
        elements = "json_each(c.findings) f"
        blame = "json_extract(f.value, '$.severity') = 'blame'"
    else:
        elements = "jsonb_array_elements(c.findings) f"
        blame = "f ->> 'severity' = 'blame'"
    return dict(
        sql.rows(
            f"SELECT c.postmortem_id, COUNT(*) FROM postmortems_reviewcache c, {elements} "
            f"WHERE c.postmortem_id IN ({ids} AND k.created_at >= %s) AND {blame} "
            "GROUP BY c.postmortem_id",
            [*params, sql.at(sql.since)],
        )
    )


def _months(sql: HealthSql, months: int) -> list[MonthRow]:
    """Incidents begun, items closed and items open per 30-day month, counted by the database
    (one row each, one column per month)."""
    end = sql.end
    first = end - timedelta(days=MONTH_DAYS * months)
    bounds = [first + timedelta(days=MONTH_DAYS * i) for i in range(months + 1)]
    at = [sql.at(bound) for bound in bounds]

    def per_month(column: str) -> tuple[str, list[Any]]:
        sums = [f"SUM(CASE WHEN {column} >= %s AND {column} < %s THEN 1 ELSE 0 END)"]
        return ", ".join(sums * months), [a for i in range(months) for a in (at[i], at[i + 1])]

    # The earliest milestone of every incident is kept beside it (``IncidentStart``);
    # incidents without milestones are not counted.
    columns, params = per_month("s.first_milestone")
    (incidents,) = sql.rows(
        f"SELECT {columns} FROM insights_incidentstart s "
        "JOIN incidents_incident i ON i.id = s.incident_id "
        "WHERE s.first_milestone >= %s AND s.first_milestone < %s AND NOT i.is_exercise",
        [*params, at[0], at[-1]],
    )
    # A game day's items are neither an incident's follow-up nor its backlog (docs/game-days.md).
    columns, params = per_month("a.completed_at")
    (closed,) = sql.rows(
        f"SELECT {columns} FROM actions_actionitem a "
        f"JOIN {KEPT} k ON k.postmortem_id = a.postmortem_id "
        "WHERE a.completed_at >= %s AND a.completed_at < %s AND NOT k.is_exercise",
        [*params, at[0], at[-1]],
    )
    open_at = ", ".join(
        [
            "SUM(CASE WHEN k.created_at < %s AND (a.completed_at IS NULL OR a.completed_at >= %s)"
            " THEN 1 ELSE 0 END)"
        ]
        * months
    )
    (backlog,) = sql.rows(
        f"SELECT {open_at} FROM actions_actionitem a "
        f"JOIN {KEPT} k ON k.postmortem_id = a.postmortem_id "
        "WHERE a.status <> 'not_doing' AND NOT k.is_exercise AND k.created_at < %s"
        # an item done before the first month's end is open at no month's end
        " AND (a.completed_at IS NULL OR a.completed_at >= %s)",
        [*(a for bound in at[1:] for a in (bound, bound)), at[-1], at[1]],
    )
    return [
        MonthRow(
            start=bounds[i].date(),
            end=bounds[i + 1].date(),
            incidents=int(incidents[i] or 0),
            closed=int(closed[i] or 0),
            backlog=int(backlog[i] or 0),
        )
        for i in range(months)
    ]


def checks(
    as_of: date, team: str | None = None, *, known: Thresholds | None = None
) -> list[CheckResult]:
    """Every check's result as the organisation stood at the end of ``as_of`` (only the
    team's, with ``team``), computed once per state of the data and reused until it changes.

    The results name every postmortem of their evidence; the page and the digest show a
    reader only those they may read.
    """
    t = known or thresholds()
    zone = timezone.get_current_timezone_name()
    version = _reviewed(as_of, zone)  # before computing: these writes are not a change

    def compute() -> list[CheckResult]:
        data = build(as_of, team, known=t)
        services = team_services(team) if team is not None else None
        return evaluate(data, t, targets_people=person_predicate(), services=services)

    return freshness.cached("health", (as_of, team, repr(t), zone), compute, version)


def _reviewed(as_of: date, zone: str) -> str:
    """Review the postmortems never reviewed (``review_unreviewed``) at most once per state of
    the data, and return the data-change token after it: looking for them costs a query over
    the last year's postmortems, which an unchanged state need not run again. Storing findings
    changes the token, so the state after a review is looked at once more."""
    version = freshness.data_version()
    while freshness.cached(
        "health-reviewed", (as_of, zone), lambda: review_unreviewed(as_of), version
    ):
        newer = freshness.data_version()
        if newer == version:  # nothing stored: looking again would find the same
            break
        version = newer
    return version


def review_unreviewed(as_of: date) -> int:
    """Review once the postmortems of the last year before ``as_of`` that the blameless
    reviewer has never seen (an imported history), storing their findings; how many."""
    from secondstory.postmortems.blameless import postmortem_findings

    end = end_of(as_of)
    sql = HealthSql(end)
    unseen = [
        pm
        for (pm,) in sql.rows(
            f"SELECT k.postmortem_id FROM {KEPT} k WHERE k.created_at >= %s "
            "AND k.created_at < %s AND NOT EXISTS (SELECT 1 FROM postmortems_reviewcache c "
            "WHERE c.postmortem_id = k.postmortem_id) ORDER BY k.created_at DESC",
            [sql.at(sql.since), sql.at(end)],
        )
    ]
    for start in range(0, len(unseen), REVIEW_BATCH):
        for postmortem in Postmortem.objects.filter(pk__in=unseen[start : start + REVIEW_BATCH]):
            postmortem_findings(postmortem)
    return len(unseen)


def build(as_of: date, team: str | None = None, *, known: Thresholds | None = None) -> HealthData:
    """What every check reads as the organisation stood at the end of ``as_of``: a row per
    postmortem, the action items and factors counted by the database (``health_sums``)."""
    _review_unseen(HealthSql(end_of(as_of)))  # usually none (``checks`` reviewed them first)
    with cyclic_gc_paused():
        return _build(as_of, team, known=known, summed=True)


def rows(as_of: date, team: str | None = None, *, known: Thresholds | None = None) -> HealthData:
    """The same as ``build`` with every action item and factor as a row, from which the checks
    count them themselves (``secondstory.core.insights.health.sums``): what the tests compare
    the database's counts with."""
    _review_unseen(HealthSql(end_of(as_of)))
    with cyclic_gc_paused():
        return _build(as_of, team, known=known, summed=False)


def _build(as_of: date, team: str | None, *, known: Thresholds | None, summed: bool) -> HealthData:
    t = known or thresholds()
    end = end_of(as_of)
    sql = HealthSql(end)
    all_teams = list(Team.objects.order_by("slug").values_list("slug", flat=True))
    teams = [team] if team is not None else all_teams
    pms = _postmortems(sql)
    team_links, service_links = _links(sql)
    blame = _blame(sql)
    keys = {row[0]: str(row[1]) for row in pms}
    begun = {row[0]: row[7] or row[2] for row in pms}  # started, else created
    ids, params = sql.ids()
    factor_count: dict[int, int] = defaultdict(int)
    person_count: dict[int, int] = defaultdict(int)
    services_of = {pm: _ordered(service_links[pm]) for pm in keys}
    teams_of = {pm: _ordered(team_links[pm]) for pm in keys}
    factors = []
    categories: dict[int, set[str]] = defaultdict(set)
    if summed:
        for pm, category, description in sql.rows(
            "SELECT f.postmortem_id, c.code, f.description FROM postmortems_contributingfactor f "
            "JOIN postmortems_factorcategory c ON c.id = f.category_id "
            f"WHERE f.postmortem_id IN ({ids})",
            params,
        ):
            factor_count[pm] += 1
            person_count[pm] += _about_a_person(description)
            categories[pm].add(category)
    else:
        for fid, pm, category, description in sql.rows(
            "SELECT f.id, f.postmortem_id, c.code, f.description "
            "FROM postmortems_contributingfactor f "
            "JOIN postmortems_factorcategory c ON c.id = f.category_id "
            f"WHERE f.postmortem_id IN ({ids}) ORDER BY f.position, f.id",
            params,
        ):
            factor_count[pm] += 1
            person_count[pm] += _about_a_person(description)
            factors.append(FactorRow(fid, keys[pm], category, services_of[pm], begun[pm]))
    postmortems = [
        PostmortemRow(
            key=keys[pm],
            teams=teams_of[pm],
            services=services_of[pm],
            created=created,
            started=started,
            resolved=resolved,
            published=_before(published, end),
            not_required=_before(not_required, end),
            restricted=restricted,
            words=words,
            blame_findings=blame.get(pm, 0),
            factors=factor_count[pm],
            person_factors=person_count[pm],
        )
        for pm, _key, created, published, not_required, words, restricted, started, resolved in pms
    ]
    created_of = {row[0]: row[2] for row in pms}
    items: list[ItemRow] = []
    item_sums: tuple[ItemSums, ...] | None = None
    pairs: tuple[PairSums, ...] | None = None
    if summed:
        order = [(row[0], keys[row[0]], teams_of[row[0]], row[2]) for row in pms]
        item_sums = health_sums.item_sums(sql, t, as_of, order, person_predicate())
        of_pairs = [(row[0], keys[row[0]], begun[row[0]], services_of[row[0]]) for row in pms]
        pairs = health_sums.pairs(sql, t, as_of, of_pairs, categories)
    else:
        items = _items(sql, keys, teams_of, created_of)
    recent = sorted(postmortems, key=lambda pm: pm.started or pm.created, reverse=True)
    last_month = [
        pm.key for pm in recent if (pm.started or pm.created) >= end - timedelta(days=MONTH_DAYS)
    ]
    return HealthData(
        as_of=as_of,
        teams=tuple(teams),
        postmortems=tuple(postmortems),
        factors=tuple(factors),
        items=tuple(items),
        months=tuple(_months(sql, t.backlog_months + 1)),
        recent_keys=tuple(last_month or [pm.key for pm in recent[:10]]),
        surveys=tuple(health_rows(end - timedelta(days=t.window_days), end)),
        item_sums=item_sums,
        pairs=pairs,
    )


_about_a_person = lru_cache(maxsize=4096)(describes_a_person)


def _ordered(names: set[str]) -> tuple[str, ...]:
    """In order (most postmortems have one team and one service: nothing to sort)."""
    return tuple(names) if len(names) < 2 else tuple(sorted(names))


def _before(at: datetime | None, end: datetime) -> datetime | None:
    return at if at is not None and at < end else None


def _items(
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
