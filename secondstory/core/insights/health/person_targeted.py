"""``person-targeted-actions`` (per team): more than 25 % of a team's action items aim
at people (retrain, remind, tell someone to be careful, re-read the guidelines)
instead of changing the system.

Value: the share of the action items of the team's postmortems started in the
window whose title ``targets_people`` (a predicate given by the caller), judged
from ``person_min`` items.
"""

from __future__ import annotations

from collections.abc import Callable

from secondstory.core.insights.health.common import team_items, team_share, window_start
from secondstory.core.insights.health.config import Thresholds
from secondstory.core.insights.health.model import CheckResult, HealthData

ID = "person-targeted-actions"


def check(
    data: HealthData, t: Thresholds, targets_people: Callable[[str], bool]
) -> list[CheckResult]:
    start = window_start(data, t.window_days)
    results = []
    for team in data.teams:
        items = [item for item in team_items(data, team) if item.created >= start]
        aimed = [item for item in items if targets_people(item.title)]
        results.append(
            team_share(
                ID,
                team,
                flagged=[item.postmortem for item in aimed],
                total=len(items),
                minimum=t.person_min,
                warn=t.person_warn_share,
                alarm=t.person_alarm_share,
                suggestion=(
                    "Rewrite the items that retrain or remind people as changes to the system: "
                    "what would make the right action the easy one?"
                ),
                detail=f"{len(aimed)} of {len(items)} action items aim at people",
            )
        )
    return results
