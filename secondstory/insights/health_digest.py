"""The monthly learning-health digest: which checks changed status over the last month.

Once a month (the worker runs it with the other periodic jobs) every active staff member,
and every member of a team whose own checks changed, gets one message through the
notification channels: the checks whose status at the end of last month differs from the
end of the month before, with their evidence and suggestion. The delivery key
``health-digest:<user id>:<YYYY-MM>`` makes the delivery log send it exactly once per month
and channel, however often or concurrently the job runs. Shared channels can carry the text,
so evidence lists only postmortems without restricted incidents; the others are counted.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Q
from django.utils import timezone

from secondstory.accounts.models import Role, User
from secondstory.core.insights.health import CheckResult
from secondstory.incidents.models import Incident
from secondstory.insights import health_data
from secondstory.notify.models import Delivery
from secondstory.notify.services import Run, send

KIND = "health-digest"


def digest_key(user: User, month: str) -> str:
    return f"{KIND}:{user.pk}:{month}"


def _results(day: date) -> dict[tuple[str, tuple[tuple[str, object], ...]], CheckResult]:
    results = health_data.checks(day)
    return {(r.id, tuple(sorted(r.scope.items()))): r for r in results}


def changed_statuses(today: date) -> tuple[date, list[tuple[CheckResult, str]]]:
    """(end of last month, [(result then, status a month before)]) for every check whose
    status changed; a scope not evaluated a month before counts as ``ok`` then."""
    end = today.replace(day=1) - timedelta(days=1)
    before_end = end.replace(day=1) - timedelta(days=1)
    now, before = _results(end), _results(before_end)
    changes = []
    for key, result in now.items():
        previous = before[key].status if key in before else "ok"
        if previous != result.status:
            changes.append((result, previous))
    for key, result in before.items():
        if key not in now and result.status != "ok":
            changes.append(
                (CheckResult(result.id, "ok", result.scope, None, result.threshold), result.status)
            )
    return end, changes


def _scope(result: CheckResult) -> str:
    if result.scope.get("organisation"):
        return "organisation"
    return ", ".join(f"{k} {v}" for k, v in result.scope.items())


def digest_text(end: date, changes: list[tuple[CheckResult, str]]) -> str:
    keys = {key for result, _ in changes for key in result.evidence}
    restricted = set(
        Incident.objects.filter(visibility="restricted", postmortems__key__in=keys).values_list(
            "postmortems__key", flat=True
        )
    )
    lines = [f"Learning health: checks that changed status by {end.isoformat()}", ""]
    if not changes:
        lines.append("No check changed status over the month.")
    for result, previous in changes:
        lines.append(
            f"- {result.id} ({_scope(result)}): {previous} -> {result.status}. {result.detail}"
        )
        if result.status != "ok":
            shown = [k for k in result.evidence if k not in restricted]
            hidden = len(result.evidence) - len(shown)
            evidence = ", ".join(shown) + (f" and {hidden} restricted" if hidden else "")
            lines.append(f"  Evidence: {evidence}")
            lines.append(f"  Suggestion: {result.suggestion}")
    return "\n".join(lines) + "\n"


def send_health_digests(today: date | None = None) -> list[Delivery]:
    """Send this month's digest to everyone who should get it and has not; return the
    deliveries tried now."""
    today = today or timezone.localdate()
    month = f"{today:%Y-%m}"
    # Admins get every digest (docs/permissions.md: a superuser counts as an admin).
    admins = Q(role=Role.ADMIN) | Q(is_superuser=True)
    staff = User.objects.filter(admins, is_active=True)
    done = set(
        Delivery.objects.filter(kind=KIND, key__endswith=f":{month}").values_list(
            "recipient_id", flat=True
        )
    )
    if staff.exists() and set(staff.values_list("pk", flat=True)) <= done:
        return []
    end, changes = changed_statuses(today)
    teams = {str(r.scope["team"]) for r, _ in changes if "team" in r.scope}
    people = User.objects.filter(admins | Q(teams__slug__in=teams), is_active=True)
    text = digest_text(end, changes)
    subject = f"Learning health: {len(changes)} checks changed status in {end:%B %Y}"
    run = Run()
    deliveries: list[Delivery] = []
    for user in people.distinct().order_by("pk"):
        if user.pk in done:
            continue
        deliveries += send(
            user, kind=KIND, subject=subject, text=text, key=digest_key(user, month), run=run
        )
    return deliveries
