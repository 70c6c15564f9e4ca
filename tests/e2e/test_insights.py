"""The insights page in headless Chromium: SVG charts with their tables, and the CSV link."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from secondstory.accounts.services import create_user
from secondstory.postmortems.records import load_record
from tests.apps.factories import postmortem_record

if TYPE_CHECKING:
    from playwright.sync_api import Page
    from pytest_django.live_server_helper import LiveServer

PASSWORD = "a long enough test passphrase"

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def organisation(transactional_db: None) -> None:
    create_user("alice", password=PASSWORD, display_name="Alice Owner")
    create_user("bob", password=PASSWORD, display_name="Bob Teammate")
    for key in ("PM-1", "PM-2", "PM-3"):
        load_record(postmortem_record(key))


def test_the_insights_page_draws_charts_beside_their_tables(
    organisation: None, page: Page, live_server: LiveServer, artifacts: Path
) -> None:
    page.goto(live_server.url + "/login/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(live_server.url + "/")
    page.get_by_role("link", name="Insights").click()
    page.wait_for_url(live_server.url + "/insights/")
    page.get_by_label("From", exact=True).fill("2026-01-01")
    page.get_by_label("to", exact=True).fill("2026-06-30")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**/insights/?from=2026-01-01*")

    figure = page.locator("#incidents-by-severity")
    chart = figure.get_by_role("img", name="Incidents by severity per month")
    box = chart.bounding_box()
    assert box is not None and box["width"] > 200 and box["height"] > 50
    assert figure.locator("rect").count() >= 1  # the March bar
    march = figure.get_by_role("row", name="2026-03")
    assert march.get_by_role("cell").last.inner_text() == "3"
    assert page.locator("svg[role=img]").count() >= 10
    assert page.locator("#factor-co-occurrence svg rect").count() == 12 * 12
    page.screenshot(path=str(artifacts / "insights.png"), full_page=True)

    with page.expect_download() as download:
        figure.get_by_role("link", name="CSV").click()
    assert download.value.suggested_filename == "incidents-by-severity.csv"
