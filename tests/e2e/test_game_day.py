"""A game day in a real browser: from a suggested recurring factor to a verified action item."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from django.db.models import F
from django.utils import timezone

from secondstory.accounts.models import Team
from secondstory.accounts.services import create_user
from secondstory.actions.services import set_status
from secondstory.gamedays.models import GameDay, Verification
from secondstory.incidents.models import Milestone, TimelineEvent
from secondstory.postmortems.records import load_record
from tests.apps.factories import START, postmortem_record

if TYPE_CHECKING:
    from playwright.sync_api import Page
    from pytest_django.live_server_helper import LiveServer

PASSWORD = "a long enough test passphrase"

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def history(transactional_db: None) -> None:
    """Three postmortems with a tooling factor on checkout, a month ago; PM-1's item done."""
    alice = create_user("alice", password=PASSWORD, display_name="Alice Owner")
    bob = create_user("bob", password=PASSWORD, display_name="Bob Teammate")
    Team.objects.create(slug="payments", name="Payments").members.set([alice, bob])
    first, *_ = [load_record(postmortem_record(key)) for key in ("PM-1", "PM-2", "PM-3")]
    set_status(first.action_items.get(key="A1"), "done")
    Milestone.objects.update(at=F("at") + (timezone.now() - START - timedelta(days=30)))


def test_from_a_suggestion_to_a_verified_action_item(
    history: None, live_server: LiveServer, page: Page, artifacts: Path
) -> None:
    from playwright.sync_api import expect

    page.goto(live_server.url + "/login/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    # A suggestion from the recurring (checkout, tooling) pair prefills the plan.
    page.get_by_role("link", name="Game days").click()
    page.get_by_role("link", name="Suggested game days").click()
    suggestion = page.locator("li.suggestion", has_text="Probe checkout for tooling factors")
    suggestion.get_by_role("link", name=re.compile("Plan a game day")).click()
    expect(page.get_by_label("Title")).to_have_value("Probe checkout for tooling factors")
    expect(
        page.get_by_role("group", name="Services probed").get_by_label("Checkout")
    ).to_be_checked()
    page.get_by_label("Steady state: what is measured").fill("checkout success rate")
    page.get_by_label("Expected value or range").fill("≥ 99.5 %")
    page.get_by_label("Fault injected").fill("Set the pool size to 1 with the config tool")
    page.get_by_role("button", name="Plan the game day").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Probe checkout for tooling factors")
    game_day = GameDay.objects.get()
    page.get_by_role("button", name="Start the game day").click()
    expect(page.locator(".status-line")).to_contain_text("Running")

    # Observations on the review's timeline, with the timeline editor's quick capture.
    page.get_by_role("link", name=re.compile("Add observations on the timeline")).click()
    page.get_by_text("Quick capture: type or paste many events").click()
    page.get_by_label("Events, one per line").fill(
        "09:05 [change] pool size set to 1 by the config tool\n"
        "09:06 [observation] the config tool refused the value and kept 20\n"
    )
    page.get_by_label("Date of lines without one").fill("2026-05-20")
    page.get_by_label("Zone of lines without an offset").fill("Europe/Berlin")
    page.locator("#capture").get_by_role("button", name="Add all").click()
    expect(page.locator("#timeline")).to_contain_text("refused the value and kept 20")

    # A finding from the same taxonomy, and an action item on the same clocks.
    review = game_day.postmortem.key
    page.goto(f"{live_server.url}/postmortems/{review}/factors/add/")
    page.get_by_label("Category").select_option(label="Detection")
    page.get_by_label("Description").fill("No alert tells that a config value was refused.")
    page.get_by_role("button", name="Add factor").click()
    page.goto(f"{live_server.url}/postmortems/{review}/actions/add/")
    page.get_by_label("Title").fill("Alert when the config tool refuses a value")
    page.get_by_label("Type").select_option("detect")
    page.get_by_label("Priority").select_option("P2")
    page.get_by_label("Owner").select_option(label="Alice Owner (alice)")
    page.get_by_role("button", name="Add action item").click()
    expect(page.locator("#action-items")).to_contain_text("Alert when the config tool refuses")
    expect(page.locator(".postmortem-header")).to_contain_text(game_day.key)

    # Mark PM-1's done item verified, with the observation as evidence.
    page.goto(f"{live_server.url}/game-days/{game_day.key}/")
    expect(page.locator("#findings-heading + ul")).to_contain_text("No alert tells")
    page.get_by_role("textbox", name="Action item").fill("PM-1/A1")
    page.get_by_label("Note", exact=True).fill("The config tool refused a pool size of 1.")
    observation = TimelineEvent.objects.get(text__contains="refused the value")
    page.get_by_label("Observation that shows it").select_option(str(observation.pk))
    page.get_by_role("button", name="Mark verified").click()
    expect(page.locator(".verifications")).to_contain_text("PM-1/A1")
    page.screenshot(path=str(artifacts / "game-day.png"), full_page=True)
    assert Verification.objects.get().observation == observation

    page.goto(live_server.url + "/actions/?verified=yes")
    expect(page.get_by_role("link", name=f"verified by {game_day.key}")).to_be_visible()
    page.goto(live_server.url + "/postmortems/PM-1/")
    expect(page.locator("#action-A1")).to_contain_text(f"Verified by game day {game_day.key}")
    # The exercise stays out of the incident list.
    page.goto(live_server.url + "/incidents/")
    expect(page.get_by_text(game_day.title)).to_have_count(0)
