"""The postmortem page fetches the blameless review it had no time for, in a real browser."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from django.test import override_settings

from secondstory.accounts.models import Team
from secondstory.accounts.services import create_user
from secondstory.postmortems.models import Postmortem
from secondstory.postmortems.records import load_record
from tests.apps.factories import postmortem_record

if TYPE_CHECKING:
    from playwright.sync_api import Page
    from pytest_django.live_server_helper import LiveServer

PASSWORD = "a long enough test passphrase"
BLAME = "The engineer should have checked the dashboard. It was obviously a bad idea."

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@override_settings(SECONDSTORY_REVIEW_BUDGET_MS=0)
def test_the_page_swaps_in_the_review_it_had_no_time_for(
    transactional_db: None, live_server: LiveServer, page: Page
) -> None:
    from playwright.sync_api import expect

    alice = create_user("alice", password=PASSWORD, display_name="Alice Owner")
    bob = create_user("bob", password=PASSWORD, display_name="Bob Reviewer")
    create_user("charlie", password=PASSWORD, display_name="Charlie Outsider")
    Team.objects.create(slug="payments", name="Payments").members.set([alice, bob])
    postmortem = load_record(postmortem_record())
    Postmortem.objects.filter(pk=postmortem.pk).update(summary=BLAME)
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Security" in m.text else None)
    page.goto(live_server.url + "/login/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(live_server.url + "/")
    fragment = live_server.url + "/postmortems/PM-1/blameless/"
    with page.expect_response(fragment) as fetched:
        page.goto(live_server.url + "/postmortems/PM-1/")
    assert fetched.value.ok
    review = page.locator("#blameless-review")
    expect(review.locator(".review-counts")).to_have_text("Blameless review: 1 blame, 1 hindsight")
    expect(review.locator(".review-pending")).to_have_count(0)
    assert refused == []
