"""The practice around one review, end to end in a real browser: the owner schedules the
review, two people write their first-person accounts before it, the review is held with the
people who came, and those people answer the learning check it opened."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from secondstory.accounts.services import create_user
from secondstory.learningcheck.models import Answer, Respondent
from secondstory.perspectives.models import Account
from secondstory.postmortems.records import load_record
from tests.apps.factories import postmortem_record
from tests.e2e.test_accounts import PASSWORD, _as, _write
from tests.e2e.test_learning_check import HIDDEN, _answer

if TYPE_CHECKING:
    from pathlib import Path

    from playwright.sync_api import Browser
    from pytest_django.live_server_helper import LiveServer

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_schedule_collect_two_accounts_hold_the_review_and_answer_the_learning_check(
    transactional_db: None, live_server: LiveServer, browser: Browser, artifacts: Path
) -> None:
    from playwright.sync_api import expect

    for username, name in [
        ("alice", "Alice Owner"),
        ("bob", "Bob Teammate"),
        ("carol", "Carol Responder"),
        ("dave", "Dave Reader"),
    ]:
        create_user(username, password=PASSWORD, display_name=name)
    postmortem = load_record(postmortem_record())  # alice owns it, bob reviews it

    owner = _as(browser, live_server, "alice")
    owner.goto(live_server.url + "/postmortems/PM-1/")
    # Before any review is held, nobody is asked the learning check yet.
    expect(owner.get_by_role("link", name="Answer the learning check")).to_have_count(0)
    owner.get_by_role("link", name="Schedule a review…").click()
    owner.get_by_label("Date").fill("2026-12-15")
    owner.get_by_label("Time", exact=True).fill("10:00")
    owner.get_by_label("Time zone").select_option("Europe/London")
    owner.get_by_label("Facilitator").select_option(label="Bob Teammate (bob)")
    attendees = owner.get_by_role("group", name="Attendees")
    for label in ("Bob Teammate (bob)", "Carol Responder (carol)", "Dave Reader (dave)"):
        attendees.get_by_label(label).check()
    owner.get_by_role("button", name="Schedule and send invites").click()
    expect(owner.get_by_role("heading", name="Agenda")).to_be_visible()
    meeting_url = owner.url

    # Two accounts before the meeting: the owner invites Carol; Bob is named on the postmortem.
    owner.goto(live_server.url + "/postmortems/PM-1/accounts/")
    owner.get_by_label("Also invite (usernames, separated by commas)").fill("carol")
    owner.get_by_role("button", name="Invite", exact=True).click()
    expect(owner.get_by_text("Carol Responder: invited 1 time")).to_be_visible()
    bob = _as(browser, live_server, "bob")
    bob_did = "I rolled back the config since it was the only change. I should have looked first."
    _write(bob, live_server, "practice-bob", "A flat pool graph at 02:10.", bob_did)
    bob.get_by_role("button", name="Share with everyone on this postmortem").click()
    carol = _as(browser, live_server, "carol")
    carol_did = "I restarted two workers as that had cleared it before. I feel so stupid now."
    _write(carol, live_server, "practice-carol", "Latency rising on the dashboard.", carol_did)
    assert Account.objects.filter(postmortem=postmortem).count() == 2
    owner.goto(live_server.url + "/postmortems/PM-1/accounts/")
    expect(owner.locator(".perspective-heads .perspective-person")).to_have_text(
        ["Bob Teammate", "Carol Responder"]
    )

    # The review is held; Alice, the owner, did not come.
    owner.goto(meeting_url)
    held = owner.get_by_role("group", name="Who attended")
    for label in ("Bob Teammate (bob)", "Carol Responder (carol)", "Dave Reader (dave)"):
        held.get_by_label(label).check()
    if held.get_by_label("Alice Owner (alice)").count():
        held.get_by_label("Alice Owner (alice)").uncheck()
    owner.get_by_role("button", name="Mark the review held").click()
    expect(owner.locator(".status-line")).to_contain_text("Held")

    # Holding it opened the learning check for the people who came, and only for them.
    owner.goto(live_server.url + "/postmortems/PM-1/")
    expect(owner.get_by_role("link", name="Answer the learning check")).to_have_count(0)
    first = _answer(browser, live_server, "bob", "6 Agree")
    _answer(browser, live_server, "carol", "5 Somewhat agree")
    first.reload()
    expect(first.get_by_text(HIDDEN)).to_be_visible()
    third = _answer(browser, live_server, "dave", "3 Somewhat disagree")
    expect(third.get_by_text(HIDDEN)).to_have_count(0)
    row = third.locator("#learning-check-answers table").get_by_role("row", name="felt safe")
    expect(row).to_contain_text("3")
    third.screenshot(path=str(artifacts / "review-practice-results.png"), full_page=True)
    assert Answer.objects.count() == 3
    assert set(Respondent.objects.values_list("person__username", flat=True)) == {
        "bob", "carol", "dave",
    }  # fmt: skip
    for page in (owner, bob, carol, first, third):
        page.context.close()
