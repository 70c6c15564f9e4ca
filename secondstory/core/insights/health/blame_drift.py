"""``blame-drift`` (per team): blame findings per 1,000 words of the team's postmortems
above a threshold, or rising three quarters in a row.

Value: blame findings of the blameless reviewer per 1,000 words over the team's
postmortems started in the last two quarters (judged from ``blame_min_words``
words). Trend: the rate in each of the last four 91-day quarters (each with at
least ``blame_quarter_min`` postmortems) rising three times in a row, by at
least half the warn rate overall: ``alarm`` when the last quarter is at or above
the warn rate, ``warn`` below it.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import timedelta
from itertools import pairwise

from secondstory.core.insights.health.common import above, end_of, keys, team_postmortems, worst
from secondstory.core.insights.health.config import Thresholds
from secondstory.core.insights.health.model import CheckResult, HealthData, PostmortemRow, Status

ID = "blame-drift"
QUARTER = timedelta(days=91)


def _rate(rows: list[PostmortemRow]) -> float | None:
    words = sum(pm.words for pm in rows)
    return 1000 * sum(pm.blame_findings for pm in rows) / words if words else None


def check(data: HealthData, t: Thresholds) -> list[CheckResult]:
    end = end_of(data.as_of)
    # quarter i holds end - (4 - i) * QUARTER <= created < end - (3 - i) * QUARTER
    bounds = [end - (4 - i) * QUARTER for i in range(5)]
    results = []
    for team in data.teams:
        quarters: list[list[PostmortemRow]] = [[], [], [], [], [], []]  # before, 0-3, after
        for pm in team_postmortems(data, team):
            quarters[bisect_right(bounds, pm.created)].append(pm)
        quarters = quarters[1:5]
        recent = quarters[2] + quarters[3]
        rate = _rate(recent)
        level: Status = "ok"
        if rate is not None and sum(pm.words for pm in recent) >= t.blame_min_words:
            level = above(rate, t.blame_warn_rate, t.blame_alarm_rate)
        rates = [_rate(q) if len(q) >= t.blame_quarter_min else None for q in quarters]
        trend: Status = "ok"
        known = [r for r in rates if r is not None]
        rising = len(known) == 4 and all(a < b for a, b in pairwise(known))
        if rising and known[-1] - known[0] >= t.blame_warn_rate / 2:
            trend = "alarm" if known[-1] >= t.blame_warn_rate else "warn"
        status = worst(level, trend)
        blamed = sorted(
            (pm for pm in recent if pm.blame_findings), key=lambda pm: -pm.blame_findings
        )
        results.append(
            CheckResult(
                id=ID,
                status=status,
                scope={"team": team},
                value=round(rate, 2) if rate is not None else None,
                threshold=t.blame_alarm_rate,
                evidence=keys(pm.key for pm in blamed) if status != "ok" else [],
                suggestion=(
                    "Go through the flagged sentences with the authors and rewrite them as what "
                    "people saw, knew and did, and why it made sense at the time."
                ),
                detail=(
                    "blame findings per 1,000 words by quarter: "
                    + ", ".join("–" if r is None else f"{r:.2f}" for r in rates)
                ),
            )
        )
    return results
