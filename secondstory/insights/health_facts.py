"""The facts of the postmortems the learning-health checks read, kept per week.

A postmortem's facts (``secondstory.core.insights.health.facts``) hold for any date, so they
are read from the database once and kept in the insights cache, one block per week (seven
UTC days): the postmortems whose first incident began in it. A block is kept with its
*days* (the week's seven and every other day on which one of its postmortems' incidents
began) and their versions (``month_triggers``), which every write to one of its
postmortems, their incidents, milestones, teams, services, factors, action items, the links
between them and their stored findings moves, and the version every day depends on (teams,
services, categories, milestone kinds renamed). Checks as of any date then read the blocks
of the weeks the year before it covers, and only the blocks whose days were written since
are read again: a write reads again about a week of postmortems, not a month. For today's
date each week also keeps its postmortems applied to the date (``facts.part``), so that a
computation after a write applies only the week written to and adds up the rest
(``facts.combine``).

The postmortems of no block are read on every call: those without incidents, or with an
incident without a start, and postmortems whose factors are linked to another postmortem's
items (a write to the item moves only its postmortem's days). Older drafts (created in the
checks' year or selected as still unpublished, with their first incident before the weeks
read) are kept per UTC month, under the month's version. They are few.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import TypeVar

from django.db import connection
from django.utils import timezone

from secondstory.core.insights.health.config import Thresholds
from secondstory.core.insights.health.facts import Part, PostmortemFacts, Summary, combine, part
from secondstory.insights import freshness, month_triggers
from secondstory.insights.health_queries import KEPT, HealthSql
from secondstory.insights.health_reading import listed, read

#: Part of a block's cache key: change it when ``PostmortemFacts`` or what a block holds
#: changes, so that an upgrade never reads blocks kept by an earlier version.
FORMAT = 7
#: Blocks are read for the weeks from this many days before the checks' year to its end;
#: a postmortem of the year whose first incident began earlier is kept with the older drafts.
LEAD_DAYS = 31
#: A block's days: weeks count from day 1 of the proleptic Gregorian calendar.
WEEK = 7

K = TypeVar("K", bound=Hashable)


def summary(
    sql: HealthSql, as_of: date, t: Thresholds, targets_people: Callable[[str], bool]
) -> Summary:
    """The rows, item sums and pairs of the postmortems the checks read as of ``as_of``
    (``sql.end``), in the order of their rows (newest first, ties by key): each kept week's
    postmortems applied to the date once and kept (``facts.part``), the rest read and applied
    now."""
    where, params = sql.selected()
    ids = [
        pm
        for (pm,) in sql.rows(
            f"SELECT k.postmortem_id FROM {KEPT} k WHERE {where} ORDER BY k.created_at DESC, k.key",
            params,
        )
    ]
    # Every version at once, before reading anything: a write that lands while reading then
    # makes the next call read its blocks again.
    steps = month_triggers.tokens(connection, "", "~")
    wanted = weeks(sql.since - timedelta(days=LEAD_DAYS), sql.end)
    parts, covered = _week_parts(sql, wanted, set(ids), as_of, t, targets_people, steps)
    missing = [pm for pm in ids if pm not in covered]
    found: dict[int, PostmortemFacts] = {}
    if missing:
        found.update(older(sql, missing, targets_people, steps))
        unread = [pm for pm in missing if pm not in found]
        if unread:
            found.update(read(sql, unread, targets_people)[0])
    parts.append(part([found[pm] for pm in missing], as_of, t))
    return combine(parts, ids, as_of, t)


def _week_parts(
    sql: HealthSql,
    wanted: list[int],
    selected: set[int],
    as_of: date,
    t: Thresholds,
    targets_people: Callable[[str], bool],
    steps: dict[str, int],
) -> tuple[list[Part], set[int]]:
    """The parts of the ``wanted`` weeks' selected postmortems, and which postmortems they
    hold. A week is kept in three entries: its days, their versions and its postmortems (read
    first, small), its facts, and its parts, one per date; a part kept for the week's versions
    and selected postmortems is reused without reading the facts, and the weeks whose days
    were written to since are read again, all at once. The first entry is kept under the
    version every day depends on, which starts at random in each database: two databases
    sharing a cache never read each other's."""
    every = steps[month_triggers.EVERY_MONTH]

    def version(days: tuple[str, ...]) -> str:
        return f"{every}:" + ",".join(str(steps.get(day, 0)) for day in days)

    parts: list[Part] = []
    covered: set[int] = set()

    # Only today's parts are kept: the date the worker computes and every page shows first.
    keep_parts = as_of == _today()

    def add(week: int, kept_as: str, chosen: tuple[int, ...], load: Callable[[], object]) -> bool:
        """Add the part of the week's ``chosen`` postmortems, kept or made from the facts
        ``load`` gives (None when dropped from the cache); whether it could be."""
        where = ("health-part", (FORMAT, week, as_of, t.window_days), f"{kept_as}|{hash(chosen)}")
        made = freshness.kept(*where) if keep_parts else None
        if not isinstance(made, Part):
            facts = load()
            if not isinstance(facts, dict):
                return False
            made = part([facts[pm] for pm in chosen], as_of, t)
            if keep_parts:
                freshness.keep(*where, made)
        parts.append(made)
        covered.update(chosen)
        return True

    stale = []
    for week in wanted:
        meta = freshness.kept("health-week", (FORMAT, week), str(every))
        if not (isinstance(meta, tuple) and meta[1] == version(meta[0])):
            stale.append(week)
            continue
        kept_as, members = meta[1], meta[2]
        chosen = tuple(pm for pm in members if pm in selected)
        where = ("health-week-facts", (FORMAT, week), kept_as)
        if chosen and not add(week, kept_as, chosen, partial(freshness.kept, *where)):
            stale.append(week)  # its facts were dropped from the cache: read again
    if stale:
        for week, (days, facts) in blocks(sql, stale, targets_people).items():
            kept_as, members = version(days), tuple(facts)
            freshness.keep("health-week-facts", (FORMAT, week), kept_as, facts)
            freshness.keep("health-week", (FORMAT, week), str(every), (days, kept_as, members))
            chosen = tuple(pm for pm in members if pm in selected)
            if chosen:
                add(week, kept_as, chosen, lambda read=facts: read)
    return parts, covered


