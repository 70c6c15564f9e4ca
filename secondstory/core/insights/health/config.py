"""The thresholds of the learning-health checks, with their documented defaults.

Every field can be overridden by the organisation (``SECONDSTORY_HEALTH`` in
the settings, see docs/insights.md). A check says ``alarm`` when the issue's
definition is met on enough data, and ``warn`` when it is near it.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any


@dataclass(frozen=True, slots=True)
class Thresholds:
    window_days: int = 182  # "the last 6 months" of every windowed check

    # recurring-factor: a (service, category) pair in the window
    recurring_min: int = 3  # occurrences (incidents) before anything is judged
    recurring_warn_p: float = 0.05  # binomial tail against the rest of the organisation
    recurring_alarm_p: float = 0.01
    recurring_min_ratio: float = 2.0  # observed / expected, so broad categories stay quiet

    # slow-publication: per team
    publication_alarm_days: float = 14.0  # median resolution -> publication
    publication_warn_days: float = 10.0
    publication_min: int = 3  # published postmortems needed to judge the median
    stale_draft_days: int = 30
    stale_drafts_alarm: int = 2
    stale_drafts_warn: int = 1

    # follow-through: per team
    follow_alarm_share: float = 0.5  # done by the due date / due items
    follow_warn_share: float = 0.65
    follow_min: int = 5
    overdue_urgent_alarm: int = 2  # P0/P1 items past their due date
    overdue_urgent_warn: int = 1

    # person-targeted-actions: per team
    person_alarm_share: float = 0.25
    person_warn_share: float = 0.15
    person_min: int = 6

    # blame-drift: per team, blame findings per 1,000 words
    blame_alarm_rate: float = 2.0
    blame_warn_rate: float = 1.0
    blame_min_words: int = 1000
    blame_quarter_min: int = 2  # postmortems in each quarter for the trend

    # shallow-analysis: per team
    shallow_alarm_share: float = 0.5  # "most postmortems"
    shallow_warn_share: float = 0.35
    shallow_min: int = 4
    shallow_min_factors: int = 2

    # failure-outpacing-learning: organisation
    outpacing_min_ratio: float = 1.25  # incidents last quarter / quarter before
    outpacing_p: float = 0.05
    outpacing_min_incidents: int = 12
    closed_flat_ratio: float = 1.05  # closures last quarter / quarter before: "flat or falling"
    backlog_months: int = 6

    # unsafe-reviews: per team, "it felt safe to speak" answered 1-3 in the window
    unsafe_alarm_share: float = 0.35
    unsafe_warn_share: float = 0.2
    unsafe_min: int = 10  # answers (of reviews with at least 3) needed to judge

    @classmethod
    def from_mapping(cls, values: dict[str, Any]) -> Thresholds:
        """Defaults overridden by ``values``; an unknown name or a wrong type is a ValueError."""
        known = {f.name: f for f in fields(cls)}
        changes: dict[str, Any] = {}
        for name, value in values.items():
            if name not in known:
                raise ValueError(f"unknown learning-health threshold {name!r}")
            default = getattr(cls(), name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"threshold {name!r} must be a number, not {value!r}")
            changes[name] = type(default)(value)
        return replace(cls(), **changes)
