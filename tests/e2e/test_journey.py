"""The reader's journey in a real browser: log in, find a postmortem, read it, log out."""

from __future__ import annotations

import re
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
def reader_data(transactional_db: None) -> None:
    create_user("alice", password=PASSWORD, display_name="Alice Owner")
    load_record(postmortem_record())


def test_reader_journey(
    reader_data: None, live_server: LiveServer, page: Page, artifacts: Path
) -> None:
    from playwright.sync_api import expect

    page.goto(live_server.url + "/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/$"))
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.screenshot(path=artifacts / "01-login.png")
    page.get_by_role("button", name="Log in").click()

    # Signing in lands on the home page; the list is one click away in the main navigation.
    expect(page.get_by_role("heading", level=1, name="Home")).to_be_visible()
    expect(page.locator("#owned")).to_contain_text("PM-1")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Postmortems").click()
    expect(page).to_have_url(re.compile(r"/postmortems/$"))
    expect(page.get_by_role("heading", level=1, name="Postmortems")).to_be_visible()
    expect(page.locator(".user-name")).to_have_text("Alice Owner")
    title = "Checkout errors after a configuration change"
    row = page.get_by_role("row").filter(has_text="PM-1")
    expect(row).to_contain_text("SEV2")
    expect(row).to_contain_text("Alice Owner")
    page.screenshot(path=artifacts / "02-list.png", full_page=True)

    # The status filter swaps just the table (htmx) and keeps the address shareable.
    page.get_by_label("Status").select_option("published")
    expect(page.get_by_text("No postmortems to show with this status.")).to_be_visible()
    expect(page).to_have_url(re.compile(r"status=published"))
    page.get_by_label("Status").select_option("draft")
    expect(page.get_by_role("link", name=title)).to_be_visible()

    page.get_by_role("link", name=title).click()
    expect(page).to_have_url(re.compile(r"/postmortems/PM-1/$"))
    expect(page.get_by_role("heading", level=1, name=title)).to_be_visible()
    summary = page.locator("#section-summary")
    expect(summary.get_by_role("heading", name="Summary")).to_be_visible()
    expect(summary.locator("strong")).to_have_text("12%")

    timeline = page.locator("#timeline")
    expect(timeline).to_contain_text("Times in UTC")
    expect(timeline.get_by_role("heading", name="Wednesday 4 March 2026")).to_be_visible()
    expect(timeline.locator("li.event")).to_have_count(4)
    expect(timeline.locator("li.learned-later")).to_contain_text("learned later")

    actions = page.locator("#action-items")
    expect(actions).to_contain_text("Validate pool sizes in the config tool")
    expect(actions).to_contain_text("P1")
    page.screenshot(path=artifacts / "03-postmortem.png", full_page=True)

    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/login/$"))
    expect(page.get_by_role("heading", level=1, name="Log in")).to_be_visible()
