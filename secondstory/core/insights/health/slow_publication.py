"""``slow-publication`` (per team): median time from resolution to publication above
14 days, or drafts older than 30 days.

Value: the median in days over the team's postmortems published in the window
(judged from ``publication_min`` of them). Drafts: postmortems not published
and not marked "not required" on ``as_of`` that were started more than
``stale_draft_days`` before it.
"""

from __future__ import annotations

from datetime import timedelta

from secondstory.core.insights.health.common import (
    above,
    days_between,
    end_of,
    keys,
    team_postmortems,
    window_start,
    worst,
)
from secondstory.core.insights.health.config import Thresholds
from secondstory.core.insights.health.model import CheckResult, HealthData, Status
from secondstory.core.insights.health.stats import median

ID = "slow-publication"


def check(data: HealthData, t: Thresholds) -> list[CheckResult]:
    start = window_start(data, t.window_days)
    stale_before = end_of(data.as_of) - timedelta(days=t.stale_draft_days)
    results = []
    for team in data.teams:
        rows = team_postmortems(data, team)
        delays = [
            (pm.key, days_between(pm.resolved, pm.published))
            for pm in rows
            if pm.published is not None and pm.published >= start and pm.resolved is not None
        ]
        value = median([d for _, d in delays])
        median_status: Status = "ok"
        if value is not None and len(delays) >= t.publication_min:
            median_status = above(value, t.publication_warn_days, t.publication_alarm_days)
        stale = sorted(
            (
                pm
                for pm in rows
                if pm.published is None and pm.not_required is None and pm.created < stale_before
            ),
            key=lambda pm: pm.created,
        )
        stale_status: Status = "ok"
        if len(stale) >= t.stale_drafts_alarm:
            stale_status = "alarm"
        elif len(stale) >= t.stale_drafts_warn:
            stale_status = "warn"
        status = worst(median_status, stale_status)
        slow = [
            key for key, d in sorted(delays, key=lambda kd: -kd[1]) if d > t.publication_alarm_days
        ]
        evidence = keys([pm.key for pm in stale] + slow) if status != "ok" else []
        shown = round(value, 1) if value is not None else None
        results.append(
            CheckResult(
                id=ID,
                status=status,
                scope={"team": team},
                value=shown,
                threshold=t.publication_alarm_days,
                evidence=evidence,
                suggestion=(
                    "Book the review meeting when the incident is resolved and publish within "
                    "two weeks; close or finish the old drafts listed."
                ),
                detail=(
                    f"median {shown if shown is not None else '–'} days from resolution to "
                    f"publication over {len(delays)} postmortems; {len(stale)} drafts older than "
                    f"{t.stale_draft_days} days"
                ),
            )
        )
    return results
