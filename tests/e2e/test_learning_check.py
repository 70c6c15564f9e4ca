"""The learning check in a real browser: three people at the review answer and the results
appear; with two answers they stay hidden. The survey page passes the design checks."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from secondstory.accounts.models import Team
from secondstory.accounts.services import create_user
from secondstory.core import learningcheck
from secondstory.learningcheck import services
from secondstory.learningcheck.models import Answer, Respondent
from secondstory.postmortems.records import load_record
from tests.apps.factories import postmortem_record
from tests.e2e.design_checks import horizontal_overflow, serious_violations, unstyled_controls

if TYPE_CHECKING:
    from pathlib import Path

    from playwright.sync_api import Browser, Page
    from pytest_django.live_server_helper import LiveServer

PASSWORD = "a long enough test passphrase"
HIDDEN = "Fewer than 3 answers: results hidden."

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _sign_in(page: Page, live_server: LiveServer, username: str) -> None:
    page.goto(live_server.url + "/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(live_server.url + "/")


def _answer(browser: Browser, live_server: LiveServer, username: str, safe: str) -> Page:
    from playwright.sync_api import expect

    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="en-GB", bypass_csp=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    _sign_in(page, live_server, username)
    page.goto(live_server.url + "/postmortems/PM-1/")
    page.get_by_role("link", name="Answer the learning check").click()
    for item in learningcheck.ITEMS:
        choice = safe if item.code == learningcheck.SAFE else "6 Agree"
        page.get_by_role("group", name=item.statement).get_by_label(choice).check()
    page.get_by_role("button", name="Send my answer").click()
    expect(page.get_by_text("You have answered this learning check.")).to_be_visible()
    return page


def test_three_people_answer_and_the_results_appear(
    transactional_db: None, live_server: LiveServer, browser: Browser, artifacts: Path
) -> None:
    from playwright.sync_api import expect

    people = {}
    for username in ("alice", "bob", "charlie", "dana"):
        people[username] = create_user(username, password=PASSWORD, display_name=username.title())
    Team.objects.create(slug="payments", name="Payments").members.add(people["alice"])
    postmortem = load_record(postmortem_record())  # owner alice, reviewer bob
    postmortem.collaborators.add(people["charlie"], people["dana"])
    services.open_learning_check(postmortem)

    first = _answer(browser, live_server, "alice", "2 Disagree")
    _answer(browser, live_server, "bob", "7 Strongly agree")
    first.reload()
    expect(first.get_by_text(HIDDEN)).to_be_visible()
    expect(first.get_by_text("2 of 4 people have answered")).to_be_visible()

    third = _answer(browser, live_server, "charlie", "6 Agree")
    expect(third.get_by_text(HIDDEN)).to_have_count(0)
    table = third.locator("#learning-check-answers table")
    row = table.get_by_role("row", name="felt safe to speak")
    expect(row).to_contain_text("3")
    assert row.locator("td").all_inner_texts()[:8] == ["3", "0", "1", "0", "0", "0", "1", "1"]
    third.screenshot(path=str(artifacts / "learning-check-results.png"), full_page=True)
    assert serious_violations(third) == []
    assert unstyled_controls(third) == []
    assert Answer.objects.count() == 3 and Respondent.objects.count() == 3

    # the fourth person sees the form, which passes the same checks at a phone's width
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="en-GB", bypass_csp=True
    )
    phone = context.new_page()
    _sign_in(phone, live_server, "dana")
    phone.goto(live_server.url + "/postmortems/PM-1/learning-check/")
    expect(phone.get_by_role("button", name="Send my answer")).to_be_visible()
    assert serious_violations(phone) == [] and unstyled_controls(phone) == []
    assert horizontal_overflow(phone) == 0
    phone.screenshot(path=str(artifacts / "learning-check-form-phone.png"), full_page=True)
