"""Helpers shared by the checks: windows, statuses and evidence."""

from __future__ import annotations

import gc
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol, TypeVar

from secondstory.core.insights.health.model import (
    CheckResult,
    HealthData,
    PostmortemRow,
    Status,
)

EVIDENCE_LIMIT = 20


def end_of(day: date) -> datetime:
    """The first instant after ``day`` (UTC): everything before it counts as of ``day``."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=UTC)


def window_start(data: HealthData, days: int) -> datetime:
    return end_of(data.as_of) - timedelta(days=days)


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while the checks' rows are made and read.

    They are hundreds of thousands of small objects that never refer to each other in a
    cycle, and each burst of allocations made the collector walk the whole heap again (a
    fifth of the CPU at 100,000 postmortems); reference counting still frees everything.
    The collector is resumed only if it was running, so overlapping calls leave it on.
    """
    running = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if running:
            gc.enable()


def team_postmortems(data: HealthData, team: str) -> list[PostmortemRow]:
    """The team's postmortems, in the order of ``data.postmortems``."""
    return by_team(data, "postmortems", data.postmortems).get(team, [])


class _Teamed(Protocol):
    @property
    def teams(self) -> tuple[str, ...]: ...


_Row = TypeVar("_Row", bound=_Teamed)


def by_team(data: HealthData, name: str, rows: Iterable[_Row]) -> dict[str, list[_Row]]:
    """The rows of each team, in their order, grouped once per ``data`` under ``name`` (every
    team check reads them) instead of once per team and check."""
    grouped: dict[str, list[_Row]] | None = data.grouped.get(name)
    if grouped is None:
        grouped = defaultdict(list)
        for row in rows:
            teams = row.teams
            for team in teams if len(teams) < 2 else dict.fromkeys(teams):
                grouped[team].append(row)
        data.grouped[name] = grouped
    return grouped


def worst(*statuses: Status) -> Status:
    if "alarm" in statuses:
        return "alarm"
    return "warn" if "warn" in statuses else "ok"


def above(value: float | None, warn: float, alarm: float) -> Status:
    """``alarm`` above ``alarm``, ``warn`` above ``warn``, else ``ok``."""
    if value is None:
        return "ok"
    if value > alarm:
        return "alarm"
    return "warn" if value > warn else "ok"


def below(value: float | None, warn: float, alarm: float) -> Status:
    """``alarm`` below ``alarm``, ``warn`` below ``warn``, else ``ok``."""
    if value is None:
        return "ok"
    if value < alarm:
        return "alarm"
    return "warn" if value < warn else "ok"


def keys(values: Iterable[str]) -> list[str]:
    """Distinct keys in first-seen order, at most ``EVIDENCE_LIMIT``."""
    seen: list[str] = []
    for value in values:
        if value not in seen:
            seen.append(value)
            if len(seen) == EVIDENCE_LIMIT:
                break
    return seen


def days_between(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / 86400


def team_share(
    check_id: str,
    team: str,
    *,
    flagged: list[str],
    total: int,
    minimum: int,
    warn: float,
    alarm: float,
    suggestion: str,
    detail: str,
) -> CheckResult:
    """A per-team check on the share of ``total`` things that are ``flagged`` (their
    postmortem keys, one per thing): judged from ``minimum`` things, warn and alarm above
    the shares given, the flagged keys as evidence."""
    share = len(flagged) / total if total else None
    status: Status = "ok"
    if share is not None and total >= minimum:
        status = above(share, warn, alarm)
    return CheckResult(
        id=check_id,
        status=status,
        scope={"team": team},
        value=round(share, 3) if share is not None else None,
        threshold=alarm,
        evidence=keys(flagged) if status != "ok" else [],
        suggestion=suggestion,
        detail=detail,
    )
