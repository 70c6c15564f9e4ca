"""``follow-through`` (per team): share of due action items done within their due date
below 50 %, or overdue P0/P1 items.

Value: items due in the window (and not "not doing") that were done by the end
of their due date, over all of them; judged from ``follow_min`` items. Overdue
P0/P1: items of priority P0 or P1 still open or in progress on ``as_of`` after
their due date.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from secondstory.core.insights.health.common import below, keys, worst
from secondstory.core.insights.health.config import Thresholds
from secondstory.core.insights.health.model import CheckResult, HealthData, Status
from secondstory.core.insights.health.sums import team_item_sums

ID = "follow-through"


def check(
    data: HealthData, t: Thresholds, targets_people: Callable[[str], bool]
) -> list[CheckResult]:
    results = []
    for team in data.teams:
        sums = team_item_sums(data, t, team, targets_people)
        due = sum(s.due for s in sums)
        on_time = sum(s.on_time for s in sums)
        share = on_time / due if due else None
        share_status: Status = "ok"
        if share is not None and due >= t.follow_min:
            share_status = below(share, t.follow_warn_share, t.follow_alarm_share)
        overdue = sum(s.overdue for s in sums)
        overdue_status: Status = "ok"
        if overdue >= t.overdue_urgent_alarm:
            overdue_status = "alarm"
        elif overdue >= t.overdue_urgent_warn:
            overdue_status = "warn"
        status = worst(share_status, overdue_status)
        evidence: list[str] = []
        if status != "ok":
            # the overdue items' postmortems, earliest due first, then those with items late
            urgent = sorted(
                (s for s in sums if s.overdue), key=lambda s: s.first_overdue or date.max
            )
            late = [s.postmortem for s in sums if s.due > s.on_time]
            evidence = keys([s.postmortem for s in urgent] + late)
        results.append(
            CheckResult(
                id=ID,
                status=status,
                scope={"team": team},
                value=round(share, 3) if share is not None else None,
                threshold=t.follow_alarm_share,
                evidence=evidence,
                suggestion=(
                    "Review the overdue items with their owners: finish them, re-plan them with "
                    "a new due date, or close them as not doing with a reason."
                ),
                detail=(
                    f"{on_time} of {due} items due in the last {t.window_days} days "
                    f"done on time; {overdue} P0/P1 items overdue"
                ),
            )
        )
    return results
