"""``failure-outpacing-learning`` (organisation): incidents per month rising over the last
two quarters while action items closed per month are flat or falling, or the
open backlog grows every month.

Value: incidents in the last three months over the three before (``alarm`` when
it is at least ``outpacing_min_ratio``, significant by a binomial test at
``outpacing_p`` with at least ``outpacing_min_incidents`` incidents, and the
items closed rose by at most ``closed_flat_ratio``). Backlog: open action items
at the end of each month, ``alarm`` when it grew in each of the last
``backlog_months`` months, ``warn`` when it grew in all but one of them and by
at least a fifth overall.
"""

from __future__ import annotations

from itertools import pairwise

from secondstory.core.insights.health.common import keys
from secondstory.core.insights.health.config import Thresholds
from secondstory.core.insights.health.model import CheckResult, HealthData, Status
from secondstory.core.insights.health.stats import binomial_tail

ID = "failure-outpacing-learning"


def check(data: HealthData, t: Thresholds) -> list[CheckResult]:
    months = list(data.months)[-6:]
    ratio: float | None = None
    rising_unmatched = False
    if len(months) == 6:
        before = sum(m.incidents for m in months[:3])
        after = sum(m.incidents for m in months[3:])
        total = before + after
        ratio = after / before if before else None
        closed_before = sum(m.closed for m in months[:3])
        closed_after = sum(m.closed for m in months[3:])
        rising = (
            total >= t.outpacing_min_incidents
            and after >= t.outpacing_min_ratio * max(before, 1)
            and binomial_tail(after, total, 0.5) <= t.outpacing_p
        )
        rising_unmatched = rising and closed_after <= t.closed_flat_ratio * closed_before
    backlog = [m.backlog for m in data.months][-(t.backlog_months + 1) :]
    growths = [b > a for a, b in pairwise(backlog)]
    backlog_status: Status = "ok"
    if len(growths) == t.backlog_months and backlog[0] > 0:
        if all(growths):
            backlog_status = "alarm"
        elif sum(growths) >= t.backlog_months - 1 and backlog[-1] >= 1.2 * backlog[0]:
            backlog_status = "warn"
    status: Status = "alarm" if rising_unmatched else backlog_status
    incidents = ", ".join(str(m.incidents) for m in months)
    closed = ", ".join(str(m.closed) for m in months)
    return [
        CheckResult(
            id=ID,
            status=status,
            scope={"organisation": True},
            value=round(ratio, 2) if ratio is not None else None,
            threshold=t.outpacing_min_ratio,
            evidence=keys(data.recent_keys) if status != "ok" else [],
            suggestion=(
                "Make room for follow-through: fewer new items, more of the open ones closed, "
                "starting with those that address the factors that keep coming back."
            ),
            detail=(
                f"incidents per month: {incidents}; items closed per month: {closed}; "
                f"open backlog at month ends: {', '.join(str(b) for b in backlog)}"
            ),
        )
    ]
