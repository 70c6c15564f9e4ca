"""The learning-health page in headless Chromium: reached from the insights page, alarms
first with their evidence and suggestion, the ok checks folded away, an earlier date."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner

from secondstory.accounts.services import create_user
from secondstory.cli.main import cli

if TYPE_CHECKING:
    from playwright.sync_api import Page
    from pytest_django.live_server_helper import LiveServer

PASSWORD = "a long enough test passphrase"
FIXTURES = Path(__file__).parents[1] / "fixtures" / "health"

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def organisation(transactional_db: None) -> None:
    """A simulated organisation whose one planted problem is slow publication."""
    result = CliRunner().invoke(cli, ["load", str(FIXTURES / "slow-publication")])
    assert result.exit_code == 0, result.output
    create_user("quinn.reader", password=PASSWORD, display_name="Quinn Reader")


def test_the_health_page_puts_alarms_first_with_evidence(
    organisation: None, page: Page, live_server: LiveServer, artifacts: Path
) -> None:
    page.goto(live_server.url + "/login/")
    page.get_by_label("Username").fill("quinn.reader")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(live_server.url + "/")
    page.get_by_role("link", name="Insights").click()
    page.get_by_role("link", name="Learning health").click()
    page.wait_for_url("**/insights/health/")

    page.get_by_label("As of", exact=True).fill("2026-06-30")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**/insights/health/?as_of=2026-06-30*")

    concerns = page.locator("section[aria-labelledby=concerns-heading]")
    assert "slow-publication" in concerns.inner_text()
    assert concerns.locator("a[href^='/postmortems/PM-']").count() >= 1  # the evidence
    ok = page.locator("details", has_text="checks are ok")
    assert not ok.locator("ul").is_visible()  # folded away until asked for
    ok.locator("summary").click()
    assert ok.locator("ul").is_visible()
    page.screenshot(path=str(artifacts / "learning-health.png"), full_page=True)

    concerns.locator("a[href^='/postmortems/PM-']").first.click()
    page.wait_for_url("**/postmortems/PM-**")
