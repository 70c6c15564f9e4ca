"""Two people changing one action item's status in a real browser (htmx): no reason is lost."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from secondstory.accounts.services import create_user
from secondstory.actions.models import ActionItem
from secondstory.postmortems.records import load_record
from tests.apps.factories import postmortem_record

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page
    from pytest_django.live_server_helper import LiveServer

PASSWORD = "a long enough test passphrase"

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def people(transactional_db: None) -> None:
    create_user("alice", password=PASSWORD, display_name="Alice Owner")
    create_user("bob", password=PASSWORD, display_name="Bob Collaborator")


def sign_in(page: Page, live_server: LiveServer, username: str) -> None:
    page.goto(live_server.url + "/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(live_server.url + "/")


def set_not_doing(page: Page, reason: str) -> None:
    form = page.locator("#action-status-A1")
    form.get_by_label("Status").select_option("not_doing")
    form.get_by_label("Reason for not doing").fill(reason)
    form.get_by_role("button", name="Change status").click()


def test_two_people_setting_a_status_both_reasons_survive(
    people: None, live_server: LiveServer, browser: Browser, artifacts: Path
) -> None:
    from playwright.sync_api import expect

    record = postmortem_record()
    record.collaborators = ["bob"]
    load_record(record)
    first, second = browser.new_context().new_page(), browser.new_context().new_page()
    sign_in(first, live_server, "alice")
    sign_in(second, live_server, "bob")
    for page in (first, second):
        page.goto(live_server.url + "/postmortems/PM-1/#action-items")
    set_not_doing(first, "The config tool is retired in May.")
    expect(first.locator("#action-A1")).to_contain_text("Not doing")

    set_not_doing(second, "Covered by the new alerting.")
    conflict = second.locator("#action-status-A1 .conflict")
    expect(conflict).to_contain_text("was changed by someone else")
    expect(conflict).to_contain_text("The config tool is retired in May.")
    expect(second.locator("#action-status-A1 textarea")).to_have_value(
        "Covered by the new alerting."
    )
    second.screenshot(path=artifacts / "status-conflict-01.png", full_page=True)
    assert ActionItem.objects.get(key="A1").reason == "The config tool is retired in May."

    second.locator("#action-status-A1").get_by_role("button", name="Change status to mine").click()
    expect(conflict).to_have_count(0)  # the whole section came back, with the new reason
    expect(second.locator("#action-status-A1 textarea")).to_have_value(
        "Covered by the new alerting."
    )
    assert ActionItem.objects.get(key="A1").reason == "Covered by the new alerting."
    first.context.close()
    second.context.close()
