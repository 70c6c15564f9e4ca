"""The co-occurrence of factor categories counted by the database (postmortems grouped by
their set of categories) equals the pairs counted over every postmortem read into Python,
for random factors (several of a category in one postmortem, none at all), for the
organisation over two ranges, a team and a service."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from secondstory.accounts.models import Team
from secondstory.core.insights.periods import DateRange
from secondstory.incidents.models import Incident, Milestone, Service
from secondstory.insights import factor_figures, services
from secondstory.insights.scope import Scope
from secondstory.postmortems.models import ContributingFactor, FactorCategory, Postmortem
from secondstory.postmortems.records import load_record
from tests.apps.factories import postmortem_record


def reference(scope: Scope) -> Counter[tuple[str, str]]:
    """Per postmortem in scope, every ordered pair of its categories (a category with itself
    included), counted once per postmortem."""
    ids = set(services.postmortem_ids(scope).values_list("postmortem_id", flat=True))
    categories: dict[int, set[str]] = {pk: set() for pk in ids}
    for pm, code in ContributingFactor.objects.filter(postmortem_id__in=ids).values_list(
        "postmortem_id", "category__code"
    ):
        categories[pm].add(code)
    pairs: Counter[tuple[str, str]] = Counter()
    for found in categories.values():
        for a in found:
            for b in found:
                pairs[(a, b)] += 1
    return pairs


def fast(scope: Scope) -> Counter[tuple[str, str]]:
    counted: Counter[tuple[str, str]] = Counter()
    for pair in factor_figures.factor_pairs(scope):
        assert (pair.a, pair.b) not in counted, "each pair once"
        counted[(pair.a, pair.b)] = pair.postmortems
    return counted


@pytest.mark.django_db
def test_the_pairs_equal_those_counted_over_every_postmortem() -> None:
    rng = random.Random(13)
    team = Team.objects.create(slug="payments", name="Payments")
    service = Service.objects.create(slug="checkout", name="Checkout")
    codes = list(FactorCategory.objects.values_list("code", flat=True))
    assert len(codes) >= 4
    for n in range(24):
        pm = load_record(postmortem_record(f"PM-{n}"))
        ContributingFactor.objects.filter(postmortem=pm).delete()
        chosen = [rng.choice(codes) for _ in range(rng.randrange(0, 6))]
        ContributingFactor.objects.bulk_create(
            ContributingFactor(
                postmortem=pm,
                key=f"F{i}",
                position=i,
                category=FactorCategory.objects.get(code=code),
                description=f"condition {i}",
            )
            for i, code in enumerate(chosen)
        )
        incident = Incident.objects.get(key=f"INC-PM-{n}")
        began = datetime(2026, 1, 5, 12, tzinfo=UTC) + timedelta(days=7 * n)
        Milestone.objects.filter(incident=incident).update(at=began)
        if n % 3:
            incident.teams.add(team)
        if n % 2:
            incident.services.add(service)
    assert Postmortem.objects.count() == 24
    today = date(2026, 7, 1)
    span = DateRange(date(2025, 12, 1), date(2026, 6, 30))
    scopes = [
        Scope(span, today),
        Scope(DateRange(date(2026, 2, 1), date(2026, 3, 31)), today),
        Scope(span, today, team=team),
        Scope(span, today, service=service),
    ]
    with timezone.override(UTC):
        for scope in scopes:
            expected = reference(scope)
            assert expected, scope
            assert fast(scope) == expected, scope
        assert len(reference(scopes[0])) > len(codes), "categories appear together"
