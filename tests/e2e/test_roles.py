"""Roles in a real browser: the owner cannot name themselves reviewer; a viewer only reads."""

from __future__ import annotations

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
def people(transactional_db: None) -> None:
    create_user("alice", password=PASSWORD, display_name="Alice Owner")
    create_user("bob", password=PASSWORD, display_name="Bob Teammate")
    create_user("nina", password=PASSWORD, display_name="Nina Reader", role="viewer")
    load_record(postmortem_record())


def sign_in(page: Page, live_server: LiveServer, username: str) -> None:
    page.goto(live_server.url + "/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_the_owner_is_told_they_cannot_review_their_own_postmortem(
    people: None, live_server: LiveServer, page: Page
) -> None:
    from playwright.sync_api import expect

    sign_in(page, live_server, "alice")
    page.goto(live_server.url + "/postmortems/PM-1/")
    page.get_by_role("link", name="Change who works on it").click()
    page.get_by_role("group", name="Reviewers").get_by_label("Alice Owner").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The owner never reviews their own postmortem.")).to_be_visible()


def test_a_viewer_reads_without_buttons_to_change(
    people: None, live_server: LiveServer, page: Page
) -> None:
    from playwright.sync_api import expect

    sign_in(page, live_server, "nina")
    page.goto(live_server.url + "/postmortems/PM-1/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Checkout errors")
    expect(page.get_by_role("link", name="Change who works on it")).to_have_count(0)
    page.goto(live_server.url + "/incidents/")
    expect(page.get_by_role("link", name="New incident")).to_have_count(0)
