"""The blameless-writing figures summed by the database equal the sums over every postmortem
read into Python, for postmortems of no, one and several teams, over several months and
quarters, with and without stored findings; for the organisation, a team and a service."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, date, datetime

import pytest
from django.utils import timezone

from secondstory.accounts.models import Team, User
from secondstory.core.insights.periods import DateRange
from secondstory.core.insights.writing import WritingRate, writing_rates
from secondstory.incidents.models import Incident, Service
from secondstory.insights import writing
from secondstory.insights.scope import Scope
from secondstory.insights.services import postmortem_ids, quarter_of_month
from secondstory.postmortems.models import Postmortem, ReviewCache
from secondstory.postmortems.records import load_record
from tests.apps.factories import postmortem_record


def reference(scope: Scope) -> tuple[list[WritingRate], int, int]:
    """Per postmortem in Python: its words (spaces and line breaks of every section, plus one
    per non-empty section), its stored findings, once for each of its teams."""
    from secondstory.core import taxonomy

    ids = set(postmortem_ids(scope).values_list("postmortem_id", flat=True))
    found: Counter[int] = Counter()
    for entry in ReviewCache.objects.filter(postmortem_id__in=ids):
        found[entry.postmortem_id] += len(entry.findings or [])
    sums: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for pm in Postmortem.objects.filter(pk__in=ids).prefetch_related("incidents__teams"):
        if pm.pk not in found and not ReviewCache.objects.filter(postmortem=pm).exists():
            continue
        words = 0
        for field in taxonomy.SECTION_FIELDS:
            text = getattr(pm, field)
            words += text.count(" ") + text.count("\n") + (1 if text else 0)
        teams = {t.slug for i in pm.incidents.all() for t in i.teams.all()} or {writing.NO_TEAM}
        quarter = quarter_of_month(pm.created_at.astimezone(UTC).strftime("%Y-%m"))
        for team in teams:
            entry = sums[(team, quarter)]
            entry[0] += 1
            entry[1] += words
            entry[2] += found[pm.pk]
    rates = [WritingRate(t, q, n, w, f) for (t, q), (n, w, f) in sorted(sums.items())]
    reviewed = ReviewCache.objects.filter(postmortem_id__in=ids).values("postmortem_id")
    return rates, len(ids), len(set(reviewed.values_list("postmortem_id", flat=True)))


def fast(scope: Scope) -> tuple[list[WritingRate], int, int]:
    samples, total, reviewed, _dismissed = writing.writing_samples(scope)
    teams = sorted({s.team for s in samples})
    periods = sorted({s.period for s in samples})
    rates = [r for r in writing_rates(samples, teams, periods) if r.postmortems]
    return sorted(rates, key=lambda r: (r.team, r.period)), total, reviewed


@pytest.mark.django_db
def test_the_sums_equal_those_over_every_postmortem(alice: User, bob: User) -> None:
    payments = Team.objects.create(slug="payments", name="Payments")
    search = Team.objects.create(slug="search", name="Search")
    service = Service.objects.create(slug="checkout", name="Checkout")
    months = [datetime(2026, m, 3 + m, 12, 0, tzinfo=UTC) for m in (1, 2, 2, 3, 4, 5, 5, 6)]
    for n, created in enumerate(months):
        pm = load_record(postmortem_record(f"PM-{n}"))
        Postmortem.objects.filter(pk=pm.pk).update(
            created_at=created,
            summary="word " * n + "\nline two" * (n % 3),
            impact="" if n % 2 else "impact of many words here",
        )
        incident = Incident.objects.get(key=f"INC-PM-{n}")
        incident.teams.set([[], [payments], [payments, search], [search]][n % 4])
        if n % 3 == 0:
            incident.services.add(service)
        if n % 4 != 3:  # some postmortems were never reviewed
            for section, findings in (("summary", [{"rule": "x"}] * (n % 3)), ("impact", [])):
                ReviewCache.objects.create(
                    postmortem=pm,
                    section=section,
                    fingerprint=f"{n}-{section}",
                    findings=findings,
                    reviewed_at=timezone.now(),
                )
    today = date(2026, 7, 1)
    span = DateRange(date(2025, 12, 1), date(2026, 6, 30))
    scopes = [
        Scope(span, today),
        Scope(DateRange(date(2026, 2, 1), date(2026, 4, 30)), today),
        Scope(span, today, team=payments),
        Scope(span, today, service=service),
    ]
    with timezone.override(UTC):
        for scope in scopes:
            expected = reference(scope)
            assert fast(scope) == expected, scope
        assert expected[0], "the service's scope holds reviewed postmortems"
    assert fast(scopes[0])[0] != [] and {r.team for r in fast(scopes[0])[0]} == {
        writing.NO_TEAM,
        "payments",
        "search",
    }
