"""The review pipeline: postmortems as the policy requires, and how long each stage takes."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from secondstory.core.insights.stats import Bin, Distribution, distribution, histogram

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
    values: dict[str, list[float]] = {stage: [] for stage, _ in STAGES}
    for row in rows:
        reached = {"draft": row.draft, "review": row.review, "published": row.published}
        for stage, days in reached.items():
            if days is not None:
                values[stage].append(max(0.0, days))
    return [
        StageDelay(
            stage, label, distribution(values[stage]), tuple(histogram(values[stage], edges))
        )
        for stage, label in STAGES
    ]


def draft_age_days(created: datetime, today: date) -> int:
    """Whole days a draft has existed on ``today``.

    >>> draft_age_days(datetime(2026, 1, 1, 23, 0), date(2026, 1, 31))
    30
    """
    return (today - created.date()).days
