"""The blameless review of factors, action items, hand-written events, comments and the
customer summary: findings, dismissals per item, and who may do what."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.urls import reverse

from secondstory.accounts.models import User
from secondstory.incidents.models import TimelineEvent
from secondstory.postmortems.item_review import (
    dismiss_item,
    is_part,
    item_texts,
    postmortem_item_findings,
)
from secondstory.postmortems.models import Postmortem, ReviewDismissal
from secondstory.sharing.models import CustomerSummary
from tests.apps.conftest import client_for

BLAME = "The on-call engineer failed to notice the full disk."


def text(response: Any) -> str:
    return " ".join(response.content.decode().split())


def add_event(postmortem: Postmortem, source: str, body: str, ref: str) -> TimelineEvent:
    incident = postmortem.incidents.get()
    return TimelineEvent.objects.create(
        incident=incident, at=datetime(2026, 3, 4, 14, 30, tzinfo=UTC), kind="observation",
        source=source, source_ref=ref, text=body,
    )  # fmt: skip


def test_every_kind_of_text_people_write_is_reviewed(postmortem: Postmortem, alice: User) -> None:
    postmortem.factors.filter(key="F2").update(description=BLAME)
    postmortem.action_items.filter(key="A1").update(
        done_criterion="Everyone has been reminded to be more careful."
    )
    manual = add_event(postmortem, "manual", "Dana obviously should have seen it.", "manual-1")
    add_event(postmortem, "slack", "<dana> I obviously should have seen it", "c1")
    summary = "Our operator made a careless error."
    CustomerSummary.objects.create(postmortem=postmortem, text=summary)
    found = postmortem_item_findings(postmortem)
    places = {f.field for f in found}
    assert {
        "factor:F2",
        "action:A1:done",
        f"event:{manual.source_ref}",
        "customer-summary",
    } <= places
    assert not any(
        f.field.startswith("event:") and f.field != f"event:{manual.source_ref}" for f in found
    )
    assert all(is_part(f.field) for f in found)
    assert {f.anchor for f in found} >= {"factor-F2", f"event-{manual.pk}"}


def test_a_dismissal_is_kept_per_item_and_survives_unrelated_edits(
    postmortem: Postmortem, alice: User
) -> None:
    postmortem.factors.filter(key__in=["F1", "F2"]).update(description=BLAME)
    [f1, _] = [f for f in postmortem_item_findings(postmortem) if f.field.startswith("factor")]
    dismiss_item(postmortem, "factor:F1", f1.rule, f1.text, "", "Quoted.", alice)
    # Only F1's finding is dismissed, though F2 has the same words.
    assert [f.field for f in postmortem_item_findings(postmortem)] == ["factor:F2"]
    postmortem.factors.filter(key="F1").update(description="Before the deploy. " + BLAME)
    postmortem.summary = "Rewritten."
    postmortem.save()
    assert [f.field for f in postmortem_item_findings(postmortem)] == ["factor:F2"]
    assert [t.part for t in item_texts(postmortem)][:2] == ["factor:F1", "factor:F2"]


def test_the_page_shows_item_findings_to_editors_with_a_dismiss_form(
    postmortem: Postmortem, alice: User, charlie: User
) -> None:
    postmortem.factors.filter(key="F2").update(description=BLAME)
    html = text(client_for(alice).get(reverse("postmortems:detail", args=["PM-1"])))
    assert "Blameless review: 1 finding in this factor." in html
    assert 'name="part" value="factor:F2"' in html
    # The whole-postmortem review counts it too, and links to the factor.
    assert "#factor-F2" in html
    reader = text(client_for(charlie).get(reverse("postmortems:detail", args=["PM-1"])))
    assert 'name="part" value="factor:F2"' not in reader


def test_dismissing_an_item_finding_needs_an_editor_a_reason_and_a_known_part(
    postmortem: Postmortem, alice: User, bob: User
) -> None:
    postmortem.factors.filter(key="F2").update(description=BLAME)
    [finding] = postmortem_item_findings(postmortem)
    url = reverse("postmortems:item_review_dismiss", args=["PM-1"])
    data = {"part": "factor:F2", "rule": finding.rule, "flagged": finding.text, "reason": "Q."}
    assert client_for(bob).post(url, data).status_code == 403
    assert client_for(alice).post(url, {**data, "part": "section:nope"}).status_code == 404
    response = client_for(alice).post(url, {**data, "reason": " "}, follow=True)
    assert "Say why this finding does not apply" in text(response)
    assert not ReviewDismissal.objects.exists()
    response = client_for(alice).post(url, {**data, "next": "https://elsewhere.example/"})
    assert response["Location"] == reverse("postmortems:detail", args=["PM-1"])
    assert ReviewDismissal.objects.get().section == "factor:F2"
    assert postmortem_item_findings(postmortem) == []


def test_the_live_review_answers_editors_and_commenters(
    postmortem: Postmortem, alice: User, bob: User, charlie: User
) -> None:
    def url(kind: str) -> str:
        return reverse("postmortems:item_review", args=["PM-1", kind])

    response = client_for(alice).post(url("factor"), {"description": BLAME})
    assert "1 finding in what you typed" in text(response)
    response = client_for(alice).post(url("action-title"), {"title": "Add a disk alert"})
    assert "nothing flagged" in text(response)
    assert client_for(bob).post(url("factor"), {"description": BLAME}).status_code == 403
    # Reviewers may check a comment's wording on request; outsiders may not.
    response = client_for(bob).post(url("comment"), {"body": "Dana was careless here."})
    assert "1 finding in what you typed" in text(response)
    assert client_for(charlie).post(url("comment"), {"body": "x"}).status_code == 403
    assert client_for(alice).post(url("nonsense"), {"text": "x"}).status_code == 404
