"""The lifecycle in the browser: submit, review, publish, "not required", reopen."""

from __future__ import annotations

from django.urls import reverse

from secondstory.accounts.models import User
from secondstory.postmortems.models import Postmortem
from secondstory.postmortems.services import transition
from tests.apps.conftest import client_for


def url(name: str, key: str = "PM-1") -> str:
    return reverse(f"postmortems:lifecycle_{name}", args=[key])


def detail(user: User, key: str = "PM-1") -> str:
    return client_for(user).get(reverse("postmortems:detail", args=[key])).content.decode()


def status() -> str:
    return Postmortem.objects.get(key="PM-1").status


def test_the_submit_page_shows_the_checklist(postmortem: Postmortem, alice: User) -> None:
    html = " ".join(client_for(alice).get(url("submit")).content.decode().split())
    assert '<li class="done"><span class="check-state">Done</span> A summary</li>' in html
    assert "At least one contributing factor" in html
    assert "At least one timeline event" in html
    assert "Every action item has an owner and a due date" in html
    assert 'class="missing"' not in html
    assert ">Submit for review</button>" in html


def test_owner_submits_for_review(postmortem: Postmortem, alice: User) -> None:
    response = client_for(alice).post(url("submit"), {"note": "Ready for a look."})
    assert response.status_code == 302
    assert status() == "in_review"
    step = postmortem.transitions.get()
    assert (step.to_status, step.by, step.note) == ("in_review", alice, "Ready for a look.")
    assert postmortem.revisions.get().summary == "Moved to In review"


def test_an_incomplete_checklist_blocks_submission(postmortem: Postmortem, alice: User) -> None:
    Postmortem.objects.filter(pk=postmortem.pk).update(summary="")
    postmortem.factors.all().delete()
    response = client_for(alice).post(url("submit"))
    html = " ".join(response.content.decode().split())
    assert response.status_code == 200
    assert "Complete everything on the checklist before submitting." in html
    assert '<li class="missing"><span class="check-state">Missing</span> A summary</li>' in html
    assert (
        '<li class="missing"><span class="check-state">Missing</span> '
        "At least one contributing factor</li>" in html
    )
    assert ">Submit for review</button>" not in html
    assert status() == "draft"


CONFIRM = {"confirm": "yes"}


def test_only_the_owner_or_staff_submits(postmortem: Postmortem, bob: User) -> None:
    assert client_for(bob).get(url("submit")).status_code == 403
    assert client_for(bob).post(url("submit")).status_code == 403
    assert status() == "draft"
    bob.role = "admin"
    bob.save()
    assert client_for(bob).post(url("submit")).status_code == 302
    assert status() == "in_review"


def test_buttons_appear_only_for_people_allowed(
    postmortem: Postmortem, alice: User, bob: User, charlie: User
) -> None:
    assert url("submit") in detail(alice)
    assert url("submit") not in detail(bob)
    transition(postmortem, "in_review", by=alice)
    assert url("review") in detail(bob)
    assert url("review") not in detail(alice)
    assert url("review") not in detail(charlie)
    transition(postmortem, "approved", by=bob)
    assert url("publish") in detail(alice)
    assert url("publish") not in detail(charlie)


def test_a_reviewer_approves(postmortem: Postmortem, alice: User, bob: User) -> None:
    transition(postmortem, "in_review", by=alice)
    response = client_for(bob).post(url("review"), {"decision": "approve", "comment": ""})
    assert response.status_code == 302
    assert status() == "approved"
    assert postmortem.transitions.last().by == bob  # type: ignore[union-attr]
    assert postmortem.comments.count() == 0


def test_requesting_changes_needs_a_comment(postmortem: Postmortem, alice: User, bob: User) -> None:
    transition(postmortem, "in_review", by=alice)
    response = client_for(bob).post(url("review"), {"decision": "request_changes"})
    assert response.status_code == 200
    assert "Comment: Say what needs to change before it can be approved." in (
        response.content.decode()
    )
    assert status() == "in_review"
    note = "The timeline stops before recovery."
    client_for(bob).post(url("review"), {"decision": "request_changes", "comment": note})
    assert status() == "draft"
    assert postmortem.transitions.last().note == note  # type: ignore[union-attr]
    assert postmortem.comments.get().body == note
    html = " ".join(detail(alice).split())
    assert f"<td>In review → Draft</td> <td>Bob Teammate</td> <td>{note}</td>" in html
    assert "<strong>Changes requested</strong> by Bob Teammate" in html


def test_only_reviewers_review(postmortem: Postmortem, alice: User, charlie: User) -> None:
    transition(postmortem, "in_review", by=alice)
    response = client_for(charlie).post(url("review"), {"decision": "approve"})
    assert response.status_code == 403
    assert status() == "in_review"


def test_the_owner_publishes_an_approved_postmortem(
    postmortem: Postmortem, alice: User, bob: User
) -> None:
    transition(postmortem, "in_review", by=alice)
    transition(postmortem, "approved", by=bob)
    assert client_for(bob).post(url("publish"), CONFIRM).status_code == 403
    # Publishing asks first: the page says who will be notified, and nothing changes yet.
    page = client_for(alice).get(url("publish"))
    assert "Who will be notified" in page.content.decode()
    assert client_for(alice).post(url("publish")).status_code == 200
    assert status() == "approved"
    assert client_for(alice).post(url("publish"), CONFIRM).status_code == 302
    assert status() == "published"


def test_publishing_a_draft_is_refused_with_a_message(postmortem: Postmortem, alice: User) -> None:
    response = client_for(alice).post(url("publish"), CONFIRM, follow=True)
    assert "Not published: a postmortem cannot move from Draft to Published" in (
        response.content.decode()
    )
    assert status() == "draft"


def test_publishing_checks_the_publication_rules(
    postmortem: Postmortem, alice: User, bob: User
) -> None:
    transition(postmortem, "in_review", by=alice)
    transition(postmortem, "approved", by=bob)
    postmortem.factors.all().delete()
    response = client_for(alice).post(url("publish"), CONFIRM, follow=True)
    assert "at least one contributing factor" in response.content.decode()
    assert status() == "approved"


def test_not_required_needs_a_reason(postmortem: Postmortem, alice: User) -> None:
    response = client_for(alice).post(url("not_required"), {"reason": " "})
    assert response.status_code == 200
    assert "Reason: Say why this postmortem is not required." in response.content.decode()
    assert status() == "draft"
    client_for(alice).post(url("not_required"), {"reason": "A duplicate of PM-0."})
    assert status() == "not_required"
    assert Postmortem.objects.get(key="PM-1").not_required_reason == "A duplicate of PM-0."
    assert url("reopen") in detail(alice)
    assert client_for(alice).post(url("reopen")).status_code == 302
    assert status() == "draft"


def test_only_the_owner_marks_not_required(postmortem: Postmortem, bob: User) -> None:
    assert client_for(bob).post(url("not_required"), {"reason": "No."}).status_code == 403
    assert client_for(bob).post(url("reopen")).status_code == 403
    assert status() == "draft"


def test_it_checks_ownership(restricted: Postmortem, charlie: User) -> None:
    client = client_for(charlie)
    for name in ("submit", "review", "publish", "not_required", "reopen"):
        assert client.post(url(name, "PM-R"), {"reason": "x"}).status_code == 404, name
