"""Comments on a selected passage, in the section's margin, and a suggestion accepted."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from secondstory.accounts.models import Team
from secondstory.accounts.services import create_user
from secondstory.postmortems.models import Comment, Postmortem
from secondstory.postmortems.records import load_record
from tests.apps.factories import postmortem_record

if TYPE_CHECKING:
    from playwright.sync_api import Page
    from pytest_django.live_server_helper import LiveServer

PASSWORD = "a long enough test passphrase"

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def sign_in(page: Page, live_server: LiveServer, username: str) -> None:
    page.goto(live_server.url + "/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(live_server.url + "/")


def select_words(page: Page, section: str, words: str) -> None:
    """Select ``words`` inside the section's rendered text, as a mouse drag would."""
    page.evaluate(
        """([section, words]) => {
          const prose = document.querySelector(`#section-${section} .prose`);
          const walker = document.createTreeWalker(prose, NodeFilter.SHOW_TEXT);
          let node;
          while ((node = walker.nextNode())) {
            const at = node.textContent.indexOf(words);
            if (at >= 0) {
              const range = document.createRange();
              range.setStart(node, at);
              range.setEnd(node, at + words.length);
              const selection = window.getSelection();
              selection.removeAllRanges();
              selection.addRange(range);
              return;
            }
          }
          throw new Error("words not on the page: " + words);
        }""",
        [section, words],
    )


def test_select_comment_suggest_accept_and_resolve(page: Page, live_server: LiveServer) -> None:
    alice = create_user("alice", password=PASSWORD, display_name="Alice Owner")
    bob = create_user("bob", password=PASSWORD, display_name="Bob Reviewer")
    Team.objects.create(slug="payments", name="Payments").members.set([alice, bob])
    load_record(postmortem_record())
    detail = live_server.url + "/postmortems/PM-1/"

    sign_in(page, live_server, "bob")
    page.goto(detail)
    select_words(page, "trigger", "lowered the connection pool size")
    page.get_by_role("button", name="Comment on this passage").click()
    form = page.locator("#comment-form")
    assert form.locator("select[name=section]").input_value() == "trigger"
    assert form.locator("textarea[name=quote]").input_value() == "lowered the connection pool size"
    form.locator("textarea[name=body]").fill("Which tool accepted it?")
    form.locator("textarea[name=suggestion]").fill("set the pool size to 1")
    form.get_by_role("button", name="Comment", exact=True).click()
    page.wait_for_url(f"{detail}?comment=*#margin-comment-*")
    margin = page.locator("#section-trigger .section-margin")
    assert "1 open comment" in margin.inner_text()
    assert "Which tool accepted it?" in margin.inner_text()
    comment = Comment.objects.get()
    assert comment.quote_prefix == "A configuration change "

    page.context.clear_cookies()
    sign_in(page, live_server, "alice")
    page.goto(detail)
    page.locator("#section-trigger").get_by_role("button", name="Accept suggestion").click()
    page.wait_for_url(f"{detail}#section-trigger")
    assert (
        "A configuration change set the pool size to 1."
        in page.locator("#section-trigger .prose").inner_text()
    )
    assert page.locator("#section-trigger .section-margin").count() == 0, "nothing open there"
    assert Postmortem.objects.get().trigger == "A configuration change set the pool size to 1."

    page.goto(detail)
    select_words(page, "summary", "50 minutes")
    page.get_by_role("button", name="Comment on this passage").click()
    form = page.locator("#comment-form")
    form.locator("textarea[name=body]").fill("Measured from the first alert?")
    form.get_by_role("button", name="Comment", exact=True).click()
    page.wait_for_url(f"{detail}?comment=*#margin-comment-*")
    page.locator("#section-summary .section-margin").get_by_role("button", name="Resolve").click()
    page.wait_for_load_state()
    page.goto(detail)
    assert page.locator("#section-summary .section-margin").count() == 0
    assert Comment.objects.filter(resolved_at__isnull=False).count() == 2
