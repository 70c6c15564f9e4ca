"""The blameless review in the workspace: the editor, dismissals, the page, the checklist."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from secondstory.accounts.models import User
from secondstory.core.demo.narrative import BLAME_SENTENCES
from secondstory.postmortems.blameless import (
    counts_by_severity,
    dismiss,
    people_names,
    postmortem_findings,
    section_findings,
)
from secondstory.postmortems.models import Postmortem, ReviewDismissal
from tests.apps.conftest import client_for

HTMX = {"HTTP_HX_REQUEST": "true"}
EDIT = "/postmortems/PM-1/sections/summary/edit/"
BLAME = "The engineer should have checked the dashboard. It was obviously a bad idea."
NEUTRAL = (
    "- 14:02 The error rate alert fired.\n"
    "- 14:05 Alice restarted the primary database.\n"
    "- 14:09 The health check failed to detect the stuck worker.\n"
    "- 14:20 Bob rolled back the deploy and error rates returned to normal."
)


def review_url(field: str = "summary", key: str = "PM-1") -> str:
    return reverse("postmortems:section_review", args=[key, field])


def dismiss_url(field: str = "summary", key: str = "PM-1") -> str:
    return reverse("postmortems:review_dismiss", args=[key, field])


def text(response: object) -> str:
    return " ".join(response.content.decode().split())  # type: ignore[attr-defined]


def set_section(postmortem: Postmortem, field: str, value: str) -> None:
    Postmortem.objects.filter(pk=postmortem.pk).update(**{field: value})
    postmortem.refresh_from_db()


@pytest.mark.parametrize("sentence", BLAME_SENTENCES)
def test_every_demo_blame_draft_shows_findings(postmortem: Postmortem, sentence: str) -> None:
    line = sentence.format_map({"oncall_first": "Alice", "ttd": "twelve minutes"})
    for field, draft in (("went_poorly", f"- {line}"), ("response", f"We paged the team. {line}")):
        found = section_findings(postmortem, field, draft)
        assert found, (field, line)
        for item in found:
            assert draft[item.finding.start : item.finding.end] == item.text
            assert item.inside == item.text and item.inside in item.finding.sentence


def test_a_neutral_timeline_has_no_findings(postmortem: Postmortem) -> None:
    assert section_findings(postmortem, "response", NEUTRAL) == []


def test_the_postmortems_people_are_names(postmortem: Postmortem, alice: User) -> None:
    names = people_names(postmortem)
    assert "alice" in names and "Alice Owner" in names


def test_findings_point_into_the_section_text(postmortem: Postmortem) -> None:
    found = section_findings(postmortem, "summary", BLAME)
    assert [(f.rule, f.text) for f in found] == [
        ("counterfactual", "should have checked"),
        ("hindsight", "obviously"),
    ]
    assert found[0].finding.line == 1
    assert counts_by_severity(found) == [("blame", 1), ("hindsight", 1)]


def test_the_editor_reviews_the_text_as_it_is_typed(postmortem: Postmortem, alice: User) -> None:
    response = client_for(alice).post(review_url(), {"text": BLAME}, **HTMX)
    assert response.status_code == 200
    html = text(response)
    assert "<mark>should have checked</mark>" in html
    assert "<mark>obviously</mark>" in html
    assert "What did they know and see at that moment" in html
    assert ">Dismiss</button>" in html
    assert 'class="button secondary review-apply"' in html  # "obviously" can be left out
    assert html.count("review-apply") == 1  # a question is not a draft to apply
    assert Postmortem.objects.get(pk=postmortem.pk).summary != BLAME  # nothing saved


def test_the_edit_form_posts_to_the_review_as_you_type(postmortem: Postmortem, alice: User) -> None:
    html = text(client_for(alice).get(EDIT))
    assert f'hx-post="{review_url()}"' in html
    assert 'hx-trigger="input changed delay:600ms"' in html
    assert 'id="section-summary-review"' in html


def test_without_javascript_the_editor_shows_the_saved_texts_findings(
    postmortem: Postmortem, alice: User
) -> None:
    set_section(postmortem, "summary", BLAME)
    html = text(client_for(alice).get(EDIT))
    assert "<mark>should have checked</mark>" in html
    assert f'action="{dismiss_url()}"' in html


def test_outsiders_and_readers_cannot_use_the_review(
    postmortem: Postmortem, restricted: Postmortem, bob: User, charlie: User
) -> None:
    assert client_for(charlie).post(review_url(key="PM-R"), {"text": BLAME}).status_code == 404
    assert client_for(bob).post(review_url(), {"text": BLAME}).status_code == 403
    assert client_for(charlie).post(review_url(), {"text": BLAME}).status_code == 403
    assert client_for(bob).post(dismiss_url(), {"reason": "x"}).status_code == 403
    assert client_for(bob).post(review_url(field="nope"), {"text": BLAME}).status_code in (403, 404)


def test_dismissing_stores_it_and_hides_the_finding(postmortem: Postmortem, alice: User) -> None:
    data = {
        "rule": "hindsight",
        "flagged": "obviously",
        "sentence": "It was obviously a bad idea.",
        "reason": "A quote from the customer's ticket.",
        "text": BLAME,
    }
    response = client_for(alice).post(dismiss_url(), data, **HTMX)
    assert response.status_code == 200
    html = text(response)
    assert "<mark>obviously</mark>" not in html
    assert "<mark>should have checked</mark>" in html
    stored = ReviewDismissal.objects.get()
    assert (stored.postmortem, stored.section, stored.rule, stored.text, stored.by) == (
        postmortem,
        "summary",
        "hindsight",
        "obviously",
        alice,
    )
    assert stored.reason == "A quote from the customer's ticket."
    assert [f.rule for f in section_findings(postmortem, "summary", BLAME)] == ["counterfactual"]
    # Another section is not affected.
    assert "hindsight" in [f.rule for f in section_findings(postmortem, "impact", BLAME)]


def test_a_dismissal_needs_a_reason(postmortem: Postmortem, alice: User) -> None:
    data = {"rule": "hindsight", "flagged": "obviously", "reason": " ", "text": BLAME}
    response = client_for(alice).post(dismiss_url(), data, **HTMX)
    assert response.status_code == 400
    assert not ReviewDismissal.objects.exists()
    response = client_for(alice).post(dismiss_url(), data)
    assert response.status_code == 302
    assert not ReviewDismissal.objects.exists()


def test_dismissing_without_javascript_returns_to_the_editor(
    postmortem: Postmortem, alice: User
) -> None:
    data = {"rule": "hindsight", "flagged": "obviously", "reason": "Quoted."}
    response = client_for(alice).post(dismiss_url(), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("postmortems:section_edit", args=["PM-1", "summary"])
    assert ReviewDismissal.objects.count() == 1


def test_the_page_shows_counts_and_reviewers_see_dismissals(
    postmortem: Postmortem, alice: User, bob: User, charlie: User
) -> None:
    set_section(postmortem, "summary", BLAME)
    set_section(postmortem, "went_poorly", "- The on-call simply forgot to follow the runbook.")
    assert counts_by_severity(postmortem_findings(postmortem))[0][0] == "blame"
    html = text(client_for(charlie).get(reverse("postmortems:detail", args=["PM-1"])))
    assert "Blameless review: " in html
    counts = dict(counts_by_severity(postmortem_findings(postmortem)))
    assert f"{counts['blame']} blame, {counts['hindsight']} hindsight" in html
    assert 'href="#blameless-review"' in html
    dismiss(postmortem, "summary", "hindsight", "obviously", "It was obviously…", "Quoted.", alice)
    reader = text(client_for(charlie).get(reverse("postmortems:detail", args=["PM-1"])))
    assert "dismissed by" not in reader
    reviewer = text(client_for(bob).get(reverse("postmortems:detail", args=["PM-1"])))
    assert "“obviously” (hindsight) dismissed by Alice Owner: Quoted." in reviewer


def test_the_checklist_shows_blame_findings_and_submitting_is_still_allowed(
    postmortem: Postmortem, alice: User
) -> None:
    set_section(postmortem, "summary", BLAME)
    url = reverse("postmortems:lifecycle_submit", args=["PM-1"])
    html = text(client_for(alice).get(url))
    assert "The blameless review still flags 1 blame finding (Summary)" in html
    assert "approving and publishing wait until this is done" in html
    assert client_for(alice).post(url).status_code == 302
    assert Postmortem.objects.get(pk=postmortem.pk).status == "in_review"


def test_the_organisation_settings_in_the_data_directory_reach_the_editor(
    postmortem: Postmortem, settings: Any
) -> None:
    from pathlib import Path

    from secondstory.postmortems.blameless import organisation_config, section_findings

    text = "Sentry failed to escalate to the database team."
    organisation_config.cache_clear()
    assert not [
        f for f in section_findings(postmortem, "summary", text) if f.rule == "counterfactual"
    ]
    path = Path(settings.HOME) / "secondstory.toml"
    path.write_text('[review]\nnames = ["Sentry"]\n', encoding="utf-8")
    try:
        organisation_config.cache_clear()
        rules = [f.rule for f in section_findings(postmortem, "summary", text)]
        assert "counterfactual" in rules
    finally:
        path.unlink()
        organisation_config.cache_clear()
