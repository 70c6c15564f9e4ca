"""``shallow-analysis`` (per team): most postmortems have fewer than two contributing
factors, or factors that only describe a person.

Value: the share of the team's postmortems published in the window that are
shallow (fewer than ``shallow_min_factors`` factors, or at least one factor that
only describes a person), judged from ``shallow_min`` postmortems.
"""

from __future__ import annotations

from secondstory.core.insights.health.common import team_postmortems, team_share, window_start
from secondstory.core.insights.health.config import Thresholds
from secondstory.core.insights.health.model import CheckResult, HealthData

ID = "shallow-analysis"


def check(data: HealthData, t: Thresholds) -> list[CheckResult]:
    start = window_start(data, t.window_days)
    results = []
    for team in data.teams:
        rows = [
            pm
            for pm in team_postmortems(data, team)
            if pm.published is not None and pm.published >= start
        ]
        shallow = [pm for pm in rows if pm.factors < t.shallow_min_factors or pm.person_factors > 0]
        results.append(
            team_share(
                ID,
                team,
                flagged=[pm.key for pm in shallow],
                total=len(rows),
                minimum=t.shallow_min,
                warn=t.shallow_warn_share,
                alarm=t.shallow_alarm_share,
                suggestion=(
                    "Ask in the review what else made the failure possible or worse, and turn "
                    "factors about a person into the conditions they worked in."
                ),
                detail=(
                    f"{len(shallow)} of {len(rows)} published postmortems have fewer than "
                    f"{t.shallow_min_factors} factors or a factor about a person"
                ),
            )
        )
    return results
