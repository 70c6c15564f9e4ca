"""The review pipeline's stage times grouped by the database equal those worked out per
(postmortem, incident) in Python: the shortest delays of each postmortem, from its incidents'
last resolution, for incidents in scope only."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from secondstory.accounts.models import Team, User
from secondstory.core.insights.periods import DateRange
from secondstory.core.insights.pipeline import StageTimes
from secondstory.incidents.models import Incident, Milestone, MilestoneKind
from secondstory.insights import services
from secondstory.insights.scope import Scope, incidents_in
from secondstory.postmortems.models import Postmortem
from secondstory.postmortems.records import load_record
from tests.apps.factories import postmortem_record


def _hours(start: datetime, end: datetime | None) -> float | None:
    return None if end is None else (end - start) / timedelta(hours=1)


def _least(a: float | None, b: float | None) -> float | None:
    return b if a is None else a if b is None else min(a, b)


def reference(scope: Scope) -> list[StageTimes]:
    """The plain way: every (postmortem, incident in scope) pair read into Python."""
    shortest: dict[int, list[float | None]] = {}
    for incident in incidents_in(scope).prefetch_related("postmortems", "milestones__kind"):
        resolved = [m.at for m in incident.milestones.all() if m.kind.code == "resolved"]
        if not resolved:
            continue
        for pm in incident.postmortems.all():
            times = [
                _hours(resolved[0], pm.created_at),
                _hours(resolved[0], pm.submitted_at),
                _hours(resolved[0], pm.published_at),
            ]
            seen = shortest.get(pm.pk)
            if seen is not None:
                times = [_least(a, b) for a, b in zip(times, seen, strict=True)]
            shortest[pm.pk] = times
    return [
        StageTimes(*(None if t is None else t / 24 for t in times))  # type: ignore[arg-type]
        for times in shortest.values()
    ]


def _sorted(rows: list[StageTimes]) -> list[tuple[tuple[bool, float], ...]]:
    """The rows in one order (a stage not reached sorts after every number)."""
    return sorted(
        tuple(
            (v is None, 0.0 if v is None else round(v, 6)) for v in (r.draft, r.review, r.published)
        )
        for r in rows
    )


@pytest.mark.django_db
def test_the_grouped_stage_times_equal_the_pairs_read_into_python(alice: User, bob: User) -> None:
    Team.objects.create(slug="payments", name="Payments")
    resolved = MilestoneKind.objects.get(code="resolved")
    base = datetime(2026, 3, 1, tzinfo=UTC)
    for n in range(7):
        pm = load_record(postmortem_record(f"PM-{n}"))
        Postmortem.objects.filter(pk=pm.pk).update(
            created_at=base + timedelta(days=n, hours=3),
            submitted_at=None if n % 3 == 0 else base + timedelta(days=2 * n, hours=5),
            published_at=None if n % 2 else base + timedelta(days=3 * n),
        )
        incident = Incident.objects.get(key=f"INC-PM-{n}")
        Milestone.objects.filter(incident=incident, kind=resolved).update(
            at=base + timedelta(days=n % 4, minutes=37 * n)
        )
        if n == 5:  # a postmortem whose incident was never resolved
            Milestone.objects.filter(incident=incident, kind=resolved).delete()
    # Postmortems of several incidents: PM-1 also covers PM-2's incident (resolved later),
    # PM-3 also covers PM-6's (resolved earlier).
    Postmortem.objects.get(key="PM-1").incidents.add(Incident.objects.get(key="INC-PM-2"))
    Postmortem.objects.get(key="PM-3").incidents.add(Incident.objects.get(key="INC-PM-6"))
    today = date(2026, 6, 1)
    scopes = [
        Scope(DateRange(date(2025, 1, 1), date(2026, 5, 31)), today),
        Scope(DateRange(date(2027, 1, 1), date(2027, 5, 31)), today),  # no incident in it
        Scope(
            DateRange(date(2025, 1, 1), date(2026, 5, 31)),
            today,
            team=Team.objects.get(slug="payments"),
        ),
    ]
    with timezone.override(UTC):
        for scope in scopes:
            assert _sorted(services.stage_times(scope)) == _sorted(reference(scope)), scope
    assert len(services.stage_times(scopes[0])) == 6  # PM-5's incident was never resolved
