"""Two people write their accounts in a real browser; one shares, the other does not. The owner
reads both side by side (stacked on a phone); a third reader sees only the shared one."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from secondstory.accounts.services import create_user
from secondstory.perspectives.models import Account, Invitation
from secondstory.postmortems.records import load_record
from tests.apps.factories import postmortem_record
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.design_checks import horizontal_overflow, serious_violations, unstyled_controls

if TYPE_CHECKING:
    from pathlib import Path

    from playwright.sync_api import Browser, Page
    from pytest_django.live_server_helper import LiveServer

PASSWORD = "a long enough test passphrase"
ACCOUNTS = "/postmortems/PM-1/accounts/"

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _as(browser: Browser, live_server: LiveServer, username: str, width: int = 1280) -> Page:
    context = browser.new_context(
        viewport={"width": width, "height": 900}, locale="en-GB", bypass_csp=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(live_server.url + "/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(live_server.url + "/")
    return page


def _write(page: Page, live_server: LiveServer, label: str, saw: str, did: str) -> None:
    from playwright.sync_api import expect

    page.goto(live_server.url + ACCOUNTS)
    page.get_by_role("link", name="Write your account").click()
    page.get_by_label("What I saw").fill(saw)
    page.get_by_label("What I did and why it made sense at the time").fill(did)
    # The live coaching answers while typing: gentle with oneself.
    expect(page.locator("#account-coaching")).to_contain_text("hard on yourself")
    assert _problems(page) == []
    page.screenshot(path=str(ARTIFACTS / f"account-editor-{label}.png"), full_page=True)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="First-person accounts")).to_be_visible()


def _problems(page: Page) -> list[str]:
    found = [f"axe {v['id']}: {v['help']}" for v in serious_violations(page)]
    return found + [f"unstyled {c}" for c in unstyled_controls(page)]


def test_two_accounts_one_shared_side_by_side(
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
    load_record(postmortem_record())  # alice owns it, bob reviews it

    owner = _as(browser, live_server, "alice")
    owner.goto(live_server.url + "/postmortems/PM-1/")
    expect(owner.locator(".accounts-panel")).to_contain_text("0 written, 0 shared")
    owner.get_by_role("link", name="Read the accounts side by side").click()
    owner.get_by_label("Also invite (usernames, separated by commas)").fill("carol")
    owner.get_by_role("button", name="Invite", exact=True).click()
    expect(owner.get_by_text("Carol Responder: invited 1 time")).to_be_visible()
    assert {i.person.username for i in Invitation.objects.select_related("person")} >= {"carol"}

    bob = _as(browser, live_server, "bob")
    _write(
        bob,
        live_server,
        "bob",
        "The error-rate page at 02:10 and a flat connection-pool graph.",
        "I rolled the config back because it was the only change that night. "
        "I should have checked the pool size first.",
    )
    bob.get_by_role("button", name="Share with everyone on this postmortem").click()
    expect(bob.get_by_text("Shared", exact=True)).to_be_visible()

    carol = _as(browser, live_server, "carol")
    _write(
        carol,
        live_server,
        "carol",
        "Checkout latency climbing on the payments dashboard.",
        "I restarted two workers since restarts had cleared this before. I feel so stupid now.",
    )
    expect(
        carol.get_by_role("button", name="Share with everyone on this postmortem")
    ).to_be_visible()
    assert Account.objects.filter(shared=True).count() == 1

    owner.goto(live_server.url + ACCOUNTS)
    heads = owner.locator(".perspective-heads .perspective-person")
    expect(heads).to_have_text(["Bob Teammate", "Carol Responder"])
    row = owner.locator(".perspective-row").nth(1)  # "What I saw"
    first, second = row.locator(".perspective-cell").nth(0), row.locator(".perspective-cell").nth(1)
    expect(first).to_contain_text("flat connection-pool graph")
    expect(second).to_contain_text("payments dashboard")
    a, b = first.bounding_box(), second.bounding_box()
    assert a and b and a["x"] < b["x"] and abs(a["y"] - b["y"]) < 1  # side by side
    assert _problems(owner) == []
    owner.screenshot(path=str(artifacts / "accounts-side-by-side.png"), full_page=True)

    phone = _as(browser, live_server, "alice", width=390)
    phone.goto(live_server.url + ACCOUNTS)
    cells = phone.locator(".perspective-row").nth(1).locator(".perspective-cell")
    a, b = cells.nth(0).bounding_box(), cells.nth(1).bounding_box()
    assert a and b and b["y"] > a["y"] and abs(a["x"] - b["x"]) < 1  # stacked
    assert horizontal_overflow(phone) == 0
    phone.screenshot(path=str(artifacts / "accounts-phone.png"), full_page=True)

    reader = _as(browser, live_server, "dave")
    reader.goto(live_server.url + ACCOUNTS)
    expect(reader.locator(".perspective-heads .perspective-person")).to_have_text(["Bob Teammate"])
    expect(reader.get_by_text("1 not shared with you")).to_be_visible()
    expect(reader.locator("main")).not_to_contain_text("payments dashboard")
    assert _problems(reader) == []
    reader.goto(live_server.url + "/postmortems/PM-1/")
    expect(reader.locator(".accounts-panel")).to_contain_text("2 written, 1 shared")
    for page in (owner, phone, bob, carol, reader):
        page.context.close()
