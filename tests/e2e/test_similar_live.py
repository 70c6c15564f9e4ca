"""Similar past incidents follow a draft as it is written, in a real browser, without a reload."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from secondstory.accounts.models import Team
from secondstory.accounts.services import create_user
from secondstory.core.record import FactorRecord
from secondstory.postmortems.models import Postmortem
from secondstory.postmortems.records import load_record
from tests.apps.factories import postmortem_record

if TYPE_CHECKING:
    from playwright.sync_api import Page, Response
    from pytest_django.live_server_helper import LiveServer

PASSWORD = "a long enough test passphrase"
EARLIER = "Search went dark after a resolver change"

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def data(transactional_db: None) -> None:
    alice = create_user("alice", password=PASSWORD, display_name="Alice Owner")
    team = Team.objects.create(slug="payments", name="Payments")
    team.members.set([alice])
    # An earlier postmortem that shares nothing with the draft yet: another service, another
    # tag, a process factor where the draft has tooling and detection ones.
    earlier = postmortem_record("PM-1", status="published")
    earlier.incidents[0].services = ["search"]
    earlier.incidents[0].tags = ["dns"]
    load_record(
        replace(
            earlier,
            title=EARLIER,
            created_at=earlier.created_at - timedelta(days=30),
            factors=[FactorRecord("F1", "process", "Resolver changes were never reviewed.")],
            action_items=[],
        )
    )
    load_record(postmortem_record("PM-2"))


def test_the_panel_follows_the_draft_without_a_reload(
    data: None, live_server: LiveServer, page: Page, artifacts: Path
) -> None:
    from playwright.sync_api import expect

    assert Postmortem.objects.get(key="PM-2").status == "draft"
    refused: list[str] = []
    page.on(
        "console",
        lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None,
    )
    fetches: list[str] = []
    page.on("request", lambda r: fetches.append(r.url) if "/library/similar/" in r.url else None)

    page.goto(live_server.url + "/login/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(live_server.url + "/")
    # The page shows a placeholder that fetches the panel once the page has loaded.
    with page.expect_response(lambda r: "/library/similar/PM-2/" in r.url) as initial:
        page.goto(live_server.url + "/postmortems/PM-2/")
    assert _ok(initial.value)
    panel = page.locator("#similar")
    expect(panel).to_contain_text("No earlier postmortem shares")
    expect(panel).not_to_contain_text(EARLIER)
    # Anything on the page that survives until the end proves there was no reload.
    page.evaluate("document.body.dataset.sameVisit = 'yes'")

    # Add a contributing factor in place: the panel fetches itself again and lists the
    # earlier postmortem that has a factor of the same category.
    page.locator("#factors").get_by_role("link", name="Add a contributing factor").click()
    form = page.locator("#factor-form-new")
    form.get_by_label("Category").select_option(label="Process")
    form.get_by_label("Description").fill("Changes to the pool size were not reviewed.")
    with page.expect_response(lambda r: "/library/similar/PM-2/" in r.url) as first:
        form.get_by_role("button", name="Add factor").click()
    assert _ok(first.value)
    expect(page.locator("#factors")).to_contain_text("Changes to the pool size were not reviewed.")
    expect(panel.get_by_role("link", name=f"PM-1 {EARLIER}")).to_be_visible()
    expect(panel).to_contain_text("shares: process factor")
    expect(panel).to_contain_text("read them before you finish")
    panel.screenshot(path=artifacts / "similar-live-01-after-factor.png")

    # Change the summary: the panel is fetched once more (it still listens after being
    # swapped in, and only once; it does not fetch itself again on load).
    page.get_by_role("link", name="Edit Summary").click()
    textarea = page.locator("#section-summary textarea")
    textarea.fill("Checkout failed after an unreviewed resolver and pool size change.")
    with page.expect_response(lambda r: "/library/similar/PM-2/" in r.url) as second:
        textarea.press("Control+Enter")
    assert _ok(second.value)
    expect(page.locator("#section-summary .saved")).to_contain_text("Saved at")
    expect(panel).to_contain_text(EARLIER)
    page.wait_for_timeout(500)
    assert len(fetches) == 3, fetches  # on load, then once per change

    expect(page.locator("body[data-same-visit=yes]")).to_have_count(1)
    assert page.url == live_server.url + "/postmortems/PM-2/"
    assert not refused, refused


def _ok(response: Response) -> bool:
    return response.status == 200 and response.request.headers.get("hx-request") == "true"
