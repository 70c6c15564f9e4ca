"""The writing workspace in a real browser: the whole journey, a conflict, and time zones."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from secondstory.accounts.models import Team
from secondstory.accounts.services import create_user
from secondstory.core.timeline.event import TimelineEvent as EventData
from secondstory.incidents.models import Service, TimelineEvent
from secondstory.postmortems.models import Postmortem
from secondstory.postmortems.records import load_record
from tests.apps.factories import START, postmortem_record

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page
    from pytest_django.live_server_helper import LiveServer

PASSWORD = "a long enough test passphrase"

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def people(transactional_db: None) -> None:
    alice = create_user("alice", password=PASSWORD, display_name="Alice Owner")
    bob = create_user("bob", password=PASSWORD, display_name="Bob Reviewer")
    team = Team.objects.create(slug="payments", name="Payments")
    team.members.set([alice, bob])
    Service.objects.create(slug="checkout", name="Checkout", team=team)


def sign_in(page: Page, live_server: LiveServer, username: str) -> None:
    page.goto(live_server.url + "/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(live_server.url + "/")


def watch_policy(page: Page) -> list[str]:
    """Console messages about the Content-Security-Policy (there must be none)."""
    refused: list[str] = []
    page.on(
        "console",
        lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None,
    )
    return refused


def test_write_review_and_publish_a_postmortem(
    people: None, live_server: LiveServer, page: Page, browser: Browser, artifacts: Path
) -> None:
    from playwright.sync_api import expect

    refused = watch_policy(page)
    sign_in(page, live_server, "alice")

    # An incident with its milestones, on one form.
    page.goto(live_server.url + "/incidents/new/")
    page.get_by_label("Title").fill("Checkout returned errors after a pool change")
    page.get_by_label("Severity").select_option("SEV2")
    page.get_by_label("Services").select_option(label="Checkout")
    page.get_by_label("impact started", exact=True).fill("2026-03-04T13:40")
    page.get_by_label("impact started: UTC offset").fill("+01:00")
    page.get_by_label("detected", exact=True).fill("2026-03-04T13:52")
    page.get_by_label("detected: UTC offset").fill("+01:00")
    page.get_by_label("mitigated", exact=True).fill("2026-03-04T14:30")
    page.get_by_label("mitigated: UTC offset").fill("+01:00")
    page.get_by_role("button", name="Create incident").click()
    expect(page.get_by_text("time to detect = detected − impact started")).to_be_visible()
    page.screenshot(path=artifacts / "journey-01-incident.png", full_page=True)

    # A postmortem from a template.
    page.get_by_role("link", name="Start a postmortem").click()
    page.get_by_label("Google SRE style").check()
    page.get_by_role("button", name="Start the postmortem").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Checkout returned errors")
    key = page.url.rstrip("/").rsplit("/", 1)[-1]

    page.get_by_role("link", name="Edit Summary").click()
    summary = page.locator("#section-summary textarea")
    summary.fill("Checkout failed for 12% of requests for 50 minutes.")
    summary.press("Control+Enter")
    expect(page.locator("#section-summary .saved")).to_contain_text("Saved at")

    # Three events by quick capture, one learned later.
    page.get_by_text("Quick capture: type or paste many events").click()
    page.get_by_label("Events, one per line").fill(
        "13:35 [change] <Deploy bot> deployed the pool size change\n"
        "13:52 [alert] CheckoutErrorRate firing\n"
        "!13:41 pool exhaustion already visible in the database logs\n"
    )
    page.get_by_label("Date of lines without one").fill("2026-03-04")
    page.get_by_label("Zone of lines without an offset").fill("Europe/Berlin")
    page.locator("#capture").get_by_role("button", name="Add all").click()
    expect(page.locator("#timeline li.learned-later")).to_have_count(1)
    expect(page.locator("#timeline")).to_contain_text("CheckoutErrorRate firing")

    # Two contributing factors linked to events, and an action item.
    for category, description, event in (
        ("Tooling", "The config tool accepted a pool size of 1.", "deployed the pool size change"),
        ("Detection", "Nothing alerted on pool exhaustion.", "pool exhaustion already visible"),
    ):
        page.goto(f"{live_server.url}/postmortems/{key}/factors/add/")
        page.get_by_label("Category").select_option(label=category)
        page.get_by_label("Description").fill(description)
        page.get_by_label("Find events").fill(event)  # the picker searches the timeline
        page.get_by_label(re.compile(event)).check()
        page.get_by_role("button", name="Add factor").click()
    expect(page.locator("#factors")).to_contain_text("Nothing alerted on pool exhaustion.")

    page.goto(f"{live_server.url}/postmortems/{key}/actions/add/")
    page.get_by_label("Title").fill("Validate pool sizes in the config tool")
    page.get_by_label("Type").select_option("prevent")
    page.get_by_label("Priority").select_option("P1")
    page.get_by_label("Owner").select_option(label="Alice Owner (alice)")
    page.get_by_role("button", name="Add action item").click()
    expect(page.locator("#action-items")).to_contain_text("Validate pool sizes")

    # Bob reviews; Alice submits.
    page.get_by_role("link", name="Change who works on it").click()
    page.get_by_role("group", name="Reviewers").get_by_label("Bob Reviewer").check()
    page.get_by_role("button", name="Save people").click()
    page.get_by_role("link", name="Submit for review…").click()
    expect(page.get_by_text("Missing")).to_have_count(0)
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator("#about")).to_contain_text("In review")
    page.screenshot(path=artifacts / "journey-02-submitted.png", full_page=True)

    reviewer = browser.new_context().new_page()
    refused += watch_policy(reviewer)
    sign_in(reviewer, live_server, "bob")
    waiting = reviewer.locator("section", has=reviewer.get_by_text("Waiting for my review"))
    waiting.get_by_role("link", name=re.compile("Checkout returned errors")).click()
    reviewer.goto(f"{live_server.url}/postmortems/{key}/review/")
    reviewer.get_by_label(re.compile("Comment")).fill("Clear, blameless and complete.")
    reviewer.get_by_role("button", name="Approve").click()
    expect(reviewer.locator("#about")).to_contain_text("Approved")
    reviewer.context.close()

    page.reload()
    page.get_by_role("link", name="Publish…").click()
    expect(page.locator(".publish-notified")).to_contain_text("Who will be notified")
    page.get_by_role("button", name="Publish").click()
    expect(page.locator("#about")).to_contain_text("Published")
    expect(page.locator("#history")).to_contain_text("Bob Reviewer")
    page.screenshot(path=artifacts / "journey-03-published.png", full_page=True)
    assert Postmortem.objects.get(key=key).status == "published"
    assert not refused, refused


def test_two_people_editing_one_section_both_texts_survive(
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
        page.goto(live_server.url + "/postmortems/PM-1/")
        page.get_by_role("link", name="Edit Summary").click()
        expect(page.locator("#section-summary textarea")).to_be_visible()
    first.locator("#section-summary textarea").fill("Alice's summary of the outage.")
    first.locator("#section-summary textarea").press("Control+Enter")
    expect(first.locator("#section-summary .saved")).to_contain_text("Saved at")

    second.locator("#section-summary textarea").fill("Bob's summary, written at the same time.")
    second.locator("#section-summary textarea").press("Control+Enter")
    expect(second.get_by_role("heading", name="Your text")).to_be_visible()
    expect(second.locator("#section-summary .current-text")).to_have_text(
        "Alice's summary of the outage."
    )
    expect(second.locator("#section-summary textarea")).to_have_value(
        "Bob's summary, written at the same time."
    )
    second.screenshot(path=artifacts / "conflict-01.png", full_page=True)
    assert Postmortem.objects.get(key="PM-1").summary == "Alice's summary of the outage."

    merged = "Alice's summary of the outage. Bob adds: written at the same time."
    second.locator("#section-summary textarea").fill(merged)
    second.locator("#section-summary textarea").press("Control+Enter")
    expect(second.locator("#section-summary .saved")).to_contain_text("Saved at")
    assert Postmortem.objects.get(key="PM-1").summary == merged
    first.context.close()
    second.context.close()


def test_a_two_day_timeline_and_switching_the_display_zone(
    people: None, live_server: LiveServer, page: Page, artifacts: Path
) -> None:
    from playwright.sync_api import expect

    record = postmortem_record()
    record.incidents[0].timeline.append(
        EventData(START + timedelta(hours=12), "action", "manual", "late", "Failed back at night")
    )
    load_record(record)
    stored = sorted(TimelineEvent.objects.values_list("at", flat=True))
    sign_in(page, live_server, "alice")
    page.goto(live_server.url + "/postmortems/PM-1/")
    days = page.locator("#timeline h3.day")
    expect(days).to_have_count(2)
    expect(days.first).to_contain_text("4 March 2026")
    expect(days.last).to_contain_text("5 March 2026")
    expect(page.locator("#timeline")).to_contain_text("Times in UTC")
    expect(page.locator("#timeline")).to_contain_text("12:35")  # 13:35 +01:00

    page.get_by_label("This zone:").check()
    page.locator("#timeline").get_by_label("Zone", exact=True).fill("Asia/Kolkata")
    page.get_by_role("button", name="Change zone").click()
    expect(page.locator("#timeline")).to_contain_text("Asia/Kolkata")
    expect(page.locator("#timeline")).to_contain_text("18:05")  # 12:35 UTC at +05:30
    expect(page.locator("#timeline h3.day")).to_have_count(2)
    page.screenshot(path=artifacts / "zone-01-kolkata.png", full_page=True)
    assert sorted(TimelineEvent.objects.values_list("at", flat=True)) == stored

    late = page.locator("#timeline li", has_text="Failed back at night")
    late.get_by_role("button", name="Star").click()
    expect(late.locator(".star")).to_be_visible()
    late.get_by_role("button", name="Mark learned later").click()
    expect(late.locator(".learned-later-label")).to_be_visible()
    event = TimelineEvent.objects.get(source_ref="late")
    assert event.starred and not event.known_at_the_time
