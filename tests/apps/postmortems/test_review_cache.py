"""The blameless review is stored per saved section text, and the page never waits on it
beyond its budget: what it had no time for is fetched afterwards."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import override_settings
from django.urls import reverse

from secondstory.accounts.models import User
from secondstory.core.review import Finding
from secondstory.postmortems import blameless
from secondstory.postmortems.blameless import postmortem_findings, section_findings
from secondstory.postmortems.models import Postmortem, ReviewCache
from tests.apps.conftest import client_for

BLAME = "The engineer should have checked the dashboard. It was obviously a bad idea."
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture()
def engine_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The texts the engine is asked to review (it still runs)."""
    calls: list[str] = []
    real: Callable[..., list[Finding]] = blameless.review

    def counting(text: str, **options: Any) -> list[Finding]:
        calls.append(text)
        return real(text, **options)

    monkeypatch.setattr(blameless, "review", counting)
    return calls


def page(user: User, key: str = "PM-1") -> str:
    response = client_for(user).get(reverse("postmortems:detail", args=[key]))
    assert response.status_code == 200
    return " ".join(response.content.decode().split())


def set_section(postmortem: Postmortem, field: str, value: str) -> None:
    Postmortem.objects.filter(pk=postmortem.pk).update(**{field: value})
    postmortem.refresh_from_db()


def test_a_second_page_view_does_not_run_the_engine(
    postmortem: Postmortem, alice: User, charlie: User, engine_calls: list[str]
) -> None:
    set_section(postmortem, "summary", BLAME)
    first = page(alice)
    assert "counterfactual" not in first  # the counts are by severity
    assert "Blameless review: 1 blame, 1 hindsight" in first
    assert engine_calls, "the first view reviews the sections"
    engine_calls.clear()
    again = page(charlie)
    assert engine_calls == []
    assert "Blameless review: 1 blame, 1 hindsight" in again


def test_a_saved_change_is_reviewed_again_and_replaces_the_old_entry(
    postmortem: Postmortem, alice: User, engine_calls: list[str]
) -> None:
    set_section(postmortem, "summary", BLAME)
    page(alice)
    engine_calls.clear()
    set_section(postmortem, "summary", "The health check failed to detect the stuck worker.")
    html = page(alice)
    assert len(engine_calls) == 1 and "health check" in engine_calls[0]
    assert "1 blame" not in html
    assert ReviewCache.objects.filter(postmortem=postmortem, section="summary").count() == 1


def test_new_people_change_the_fingerprint(
    postmortem: Postmortem, alice: User, engine_calls: list[str]
) -> None:
    set_section(postmortem, "summary", "Zoltar deleted the production table.")
    page(alice)
    engine_calls.clear()
    alice.display_name = "Zoltar Reyes"
    alice.save(update_fields=["display_name"])
    page(alice)
    # The names the engine knows changed: every section with text is reviewed again.
    assert [t.split("\n")[0] for t in engine_calls] == ["## Summary", "## Trigger"]


def test_checklist_editor_and_page_share_the_stored_review(
    postmortem: Postmortem, alice: User, engine_calls: list[str]
) -> None:
    set_section(postmortem, "summary", BLAME)
    found = postmortem_findings(postmortem)
    calls = len(engine_calls)
    assert [f.rule for f in section_findings(postmortem, "summary")] == [f.rule for f in found]
    page(alice)
    assert len(engine_calls) == calls
    section_findings(postmortem, "summary", BLAME + " Then we paged Dana.")  # a draft
    assert len(engine_calls) == calls + 1


def test_dismissals_apply_to_stored_findings(
    postmortem: Postmortem, alice: User, engine_calls: list[str]
) -> None:
    set_section(postmortem, "summary", BLAME)
    page(alice)
    blameless.dismiss(postmortem, "summary", "hindsight", "obviously", BLAME, "a quote", alice)
    engine_calls.clear()
    html = page(alice)
    assert engine_calls == []
    assert "Blameless review: 1 blame." in html or "Blameless review: 1 blame<" in html


@override_settings(SECONDSTORY_REVIEW_BUDGET_MS=0)
def test_out_of_budget_the_page_renders_without_findings_and_fetches_them(
    postmortem: Postmortem, alice: User, engine_calls: list[str]
) -> None:
    set_section(postmortem, "summary", BLAME)
    url = reverse("postmortems:blameless_review", args=["PM-1"])
    html = page(alice)
    assert engine_calls == []
    assert "Still reviewing Summary" in html
    assert f'hx-get="{url}" hx-trigger="load"' in html
    assert f'<a href="{url}">See the whole review</a>' in html  # without JavaScript
    fragment = client_for(alice).get(url, **HTMX)
    body = " ".join(fragment.content.decode().split())
    assert fragment.status_code == 200 and "<html" not in body
    assert 'id="blameless-review"' in body and "Blameless review: 1 blame, 1 hindsight" in body
    assert "Still reviewing" not in body
    engine_calls.clear()
    # Reviewed now: the next page has the findings, from the store, within any budget.
    html = page(alice)
    assert engine_calls == [] and "Still reviewing" not in html
    assert "Blameless review: 1 blame, 1 hindsight" in html


@override_settings(SECONDSTORY_REVIEW_BUDGET_MS=0)
def test_the_review_page_works_without_javascript(postmortem: Postmortem, alice: User) -> None:
    set_section(postmortem, "summary", BLAME)
    response = client_for(alice).get(reverse("postmortems:blameless_review", args=["PM-1"]))
    body = " ".join(response.content.decode().split())
    assert response.status_code == 200 and "<html" in body
    assert "Blameless review: 1 blame, 1 hindsight" in body
    assert f'href="{reverse("postmortems:detail", args=["PM-1"])}#section-summary"' in body


@override_settings(SECONDSTORY_REVIEW_BUDGET_MS=300)
def test_a_section_too_big_for_the_budget_is_left_to_the_fragment(
    postmortem: Postmortem, alice: User, engine_calls: list[str]
) -> None:
    # 300 ms pays for about 15,000 characters at the speed the page assumes of the engine.
    set_section(postmortem, "summary", BLAME)
    table = "| Time | Event |\n|---|---|\n" + "| 10:00 | ok |\n" * 3000
    set_section(postmortem, "background", table)
    html = page(alice)
    assert "Still reviewing Background" in html
    assert "Blameless review: 1 blame, 1 hindsight" in html  # the small sections were reviewed
    assert [t.split("\n")[0] for t in engine_calls] == ["## Summary", "## Trigger"]


def test_an_outsider_cannot_fetch_the_review(restricted: Postmortem, charlie: User) -> None:
    url = reverse("postmortems:blameless_review", args=["PM-R"])
    assert client_for(charlie).get(url).status_code == 404
    assert client_for(charlie).get(url, **HTMX).status_code == 404
