"""Near-miss reports per month on the insights pages (organisation and team)."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from secondstory.accounts.models import Team, User
from secondstory.nearmiss.models import NearMiss
from tests.apps.conftest import client_for

pytestmark = pytest.mark.django_db

RANGE = "from=2026-01-01&to=2026-03-31"
CHART = "near-misses-by-month"


def _report(day: date, *teams: Team, reporter: User | None = None) -> None:
    report = NearMiss.objects.create(
        what_happened="x", what_almost_happened="y", reported_on=day, reporter=reporter
    )
    report.teams.set(teams)


def _rows(client: object, path: str) -> list[list[str]]:
    response = client.get(f"{path}?{RANGE}&format=csv&chart={CHART}")  # type: ignore[attr-defined]
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_reports_are_counted_per_month_for_the_organisation_and_each_team(
    alice: User, payments: Team
) -> None:
    search = Team.objects.create(slug="search", name="Search")
    _report(date(2026, 1, 31), payments, reporter=alice)
    _report(date(2026, 1, 1), payments, search)
    _report(date(2026, 3, 15))
    _report(date(2025, 12, 31), payments)  # before the range
    _report(date(2026, 4, 1), search)  # after it
    client = client_for(alice)
    assert _rows(client, "/insights/") == [
        ["month", "reports", "Payments", "Search"],
        ["2026-01", "2", "2", "1"],
        ["2026-02", "0", "0", "0"],
        ["2026-03", "1", "0", "0"],
    ]
    assert _rows(client, "/insights/teams/search/") == [
        ["month", "reports"],
        ["2026-01", "1"],
        ["2026-02", "0"],
        ["2026-03", "0"],
    ]
    page = client.get(f"/insights/?{RANGE}").content.decode()
    assert "Near-miss reports per month" in page
