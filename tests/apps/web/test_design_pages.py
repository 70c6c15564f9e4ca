"""The page frame: grouped navigation, the style guide (admins only), styled error pages, the
postmortem page's outline with its counts."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from secondstory.accounts.models import User
from secondstory.postmortems.models import Comment, Postmortem
from tests.apps.conftest import client_for

STYLEGUIDE = reverse("styleguide")


@pytest.fixture
def admin(db: None) -> User:
    return User.objects.create_user(
        "ada", password="x" * 20, display_name="Ada Admin", role="admin"
    )


def test_the_navigation_groups_its_links(alice: User) -> None:
    html = client_for(alice).get("/").content.decode()
    labels = re.findall(r'class="nav-group-label" id="[^"]+">([^<]+)<', html)
    assert labels == ["Write", "Follow up", "Learn"]  # no Admin group for a responder
    assert 'aria-controls="site-nav"' in html and 'aria-expanded="false"' in html
    assert reverse("actions:list") in html
    assert STYLEGUIDE not in html


def test_an_admin_has_the_admin_group_with_the_style_guide(admin: User) -> None:
    html = client_for(admin).get("/").content.decode()
    assert 'id="nav-admin">Admin<' in html
    assert f'href="{STYLEGUIDE}"' in html
    assert f'href="{reverse("audit:log")}"' in html


def test_the_style_guide_is_for_admins(admin: User, alice: User) -> None:
    response = client_for(admin).get(STYLEGUIDE)
    assert response.status_code == 200
    html = response.content.decode()
    for part in ("Colours", "Buttons", "Fields", "Tables", "Tabs", "Dialogs"):
        assert f">{part}</a>" in html
    assert "below AA" not in html  # every documented pair meets WCAG AA
    assert "4.5:1" in html
    refused = client_for(alice).get(STYLEGUIDE)
    assert refused.status_code == 403
    assert "The style guide is for admins." in refused.content.decode()


def test_anonymous_is_sent_to_log_in_from_the_style_guide(db: None) -> None:
    response = Client().get(STYLEGUIDE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_not_found_has_the_navigation_and_a_way_back(alice: User) -> None:
    response = client_for(alice).get("/postmortems/PM-404/")
    assert response.status_code == 404
    html = response.content.decode()
    assert 'class="site-nav"' in html
    assert "There is nothing at this address" in html
    assert f'href="{reverse("postmortems:home")}">Go to the home page' in html
    assert "/postmortems/PM-404/" in html


def test_forbidden_says_why_with_the_navigation(alice: User) -> None:
    response = client_for(alice).get(reverse("audit:log"))
    assert response.status_code == 403
    html = response.content.decode()
    assert 'class="site-nav"' in html
    assert "Only admins read the audit log." in html
    assert "Go to the home page" in html


def test_a_form_without_its_token_gets_the_styled_page(alice: User, postmortem: Postmortem) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    response = client.post(reverse("postmortems:comment_add", args=[postmortem.key]), {"body": "x"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "This form could not be sent safely" in html
    assert 'class="site-nav"' in html
    assert Comment.objects.count() == 0


def test_a_server_error_gets_the_styled_page(alice: User, settings: object) -> None:
    from secondstory.lib.error_pages import server_error

    request = client_for(alice).get("/").wsgi_request
    response = server_error(request)
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong on our side" in html
    assert 'class="site-nav"' in html


def test_the_outline_counts_sections_comments_and_items(
    alice: User, bob: User, postmortem: Postmortem
) -> None:
    blame = "The engineer should have checked the dashboard. It was obviously a bad idea."
    Postmortem.objects.filter(pk=postmortem.pk).update(summary=blame)
    Comment.objects.create(postmortem=postmortem, author=bob, body="Why 12%?", section="summary")
    Comment.objects.create(postmortem=postmortem, author=bob, body="And?", section="summary")
    html = client_for(alice).get(reverse("postmortems:detail", args=[postmortem.key])).content
    outline = html.decode().split('class="outline"')[1].split("</nav>")[0]
    summary = outline.split('href="#section-summary"')[1].split("</li>")[0]
    assert "2 comments" in summary
    flagged = re.search(r"(\d+) flagged", summary)
    assert flagged and int(flagged.group(1)) >= 2  # "should have", "obviously"
    review = outline.split('href="#blameless-review"')[1].split("</li>")[0]
    assert f"{flagged.group(1)} flagged" in review
    assert "flagged" not in outline.split('href="#section-trigger"')[1].split("</li>")[0]
    factors = outline.split('href="#factors"')[1].split("</li>")[0]
    assert '<span class="badge">2<span class="visually-hidden"> factors,</span>' in factors
    comments = outline.split('href="#comments"')[1].split("</li>")[0]
    assert "2 comments" in comments


def test_every_outline_entry_leads_to_a_box_the_reader_sees(
    alice: User, charlie: User, postmortem: Postmortem
) -> None:
    """The review meeting, the learning check and the first-person accounts are in the
    outline, and every entry's anchor is one element of the page, for the owner and for a
    reader who only reads it."""
    for reader in (alice, charlie):
        html = client_for(reader).get(reverse("postmortems:detail", args=[postmortem.key]))
        page = html.content.decode()
        outline = page.split('class="outline"')[1].split("</nav>")[0]
        anchors = re.findall(r'href="#([^"]+)"', outline)
        for wanted in ("accounts", "review-meeting", "learning-check"):
            assert wanted in anchors, (reader, wanted)
        for anchor in anchors:
            assert page.count(f'id="{anchor}"') == 1, (reader, anchor)
        inline = page.split('class="contents contents-inline"')[1].split("</nav>")[0]
        assert re.findall(r'href="#([^"]+)"', inline) == anchors
