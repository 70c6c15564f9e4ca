"""In-place section editing in a real browser, under the real Content-Security-Policy."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from secondstory.accounts.services import create_user
from secondstory.postmortems.models import Postmortem
from secondstory.postmortems.records import load_record
from tests.apps.factories import postmortem_record

if TYPE_CHECKING:
    from playwright.sync_api import Page
    from pytest_django.live_server_helper import LiveServer

PASSWORD = "a long enough test passphrase"
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def data(transactional_db: None) -> None:
    create_user("alice", password=PASSWORD, display_name="Alice Owner")
    load_record(postmortem_record())


def test_edit_in_place(data: None, live_server: LiveServer, page: Page, artifacts: Path) -> None:
    from playwright.sync_api import expect

    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type in ("error", "warning") else None)
    page.goto(live_server.url + "/login/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(live_server.url + "/postmortems/PM-1/")
    page.get_by_role("link", name="Edit Summary").click()
    textarea = page.locator("#section-summary textarea")
    expect(textarea).to_be_visible()
    expect(page).to_have_url(re.compile(r"/postmortems/PM-1/$"))
    expect(textarea).to_be_focused()
    textarea.fill("")
    textarea.type("New **summary** text")
    expect(page.locator("#section-summary .save-state")).to_have_text("Unsaved changes")
    page.locator("#section-summary").get_by_role("button", name="Preview").click()
    expect(page.locator("#section-summary .preview strong")).to_have_text("summary")
    page.locator("#section-summary").screenshot(path=artifacts / "writing-01-editing.png")
    textarea.press("Control+Enter")
    expect(page.locator("#section-summary .saved")).to_contain_text("Saved at")
    expect(page.locator("#section-summary .prose strong")).to_have_text("summary")
    assert Postmortem.objects.get().summary == "New **summary** text"
    page.get_by_role("link", name="Edit Trigger").click()
    expect(page.locator("#section-trigger textarea")).to_be_focused()
    page.locator("#section-trigger textarea").press("Escape")
    expect(page.locator("#section-trigger textarea")).to_have_count(0)
    expect(page.locator("#section-trigger .prose")).to_contain_text("connection pool")
    page.screenshot(path=artifacts / "writing-02-saved.png", full_page=True)
    page.emulate_media(media="print")
    page.screenshot(path=artifacts / "writing-03-print.png", full_page=True)
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e], errors


def test_workspace_pages_render_under_the_policy(
    data: None, live_server: LiveServer, page: Page, artifacts: Path
) -> None:
    from playwright.sync_api import expect

    from secondstory.accounts.models import User
    from secondstory.lib.concurrency import fingerprint
    from secondstory.postmortems.revisions import record_revision
    from secondstory.postmortems.writing_services import save_section

    alice = User.objects.get(username="alice")
    alice.role = "admin"
    alice.save()
    pm = Postmortem.objects.get()
    record_revision(pm, author=alice, summary="Imported")
    save_section(
        pm,
        "summary",
        "Line one.\nLine two changed.\nLine three.",
        base=fingerprint(pm.summary),
        author=alice,
    )
    page.goto(live_server.url + "/login/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    for name, url in [
        ("history", "/postmortems/PM-1/history/"),
        ("diff", "/postmortems/PM-1/history/diff/?old=1&new=2"),
        ("start", "/start/?incident=INC-PM-1"),
        ("templates", "/templates/"),
        ("template-form", "/templates/short-form/"),
    ]:
        errors: list[str] = []
        page.on("console", lambda m, errors=errors: errors.append(m.text))
        response = page.goto(live_server.url + url)
        assert response is not None and response.status == 200, name
        expect(page.locator("h1")).to_be_visible()
        page.screenshot(path=artifacts / f"writing-page-{name}.png", full_page=True)
        assert not [e for e in errors if "Content Security Policy" in e], (name, errors)


def test_findings_appear_while_typing_and_can_be_applied_or_dismissed(
    data: None, live_server: LiveServer, page: Page, artifacts: Path
) -> None:
    from playwright.sync_api import expect

    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if "Content Security" in m.text else None)
    page.goto(live_server.url + "/login/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(live_server.url + "/postmortems/PM-1/")
    page.get_by_role("link", name="Edit Summary").click()
    textarea = page.locator("#section-summary textarea")
    textarea.fill("")
    textarea.type("The engineer should have checked the dashboard. It was obviously a bad idea.")
    findings = page.locator("#section-summary .review-finding")
    expect(findings).to_have_count(2)
    expect(findings.first.locator("mark")).to_have_text("should have checked")
    page.locator("#section-summary").screenshot(path=artifacts / "review-01-live.png")

    findings.last.get_by_role("button", name="Apply").click()
    expect(textarea).to_have_value(
        "The engineer should have checked the dashboard. It was a bad idea."
    )
    first = page.locator("#section-summary .review-finding").first
    first.get_by_label("Why it does not apply").fill("Quoted from the customer's ticket.")
    first.get_by_role("button", name="Dismiss").click()
    expect(page.locator("#section-summary .review-clear")).to_be_visible()
    assert not errors, errors
