"""The review pipeline: postmortems as the policy requires, and how long each stage takes."""

from __future__ import annotations

import bisect
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from secondstory.core.insights.stats import Bin, Distribution, distribution

STAGES: tuple[tuple[str, str], ...] = (
    ("draft", "resolution → draft"),
    ("review", "resolution → review"),
    ("published", "resolution → publication"),
)


@dataclass(frozen=True, slots=True)
class PolicyCoverage:
    """Incidents of the severities the policy covers, and how many got a postmortem."""

    covered: int  # incidents whose severity requires a postmortem
    with_postmortem: int  # ... linked to a postmortem not marked "not required"
    published: int  # ... whose postmortem is published

    @property
    def share(self) -> float | None:
        return self.with_postmortem / self.covered if self.covered else None

    @property
    def published_share(self) -> float | None:
        return self.published / self.covered if self.covered else None


@dataclass(frozen=True, slots=True)
class StageTimes:
    """One postmortem's days from resolution to each stage it reached (None: not yet).

    The database computes the days; a stage reached before resolution counts as zero.
    """

    draft: float
    review: float | None
    published: float | None


@dataclass(frozen=True, slots=True)
class StageDelay:
    stage: str
    label: str
    summary: Distribution | None
    bins: tuple[Bin, ...]


def stage_delays(rows: Iterable[StageTimes], edges: Sequence[float]) -> list[StageDelay]:
    """Days from resolution to draft, to review and to publication, as distributions.

    Only postmortems that reached a stage count for it (a draft never published is not in
    "to publication"; the drafts-older-than figure shows those).

    >>> [d.summary.count if d.summary else 0 for d in stage_delays([StageTimes(2, None, None)],
    ...                                                            [0, 7])]
    [1, 0, 0]
    """
    return StageValues.of(rows, edges).delays()


@dataclass(slots=True)
class StageValues:
    """Each stage's days (below zero counted as zero) and how many fall in each bin of
    ``edges``: what ``stage_delays`` summarises, kept so that two sets of postmortems add up
    (``add``) to the figures of both, whatever their size, without going through every
    postmortem again.

    >>> values = StageValues.of([StageTimes(2, None, None)], (0, 7))
    >>> values.add(StageValues.of([StageTimes(9, 1, None)], (0, 7)))
    >>> [(d.summary.count if d.summary else 0, [b.count for b in d.bins]) for d in values.delays()]
    [(2, [1, 1]), (1, [1, 0]), (0, [0, 0])]
    """

    edges: tuple[float, ...]
    values: dict[str, array[float]] = field(default_factory=dict)
    bins: dict[str, list[int]] = field(default_factory=dict)

    @classmethod
    def of(cls, rows: Iterable[StageTimes], edges: Sequence[float]) -> StageValues:
        made = cls(tuple(edges))
        for stage, _ in STAGES:
            made.values[stage] = array("d")
            made.bins[stage] = [0] * len(edges)
        for row in rows:
            reached = {"draft": row.draft, "review": row.review, "published": row.published}
            for stage, days in reached.items():
                if days is not None:
                    days = max(0.0, days)
                    made.values[stage].append(days)
                    made.bins[stage][max(bisect.bisect_right(edges, days) - 1, 0)] += 1
        return made

    def add(self, other: StageValues) -> None:
        if other.edges != self.edges:
            raise ValueError("stage values with different bins do not add up")
        for stage, _ in STAGES:
            self.values.setdefault(stage, array("d")).extend(other.values.get(stage, ()))
            counts = self.bins.setdefault(stage, [0] * len(self.edges))
            for i, n in enumerate(other.bins.get(stage, ())):
                counts[i] += n

    def delays(self) -> list[StageDelay]:
        highs: list[float | None] = [*self.edges[1:], None]
        return [
            StageDelay(
                stage,
                label,
                distribution(self.values.get(stage, ())),
                tuple(
                    Bin(low, high, n)
                    for low, high, n in zip(
                        self.edges,
                        highs,
                        self.bins.get(stage, [0] * len(self.edges)),
                        strict=True,
                    )
                ),
            )
            for stage, label in STAGES
        ]


def draft_age_days(created: datetime, today: date) -> int:
    """Whole days a draft has existed on ``today``.

    >>> draft_age_days(datetime(2026, 1, 1, 23, 0), date(2026, 1, 31))
    30
    """
    return (today - created.date()).days
