"""``person-targeted-actions`` (per team): more than 25 % of a team's action items aim
at people (retrain, remind, tell someone to be careful, re-read the guidelines)
instead of changing the system.

Value: the share of the action items of the team's postmortems started in the
window whose title ``targets_people`` (a predicate given by the caller), judged
from ``person_min`` items.
"""

from __future__ import annotations

from collections.abc import Callable

from secondstory.core.insights.health.common import team_share
from secondstory.core.insights.health.config import Thresholds
from secondstory.core.insights.health.model import CheckResult, HealthData
from secondstory.core.insights.health.sums import team_item_sums

ID = "person-targeted-actions"


def check(
    data: HealthData, t: Thresholds, targets_people: Callable[[str], bool]
) -> list[CheckResult]:
    results = []
    for team in data.teams:
        sums = team_item_sums(data, t, team, targets_people)
        total = sum(s.items for s in sums)
        aimed = [s.postmortem for s in sums for _ in range(s.aimed)]
        results.append(
            team_share(
                ID,
                team,
                flagged=aimed,
                total=total,
                minimum=t.person_min,
                warn=t.person_warn_share,
                alarm=t.person_alarm_share,
                suggestion=(
                    "Rewrite the items that retrain or remind people as changes to the system: "
                    "what would make the right action the easy one?"
                ),
                detail=f"{len(aimed)} of {total} action items aim at people",
            )
        )
    return results
