"""``/api/insights/health``: the learning-health checks, as the health page shows them.

Needs ``insights:read``. Evidence names only the postmortems the caller may read; the
others are counted in ``hidden_evidence``, never named.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from secondstory.accounts import permissions
from secondstory.accounts.models import Team
from secondstory.api.auth import scoped, user_of
from secondstory.api.errors import WRITES, ApiError
from secondstory.core.insights.health import by_severity
from secondstory.insights import health_data

router = Router(tags=["insights"])
READ = scoped("insights", "read")


class HealthQuery(Schema):
    as_of: date | None = Field(None, description="The day to judge (default: today).")
    team: str | None = Field(None, max_length=100, description="Only this team's (slug).")


class CheckOut(Schema):
    id: str
    status: Literal["ok", "warn", "alarm"]
    scope: dict[str, str | bool]
    value: float | None
    threshold: float
    evidence: list[str]
    hidden_evidence: int
    suggestion: str
    detail: str


class HealthOut(Schema):
    as_of: date
    team: str | None
    checks: list[CheckOut]


@router.get(
    "/health", response={200: HealthOut, **WRITES}, auth=READ, summary="Learning-health checks"
)
def health(request: HttpRequest, params: Query[HealthQuery]) -> dict[str, Any]:
    """Every check, alarms first, then warnings, then the ones that are fine."""
    day = params.as_of or timezone.localdate()
    if params.team and not Team.objects.filter(slug=params.team).exists():
        raise ApiError(400, f"team: no team {params.team!r}", field="team")
    results = by_severity(health_data.checks(day, params.team or None))
    wanted = {key for r in results for key in r.evidence}
    readable = set(
        permissions.visible_postmortems(user_of(request))
        .filter(key__in=wanted)
        .values_list("key", flat=True)
    )
    return {
        "as_of": day,
        "team": params.team or None,
        "checks": [
            {
                "id": r.id,
                "status": r.status,
                "scope": dict(r.scope),
                "value": r.value,
                "threshold": r.threshold,
                "evidence": [k for k in r.evidence if k in readable],
                "hidden_evidence": sum(
                    1 for k in r.evidence if k not in readable and k != "(none)"
                ),
                "suggestion": r.suggestion,
                "detail": r.detail,
            }
            for r in results
        ],
    }
