"""The design system in a real browser, on the demo organisation, as an admin and as a reader.

Every main page at 1440 px and 390 px: axe-core finds no serious or critical violation, no
control keeps the browser's default look, nothing scrolls sideways on a phone; each page is
saved as a screenshot (folder: ``SECONDSTORY_SCREENSHOTS``, else the test's tmp dir).
Keyboard: the folded navigation, a dialog and the focus ring.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from secondstory.accounts.models import User
from secondstory.accounts.permissions import visible_postmortems
from secondstory.accounts.services import create_user
from secondstory.postmortems.demo import DEMO_PASSWORD, load_demo
from tests.e2e.design_checks import (
    horizontal_overflow,
    screenshot_folder,
    serious_violations,
    unstyled_controls,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page
    from pytest_django.live_server_helper import LiveServer

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

READER_PASSWORD = "a long enough test passphrase"
WIDTHS = {"wide": (1440, 900), "phone": (390, 844)}


@pytest.fixture
def demo(transactional_db: None) -> dict[str, str]:
    """The demo organisation; its admin (password ``demo``) and a reader with the viewer role."""
    load_demo(today=date(2026, 3, 1))
    admin = User.objects.get(password__isnull=False, is_superuser=True).username
    create_user("rita", password=READER_PASSWORD, display_name="Rita Reader", role="viewer")
    return {"admin": admin, "reader": "rita"}


@pytest.fixture
def demo_people(transactional_db: None) -> dict[str, str]:
    """A small organisation for the keyboard tests: one admin, one postmortem."""
    from secondstory.postmortems.records import load_record
    from tests.apps.factories import postmortem_record

    create_user("ada", password=READER_PASSWORD, display_name="Ada Admin", role="admin")
    create_user("alice", password=READER_PASSWORD, display_name="Alice Owner")
    create_user("bob", password=READER_PASSWORD, display_name="Bob Teammate")
    load_record(postmortem_record())
    return {"admin": "ada"}


def _pages(username: str) -> dict[str, str]:
    """The main pages a person reaches, by a short name (the screenshot's file name)."""
    user = User.objects.get(username=username)
    postmortem = visible_postmortems(user).filter(status="published").order_by("key").first()
    assert postmortem is not None
    incident = postmortem.incidents.order_by("key").first()
    assert incident is not None
    pm, inc = postmortem.key, incident.key
    pages = {
        "home": "/",
        "postmortem": f"/postmortems/{pm}/",
        "postmortems": "/postmortems/",
        "incidents": "/incidents/",
        "incident": f"/incidents/{inc}/",
        "actions": "/actions/",
        "search": "/library/search/?q=database",
        "insights": "/insights/",
        "learning-check": f"/postmortems/{pm}/learning-check/",
        "calendar": "/feeds/",
        "sharing": "/sharing/",
        "game-days": "/game-days/",
        "game-day-suggestions": "/game-days/suggestions/",
        "account": "/account/",
        "accounts": f"/postmortems/{pm}/accounts/",
        "not-found": "/postmortems/PM-99999/",
    }
    if user.is_superuser:
        pages |= {
            "audit": "/audit/",
            "styleguide": "/styleguide/",
            "templates": "/templates/",
            "incident-form": f"/incidents/{inc}/edit/",
            "import": f"/incidents/{inc}/import/",
            "action-form": f"/postmortems/{pm}/actions/add/",
            "factor-form": f"/postmortems/{pm}/factors/add/",
            "section-editor": f"/postmortems/{pm}/sections/summary/edit/",
            "history": f"/postmortems/{pm}/history/",
            "review-schedule": f"/postmortems/{pm}/meetings/schedule/",
            "game-day-form": "/game-days/new/",
        }
    return pages


def _sign_in(page: Page, live_server: LiveServer, username: str, password: str) -> None:
    page.goto(live_server.url + "/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(live_server.url + "/")


def _check_every_page(
    browser: Browser, live_server: LiveServer, username: str, password: str, folder: Path
) -> list[str]:
    problems: list[str] = []
    pages = _pages(username)
    for width_name, (width, height) in WIDTHS.items():
        context = browser.new_context(
            viewport={"width": width, "height": height}, locale="en-GB", bypass_csp=True
        )
        page = context.new_page()
        page.set_default_timeout(30_000)
        for name, path in [("login", "/login/"), *pages.items()]:
            if name != "login" and page.url.endswith("/login/"):
                _sign_in(page, live_server, username, password)
            page.goto(live_server.url + path)
            page.wait_for_load_state("networkidle")
            where = f"{name} ({path}) at {width} px as {username}"
            for v in serious_violations(page):
                problems.append(f"{where}: axe {v['impact']} {v['id']}: {v['help']} {v['nodes']}")
            problems += [f"{where}: unstyled control {c}" for c in unstyled_controls(page)]
            if width_name == "phone" and (overflow := horizontal_overflow(page)):
                problems.append(f"{where}: scrolls sideways by {overflow} px")
            page.screenshot(path=str(folder / f"{username}-{name}-{width}.png"), full_page=True)
        context.close()
    return problems


@pytest.mark.parametrize("persona", ["admin", "reader"])
def test_main_pages_are_accessible_styled_and_fit_a_phone(
    persona: str,
    demo: dict[str, str],
    live_server: LiveServer,
    browser: Browser,
    tmp_path: Path,
) -> None:
    password = DEMO_PASSWORD if persona == "admin" else READER_PASSWORD
    folder = screenshot_folder(tmp_path / "screenshots")
    problems = _check_every_page(browser, live_server, demo[persona], password, folder)
    assert not problems, "\n".join(problems)
    shots = list(folder.glob(f"{demo[persona]}-*.png"))
    assert len(shots) == 2 * (len(_pages(demo[persona])) + 1)  # and the login page


def _focus_ring(page: Page) -> str:
    return str(page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle"))


def test_the_folded_navigation_and_a_dialog_work_by_keyboard(
    demo_people: dict[str, str], live_server: LiveServer, browser: Browser
) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB")
    page = context.new_page()
    _sign_in(page, live_server, demo_people["admin"], READER_PASSWORD)
    menu = page.get_by_role("button", name="Menu")
    audit = page.get_by_role("link", name="Audit log")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(audit).to_be_hidden()
    page.keyboard.press("Tab")  # the skip link comes first
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(menu).to_be_focused()
    assert _focus_ring(page) == "solid"
    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(audit).to_be_visible()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Home")).to_be_focused()
    assert _focus_ring(page) == "solid"
    page.keyboard.press("Escape")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(menu).to_be_focused()
    expect(audit).to_be_hidden()

    page.goto(live_server.url + "/styleguide/")
    opener = page.get_by_role("button", name="Open a dialog")
    opener.focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Remove this factor?")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("button", name="Keep it")).to_be_focused()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(opener).to_be_focused()
    context.close()


def test_without_javascript_every_link_shows(
    demo_people: dict[str, str], live_server: LiveServer, browser: Browser
) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="en-GB", java_script_enabled=False
    )
    page = context.new_page()
    _sign_in(page, live_server, demo_people["admin"], READER_PASSWORD)
    expect(page.get_by_role("button", name="Menu")).to_have_count(0)
    expect(page.get_by_role("link", name="Audit log")).to_be_visible()
    assert horizontal_overflow(page) == 0
    context.close()
