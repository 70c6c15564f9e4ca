"""Schedule a review in a real browser, read its agenda, take notes (autosaved), record a
decision, mark it held, and find the decision in the postmortem."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from secondstory.accounts.models import Team
from secondstory.accounts.services import create_user
from secondstory.postmortems.records import load_record
from secondstory.reviews.models import ReviewMeeting
from secondstory.reviews.services import attendees_of
from tests.apps.factories import postmortem_record
from tests.e2e.design_checks import horizontal_overflow, serious_violations, unstyled_controls

if TYPE_CHECKING:
    from pathlib import Path

    from playwright.sync_api import Browser, Page
    from pytest_django.live_server_helper import LiveServer

PASSWORD = "a long enough test passphrase"

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _check_design(browser: Browser, page: Page) -> None:
    """The meeting page follows the design system, wide and on a phone (axe needs its script
    injected, so this runs in a second context of the same session without the CSP)."""
    context = browser.new_context(bypass_csp=True, locale="en-GB")
    context.add_cookies(page.context.cookies())
    checked = context.new_page()
    for width in (1440, 390):
        checked.set_viewport_size({"width": width, "height": 900})
        checked.goto(page.url)
        checked.wait_for_load_state("networkidle")
        assert serious_violations(checked) == []
        assert unstyled_controls(checked) == []
        assert not horizontal_overflow(checked)
    context.close()


def test_schedule_a_review_take_notes_record_a_decision_and_hold_it(
    transactional_db: None, live_server: LiveServer, page: Page, browser: Browser,
    artifacts: Path,
) -> None:  # fmt: skip
    from playwright.sync_api import expect

    alice = create_user("alice", password=PASSWORD, display_name="Alice Owner",
                        email="alice@example.com")  # fmt: skip
    bob = create_user("bob", password=PASSWORD, display_name="Bob Teammate",
                      email="bob@example.com")  # fmt: skip
    Team.objects.create(slug="payments", name="Payments").members.set([alice, bob])
    record = postmortem_record()
    record.sections["open_questions"] = "- Why did the alert wait 10 minutes?"
    postmortem = load_record(record)

    page.goto(live_server.url + "/login/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(live_server.url + "/postmortems/PM-1/")
    expect(page.locator("#review-meeting")).to_contain_text("review overdue by")
    page.get_by_role("link", name="Schedule a review…").click()

    page.get_by_label("Date").fill("2026-12-15")
    page.get_by_label("Time", exact=True).fill("15:00")
    page.get_by_label("Time zone").select_option("Europe/Paris")
    page.get_by_label("Room or call link").fill("https://meet.example.com/pm-1")
    page.get_by_label("Facilitator").select_option(label="Bob Teammate (bob)")
    page.get_by_role("group", name="Attendees").get_by_label("Bob Teammate (bob)").check()
    page.get_by_role("button", name="Schedule and send invites").click()

    expect(page.get_by_role("heading", name="Agenda")).to_be_visible()
    expect(page.locator("dl.facts")).to_contain_text(
        "Tuesday 15 December 2026, 15:00 (Europe/Paris)"
    )
    expect(page.locator("#agenda")).to_contain_text("Why did the alert wait 10 minutes?")
    expect(page.locator("#agenda")).to_contain_text("The error-rate alert waited 10 minutes.")
    expect(page.get_by_role("note")).to_contain_text("has not been shared for review")

    _check_design(browser, page)

    page.get_by_label("Meeting notes").fill("We walked through the timeline.")
    expect(page.locator("#notes-status")).to_contain_text("Saved at")
    meeting = ReviewMeeting.objects.get()
    assert meeting.notes == "We walked through the timeline."

    page.get_by_role("textbox", name="Decision").fill(
        "Pool sizes below 10 are refused by the config tool"
    )
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator("#decisions")).to_contain_text("Pool sizes below 10 are refused")

    page.get_by_role("group", name="Who attended").get_by_label("Alice Owner (alice)").uncheck()
    page.get_by_role("button", name="Mark the review held").click()
    expect(page.locator(".status-line")).to_contain_text("Held")
    page.screenshot(path=str(artifacts / "review-meeting.png"), full_page=True)

    page.get_by_role("link", name="PM-1").first.click()
    expect(page.locator("#section-decisions")).to_contain_text(
        "Pool sizes below 10 are refused by the config tool"
    )
    expect(page.locator("#review-meeting")).to_contain_text("Held")
    assert attendees_of(postmortem) == [bob]
