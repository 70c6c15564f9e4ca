"""``follow-through`` (per team): share of due action items done within their due date
below 50 %, or overdue P0/P1 items.

Value: items due in the window (and not "not doing") that were done by the end
of their due date, over all of them; judged from ``follow_min`` items. Overdue
P0/P1: items of priority P0 or P1 still open or in progress on ``as_of`` after
their due date.
"""

from __future__ import annotations

from datetime import timedelta

from secondstory.core.insights.health.common import below, end_of, keys, team_items, worst
from secondstory.core.insights.health.config import Thresholds
from secondstory.core.insights.health.model import CheckResult, HealthData, Status

ID = "follow-through"


def check(data: HealthData, t: Thresholds) -> list[CheckResult]:
    first_due = data.as_of - timedelta(days=t.window_days)
    results = []
    for team in data.teams:
        items = team_items(data, team)
        due = [
            item
            for item in items
            if first_due < item.due < data.as_of and item.status != "not_doing"
        ]
        on_time = [
            item for item in due if item.completed is not None and item.completed < end_of(item.due)
        ]
        share = len(on_time) / len(due) if due else None
        share_status: Status = "ok"
        if share is not None and len(due) >= t.follow_min:
            share_status = below(share, t.follow_warn_share, t.follow_alarm_share)
        overdue = sorted(
            (
                item
                for item in items
                if item.priority in ("P0", "P1")
                and item.status in ("open", "in_progress")
                and item.due < data.as_of
            ),
            key=lambda item: item.due,
        )
        overdue_status: Status = "ok"
        if len(overdue) >= t.overdue_urgent_alarm:
            overdue_status = "alarm"
        elif len(overdue) >= t.overdue_urgent_warn:
            overdue_status = "warn"
        status = worst(share_status, overdue_status)
        done_ids = {item.id for item in on_time}
        late = [item.postmortem for item in due if item.id not in done_ids]
        evidence = keys([item.postmortem for item in overdue] + late) if status != "ok" else []
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
                    f"{len(on_time)} of {len(due)} items due in the last {t.window_days} days "
                    f"done on time; {len(overdue)} P0/P1 items overdue"
                ),
            )
        )
    return results
