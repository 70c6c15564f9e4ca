"""A game day as plain data, as the exchange format carries it in a review's front matter."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from secondstory.core.gamedays import lifecycle


@dataclass(slots=True)
class VerificationRecord:
    """A done action item of another postmortem, shown to work by this game day."""

    item: str  # "PM-0012/A2"
    note: str
    by: str  # username
    at: datetime
    observation: str = ""  # "source:ref" of an event on this review's timeline

    @property
    def item_parts(self) -> tuple[str, str]:
        postmortem, _, item = self.item.partition("/")
        return postmortem, item


@dataclass(slots=True)
class GameDayRecord:
    key: str
    hypothesis: str
    steady_state: str
    status: str = lifecycle.PLANNED
    steady_state_expected: str = ""
    fault: str = ""
    blast_radius: str = ""
    abort_conditions: str = ""
    scheduled_at: datetime | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    participants: list[str] = field(default_factory=list)
    services: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    verifies: list[VerificationRecord] = field(default_factory=list)

    def usernames(self) -> set[str]:
        return {*self.participants, *(v.by for v in self.verifies)}


def game_day_problems(
    record: GameDayRecord, factor_categories: frozenset[str], event_refs: set[str] | None
) -> list[tuple[tuple[str | int, ...], str]]:
    """(path under ``game_day``, message) for every invariant the record breaks.

    ``event_refs``: the timeline's events, or None when the record leaves the timeline out
    (a revision): then an observation is looked up by the loader.

    >>> game_day_problems(GameDayRecord("GD-1", "h", "s", status="won"), frozenset(), set())
    [(('status',), "unknown status 'won'; expected one of planned, running, done, aborted")]
    """
    problems: list[tuple[tuple[str | int, ...], str]] = []
    for name in ("key", "hypothesis", "steady_state"):
        if not getattr(record, name).strip():
            problems.append(((name,), f"a game day needs a {name.replace('_', ' ')}"))
    if record.status not in lifecycle.STATUSES:
        expected = ", ".join(lifecycle.STATUSES)
        problems.append(
            (("status",), f"unknown status {record.status!r}; expected one of {expected}")
        )
    else:
        times = lifecycle.Times(record.scheduled_at, record.started_at, record.ended_at)
        problems += [
            ((name,), message)
            for name, message in lifecycle.time_problems(record.status, times).items()
        ]
    for i, code in enumerate(record.categories):
        if code not in factor_categories:
            problems.append((("categories", i), f"unknown factor category {code!r}"))
    seen: set[str] = set()
    for i, verification in enumerate(record.verifies):
        if verification.item in seen:
            problems.append((("verifies", i, "item"), f"{verification.item} verified twice"))
        seen.add(verification.item)
        postmortem, item = verification.item_parts
        if not postmortem or not item:
            problems.append((("verifies", i, "item"), "expected POSTMORTEM/ITEM, e.g. PM-12/A2"))
        if not verification.note.strip():
            problems.append((("verifies", i, "note"), "a verification needs a note"))
        observation = verification.observation
        if observation and event_refs is not None and observation not in event_refs:
            problems.append(
                (("verifies", i, "observation"), f"no timeline event {verification.observation!r}")
            )
    return problems
