"""``unsafe-reviews`` (per team): too many people say it did not feel safe to speak in the
team's reviews.

Value: the share of the answers to the learning check's "it felt safe to speak" at or
below 3 (of 7), over the learning checks of the team's reviews opened in the window (the
last two quarters by default), judged from ``unsafe_min`` answers. Only reviews with at
least 3 answers count (fewer are never shown, so they are never judged either); the
evidence is those reviews with an unsafe answer, the most unsafe first.
"""

from __future__ import annotations

from secondstory.core.insights.health.common import team_share, window_start
from secondstory.core.insights.health.config import Thresholds
from secondstory.core.insights.health.model import CheckResult, HealthData
from secondstory.core.learningcheck import MIN_ANSWERS

ID = "unsafe-reviews"


def check(data: HealthData, t: Thresholds) -> list[CheckResult]:
    start = window_start(data, t.window_days)
    results = []
    for team in data.teams:
        rows = [
            s
            for s in data.surveys
            if team in s.teams and s.opened >= start and s.answers >= MIN_ANSWERS
        ]
        answers = sum(s.answers for s in rows)
        worst_first = sorted(rows, key=lambda s: (-s.unsafe / s.answers, s.postmortem))
        flagged = [s.postmortem for s in worst_first for _ in range(s.unsafe)]
        unsafe = len(flagged)
        results.append(
            team_share(
                ID,
                team,
                flagged=flagged,
                total=answers,
                minimum=t.unsafe_min,
                warn=t.unsafe_warn_share,
                alarm=t.unsafe_alarm_share,
                suggestion=(
                    "Ask a facilitator from outside the team to run the next reviews, agree the "
                    "blameless ground rules at the start, and keep managers' questions about "
                    "people out of the room."
                ),
                detail=(
                    f"{unsafe} of {answers} answers in {len(rows)} reviews say it did not "
                    "feel safe to speak"
                ),
            )
        )
    return results
