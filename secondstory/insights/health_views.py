"""``/insights/health/``: the learning-health checks, alarms and warnings first.

Evidence respects visibility: a postmortem the reader may not read is shown only
as a count, never by key or title.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from secondstory.accounts.models import Team, User
from secondstory.core.insights.health import CheckResult, by_severity
from secondstory.insights import health_data
from secondstory.postmortems.services import visible_postmortems


@dataclass(frozen=True)
class Shown:
    result: CheckResult
    evidence: list[tuple[str, str]]  # (key, url) of readable postmortems
    hidden: int  # evidence the reader may not read


def _as_of(value: str) -> tuple[date, str]:
    today = timezone.localdate()
    if not value:
        return today, ""
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return today, f"{value!r} is not a date of the form YYYY-MM-DD; showing today."
    return day, ""


@require_GET
def health(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    day, problem = _as_of(request.GET.get("as_of", "").strip())
    team = request.GET.get("team", "").strip() or None
    teams = list(Team.objects.order_by("slug").values_list("slug", flat=True))
    if team is not None and team not in teams:
        team, problem = None, f"No team {team!r}; showing every team."
    results = by_severity(health_data.checks(day, team))
    wanted = {key for r in results for key in r.evidence}
    readable = set(visible_postmortems(user).filter(key__in=wanted).values_list("key", flat=True))
    shown = [
        Shown(
            r,
            [(k, reverse("postmortems:detail", args=[k])) for k in r.evidence if k in readable],
            sum(1 for k in r.evidence if k not in readable and k != "(none)"),
        )
        for r in results
    ]
    context = {
        "as_of": day,
        "team": team or "",
        "teams": teams,
        "problem": problem,
        "concerns": [s for s in shown if s.result.status != "ok"],
        "fine": [s for s in shown if s.result.status == "ok"],
    }
    return render(request, "insights/health.html", context)
