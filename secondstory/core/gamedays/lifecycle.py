"""A game day's status: planned -> running -> done, or aborted when an abort condition held.

>>> next_statuses("planned")
('running', 'aborted')
>>> check_transition("done", "running")
'a done game day stays done'
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

PLANNED = "planned"
RUNNING = "running"
DONE = "done"
ABORTED = "aborted"
STATUSES = (PLANNED, RUNNING, DONE, ABORTED)
LABELS = {PLANNED: "Planned", RUNNING: "Running", DONE: "Done", ABORTED: "Aborted"}

_NEXT: dict[str, tuple[str, ...]] = {
    PLANNED: (RUNNING, ABORTED),
    RUNNING: (DONE, ABORTED),
    DONE: (),
    ABORTED: (),
}


def next_statuses(status: str) -> tuple[str, ...]:
    """The statuses a game day in ``status`` may move to."""
    return _NEXT.get(status, ())


def check_transition(current: str, target: str) -> str:
    """An empty string when ``current -> target`` is allowed, else the reason it is not."""
    if target not in STATUSES:
        return f"unknown status {target!r}; expected one of {', '.join(STATUSES)}"
    if current in (DONE, ABORTED):
        return f"a {current} game day stays {current}"
    if target not in _NEXT[current]:
        return f"a {current} game day cannot become {target}"
    return ""


@dataclass(frozen=True, slots=True)
class Times:
    """When a game day was scheduled, started and ended (any may be unknown)."""

    scheduled_at: datetime | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None


def time_problems(status: str, times: Times) -> dict[str, str]:
    """Field -> problem for times that contradict each other or the status.

    >>> from datetime import UTC
    >>> t = Times(started_at=datetime(2026, 1, 2, tzinfo=UTC),
    ...           ended_at=datetime(2026, 1, 1, tzinfo=UTC))
    >>> time_problems("done", t)
    {'ended_at': 'the game day ends before it starts'}
    """
    problems: dict[str, str] = {}
    if times.started_at and times.ended_at and times.ended_at < times.started_at:
        problems["ended_at"] = "the game day ends before it starts"
    if status in (RUNNING, DONE) and times.started_at is None:
        problems["started_at"] = f"a {status} game day needs the time it started"
    if status == DONE and times.ended_at is None:
        problems.setdefault("ended_at", "a done game day needs the time it ended")
    if status == PLANNED and times.ended_at is not None:
        problems.setdefault("ended_at", "a planned game day has not ended yet")
    return problems
