"""The learning-health checks, in the order they are reported, and ``evaluate``."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import replace
from functools import partial

from secondstory.core.insights.health import (
    blame_drift,
    failure_outpacing,
    follow_through,
    person_targeted,
    recurring_factor,
    shallow_analysis,
    slow_publication,
    unsafe_reviews,
)
from secondstory.core.insights.health.common import cyclic_gc_paused, keys
from secondstory.core.insights.health.config import Thresholds
from secondstory.core.insights.health.model import CheckResult, HealthData

Check = Callable[[HealthData, Thresholds], list[CheckResult]]

CHECK_IDS: tuple[str, ...] = (
    recurring_factor.ID,
    slow_publication.ID,
    follow_through.ID,
    person_targeted.ID,
    blame_drift.ID,
    shallow_analysis.ID,
    failure_outpacing.ID,
    unsafe_reviews.ID,
)
_ORDER = {"alarm": 0, "warn": 1, "ok": 2}


def checks(targets_people: Callable[[str], bool] | None = None) -> list[Check]:
    """Every check, in the order of ``CHECK_IDS`` (by default judging action items with the
    blameless reviewer's person-targeted rule, imported only when the checks run)."""
    if targets_people is None:
        from secondstory.core.review.person_targeted import targets_people as reviewer

        targets_people = reviewer
    return [
        recurring_factor.check,
        slow_publication.check,
        partial(follow_through.check, targets_people=targets_people),
        partial(person_targeted.check, targets_people=targets_people),
        blame_drift.check,
        shallow_analysis.check,
        failure_outpacing.check,
        unsafe_reviews.check,
    ]


def evaluate(
    data: HealthData,
    thresholds: Thresholds | None = None,
    *,
    targets_people: Callable[[str], bool] | None = None,
    services: Collection[str] | None = None,
) -> list[CheckResult]:
    """Run every check; with ``services`` given, keep only the recurring-factor pairs of them.

    Every ``warn`` and ``alarm`` carries evidence: when a check found no postmortem
    to point at, the organisation's most recent postmortems stand in.
    """
    thresholds = thresholds or Thresholds()
    results: list[CheckResult] = []
    with cyclic_gc_paused():
        for check in checks(targets_people):
            for result in check(data, thresholds):
                scoped = services is not None and "service" in result.scope
                if scoped and str(result.scope["service"]) not in services:  # type: ignore[operator]
                    continue
                if result.status != "ok" and not result.evidence:
                    result = replace(result, evidence=keys(data.recent_keys) or ["(none)"])
                results.append(result)
    return results


def by_severity(results: list[CheckResult]) -> list[CheckResult]:
    """Alarms first, then warnings, then ok; the check order is kept within each."""
    return sorted(results, key=lambda r: _ORDER[r.status])
