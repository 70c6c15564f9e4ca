"""The blameless review beyond the sections, and the publish gate, in a real browser."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest

from secondstory.accounts.models import Team, User
from secondstory.accounts.services import create_user
from secondstory.postmortems.blameless import dismiss
from secondstory.postmortems.models import Postmortem
from secondstory.postmortems.publish_gate import review_gate
from secondstory.postmortems.records import load_record
from tests.apps.factories import postmortem_record

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page
    from pytest_django.live_server_helper import LiveServer

PASSWORD = "a long enough test passphrase"
FACTOR_BLAME = "The on-call engineer failed to notice the pool size."
TITLE_BLAME = "Remind everyone to be more careful with pool sizes"
EVENT_BLAME = "Dana obviously should have seen the alert."
BLAME = "The engineer should have checked the dashboard."

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def people() -> User:
    alice = create_user("alice", password=PASSWORD, display_name="Alice Owner")
    bob = create_user("bob", password=PASSWORD, display_name="Bob Reviewer")
    Team.objects.create(slug="payments", name="Payments").members.set([alice, bob])
    return alice


def sign_in(page: Page, live_server: LiveServer, username: str) -> None:
    page.goto(live_server.url + "/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(live_server.url + "/")


def typed(field: Locator, text: str) -> None:
    """Type into a field of a form htmx has just swapped in, once htmx has taken it over (it
    does so as the swap settles: a keystroke before that sends nothing, as for a person)."""
    field.element_handle().wait_for_element_state("stable")
    field.page.wait_for_function(
        "el => el['htmx-internal-data'] !== undefined", arg=field.element_handle()
    )
    field.fill(text)


def csrf_token(page: Page) -> str:
    return next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")


def test_factors_action_items_and_hand_written_events_show_findings_in_the_editor(
    transactional_db: None, live_server: LiveServer, page: Page
) -> None:
    from playwright.sync_api import expect

    people()
    load_record(postmortem_record())
    sign_in(page, live_server, "alice")
    page.goto(live_server.url + "/postmortems/PM-1/")

    # A contributing factor: the findings follow the description as it is typed.
    page.locator("#factor-F1").get_by_role("link", name="Edit F1").click()
    form = page.locator("#factor-form-F1")
    typed(form.get_by_label("Description"), FACTOR_BLAME)
    expect(form.locator(".item-review-live")).to_contain_text("1 finding in what you typed")
    expect(form.locator(".item-review-live mark")).to_have_text(re.compile("failed to"))
    form.get_by_role("button", name="Save F1").click()
    factor = page.locator("#factor-F1")
    expect(factor.locator(".review-summary")).to_have_text(
        "Blameless review: 1 finding in this factor."
    )
    # Dismissed with a reason, it is gone from the factor and listed with the dismissals.
    factor.get_by_label("Why it does not apply").fill("Quoted from the first report.")
    factor.get_by_role("button", name="Dismiss").click()
    expect(page.locator("#factor-F1 .review-summary")).to_have_count(0)
    expect(page.locator(".review-dismissals")).to_contain_text("Quoted from the first report.")

    # An action item's title, as typed.
    page.locator("#action-A1").get_by_role("link", name="Edit A1").click()
    action = page.locator("#action-form-A1")
    typed(action.get_by_label("Title"), TITLE_BLAME)
    expect(action.locator(".item-review-live").first).to_contain_text("1 finding in what you typed")

    # A timeline event written by hand, as typed and once saved.
    page.goto(live_server.url + "/postmortems/PM-1/timeline/events/new/")
    typed(page.get_by_label("Text"), EVENT_BLAME)
    live = page.locator(".item-review-live")
    expect(live).to_contain_text("in what you typed")
    expect(live.locator("mark").first).to_be_visible()
    page.locator("#event_date").fill("2026-03-04")
    page.locator("#event_time").fill("14:30:00")
    page.locator("#event_zone").fill("UTC")
    page.get_by_role("button", name="Add the event").click()
    event = page.locator("li.event", has_text=EVENT_BLAME)
    expect(event.locator(".review-summary")).to_contain_text("in this event")


def test_an_undismissed_blame_finding_keeps_a_postmortem_from_being_published(
    transactional_db: None, live_server: LiveServer, page: Page
) -> None:
    from playwright.sync_api import expect

    alice = people()
    postmortem = load_record(postmortem_record(status="approved"))
    Postmortem.objects.filter(pk=postmortem.pk).update(summary=BLAME)
    sign_in(page, live_server, "alice")
    page.goto(live_server.url + "/postmortems/PM-1/")
    page.get_by_role("link", name="Publish…").click()
    gate = page.locator(".review-gate")
    expect(gate).to_contain_text("it cannot be approved or published until")
    expect(gate).to_contain_text("1 blame finding (Summary)")
    expect(page.get_by_role("button", name="Publish")).to_have_count(0)
    # Posting the confirmation anyway changes nothing.
    page.request.post(
        live_server.url + "/postmortems/PM-1/publish/",
        form={"confirm": "yes"},
        headers={"X-CSRFToken": csrf_token(page)},
    )
    assert Postmortem.objects.get(pk=postmortem.pk).status == "approved"

    # Dismissed with a reason, the finding no longer holds it back.
    postmortem.refresh_from_db()
    [finding] = review_gate(postmortem).blame
    dismiss(postmortem, "summary", finding.rule, finding.text, "", "A quote.", alice)
    page.reload()
    expect(page.locator(".review-gate")).to_have_count(0)
    page.get_by_role("button", name="Publish").click()
    expect(page.locator("#about")).to_contain_text("Published")
    assert Postmortem.objects.get(pk=postmortem.pk).status == "published"
