"""Asking the library from the home page and following a passage to its place."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from secondstory.accounts.models import Team
from secondstory.accounts.services import create_user
from secondstory.postmortems.records import load_record
from tests.apps.factories import postmortem_record

if TYPE_CHECKING:
    from playwright.sync_api import Page
    from pytest_django.live_server_helper import LiveServer

PASSWORD = "a long enough test passphrase"

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def data(transactional_db: None) -> None:
    alice = create_user("alice", password=PASSWORD, display_name="Alice Owner")
    create_user("bob", password=PASSWORD, display_name="Bob Teammate")
    team = Team.objects.create(slug="payments", name="Payments")
    team.members.set([alice])
    load_record(postmortem_record("PM-1"))


def test_a_question_on_the_home_page_leads_to_the_factor(
    data: None, live_server: LiveServer, page: Page
) -> None:
    from playwright.sync_api import expect

    page.goto(live_server.url + "/login/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(live_server.url + "/")
    page.get_by_label("Ask the library").fill("did the pool size ever break checkout?")
    page.get_by_role("button", name="Ask").click()
    expect(page.get_by_role("heading", name="From 1 postmortem")).to_be_visible()
    expect(page.locator(".ask-passage mark").first).to_be_visible()
    page.get_by_role("link", name="Factor F1 (Tooling)").click()
    assert page.url.endswith("/postmortems/PM-1/#factor-F1")
    expect(page.locator("#factor-F1")).to_be_visible()