def older(
    sql: HealthSql,
    ids: list[int],
    targets_people: Callable[[str], bool],
    steps: dict[str, int],
) -> dict[int, PostmortemFacts]:
    """The facts of older postmortems (drafts still unpublished, mostly) that lie in a single
    month, kept per month under its version: each month keeps the postmortems asked for so
    far, and only those never asked for are read (a date asked for the first time shares
    nearly all its drafts with the dates asked before); ``steps``: the versions
    (``month_triggers.tokens``)."""
    month_of = _months_of(sql, ids)
    of_month: dict[str, list[int]] = defaultdict(list)
    for pm, month in month_of.items():
        of_month[month].append(pm)
    versions = month_triggers.by_month(steps, of_month)
    every = versions[month_triggers.EVERY_MONTH]
    version = {month: f"{month}={versions[month]};*={every}" for month in of_month}
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


def weeks(start: datetime, end: datetime) -> list[int]:
    """The weeks (numbers) from ``start``'s UTC day to ``end``'s, both included."""
    first, last = (_week(at.astimezone(UTC).date().toordinal()) for at in (start, end))
    return list(range(first, last + 1))


def _week(day: int) -> int:
    return (day - 1) // WEEK


def _days_of(week: int) -> list[str]:
    """The week's seven UTC days, as ``YYYY-MM-DD``."""
    return [date.fromordinal(week * WEEK + 1 + n).isoformat() for n in range(WEEK)]


def blocks(
    sql: HealthSql, weeks: list[int], targets_people: Callable[[str], bool]
) -> dict[int, tuple[tuple[str, ...], dict[int, PostmortemFacts]]]:
    """For each of ``weeks``, its days (its own seven and every day on which an incident of
    one of its postmortems began) and the facts of the postmortems whose first incident
    began in it."""
    began: set[int] = set()
    for first, last in _runs(weeks):
        start, end = (
            datetime.combine(date.fromordinal(week * WEEK + 1), datetime.min.time(), UTC)
            for week in (first, last + 1)
        )
        began.update(
            pm
            for (pm,) in sql.rows(
                "SELECT DISTINCT o.postmortem_id FROM insights_incidentstart s "
                "JOIN postmortems_postmortem_incidents o ON o.incident_id = s.incident_id "
                "WHERE s.began >= %s AND s.began < %s",
                [sql.at(start), sql.at(end)],
            )
        )
    asked = set(weeks)
    days = _days(sql, began)
    week_of = {
        pm: w
        for pm, d in days.items()
        if (w := _week(date.fromisoformat(d[0]).toordinal())) in asked
    }
    facts = _split(sql, weeks, week_of, targets_people)
    made = {}
    for week, of_week in facts.items():
        reach = set(_days_of(week))
        for pm in of_week:
            reach.update(days[pm])
        made[week] = (tuple(sorted(reach)), of_week)
    return made


def _today() -> date:
    return timezone.localdate()


def _runs(weeks: list[int]) -> list[tuple[int, int]]:
    """The runs of consecutive weeks, (first, last) each."""
    runs: list[tuple[int, int]] = []
    for week in sorted(weeks):
        if runs and runs[-1][1] == week - 1:
            runs[-1] = (runs[-1][0], week)
        else:
            runs.append((week, week))
    return runs


def _days(sql: HealthSql, ids: Iterable[int]) -> dict[int, tuple[str, ...]]:
    """The UTC days (``YYYY-MM-DD``, in order) on which the incidents of each of ``ids``
    began, for those all of whose incidents have a start."""
    day = month_triggers.DAY[connection.vendor].format("st.began")
    found: dict[int, set[str]] = defaultdict(set)
    partial: set[int] = set()
    for pm, began in sql.rows(
        f"SELECT l.postmortem_id, {day} FROM insights_postmortemincident l "
        "LEFT JOIN insights_incidentstart st ON st.incident_id = l.incident_id "
        f"WHERE l.postmortem_id IN ({listed(sql)})",
        [json.dumps(sorted(ids))],
    ):
        if began is None:
            partial.add(pm)
        else:
            found[pm].add(began)
    return {pm: tuple(sorted(d)) for pm, d in found.items() if pm not in partial}


def _months_of(sql: HealthSql, ids: Iterable[int]) -> dict[int, str]:
    """The UTC month (``YYYY-MM``) in which all the incidents of each of ``ids`` began, for
    those whose incidents all began in one month (``_days``)."""
    return {pm: d[0][:7] for pm, d in _days(sql, ids).items() if d[0][:7] == d[-1][:7]}


def _split(
    sql: HealthSql,
    parts: list[K],
    part_of: dict[int, K],
    targets_people: Callable[[str], bool],
) -> dict[K, dict[int, PostmortemFacts]]:
    """The facts of the postmortems ``part_of`` names, read at once and split by their part
    (a week, a month), but for those linked to another postmortem's items or factors (a
    write to the other moves only its own days)."""
    facts, crossed = read(sql, part_of, targets_people)
    split: dict[K, dict[int, PostmortemFacts]] = {part: {} for part in parts}
    for pm, f in facts.items():
        if pm not in crossed:
            split[part_of[pm]][pm] = f
    return split
