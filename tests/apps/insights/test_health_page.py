"""``/insights/health/``: alarms first with evidence and suggestion, an as-of date, and
evidence the reader may not read shown only as a count."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from django.test import Client

from secondstory.accounts.models import User
from secondstory.cli.main import cli
from secondstory.incidents.models import Incident

FIXTURES = Path(__file__).parents[2] / "fixtures" / "health"


@pytest.fixture
def slow_organisation(db: None) -> None:
    result = CliRunner().invoke(cli, ["load", str(FIXTURES / "slow-publication")])
    assert result.exit_code == 0, result.output


def page(client: Client, user: User, **params: str) -> str:
    client.force_login(user)
    response = client.get("/insights/health/", params)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_alarms_come_first_with_links_and_suggestion(
    slow_organisation: None, charlie: User, client: Client
) -> None:
    html = page(client, charlie, as_of="2026-06-30")
    concerns, _, rest = html.partition("checks are ok")
    assert "<code>slow-publication</code>" in concerns and "team data" in concerns
    assert 'href="/postmortems/PM-' in concerns and "Book the review meeting" in concerns
    assert "<code>blame-drift</code>" in rest
    assert 'value="2026-06-30"' in html


@pytest.mark.django_db
def test_restricted_evidence_is_only_counted_for_readers_who_may_not_read_it(
    slow_organisation: None, charlie: User, client: Client
) -> None:
    first = page(client, charlie, as_of="2026-06-30")
    key = "PM-" + first.split('href="/postmortems/PM-', 1)[1].split("/", 1)[0]
    Incident.objects.filter(postmortems__key=key).update(visibility="restricted")
    html = page(client, charlie, as_of="2026-06-30")
    assert f"/postmortems/{key}/" not in html and f">{key}<" not in html
    assert "1 restricted postmortem you may not read" in html
    charlie.role = "admin"
    charlie.save()
    assert f'href="/postmortems/{key}/"' in page(client, charlie, as_of="2026-06-30")


@pytest.mark.django_db
def test_a_bad_date_is_explained_and_today_is_shown(charlie: User, client: Client) -> None:
    html = page(client, charlie, as_of="yesterday")
    assert "is not a date of the form YYYY-MM-DD" in html
