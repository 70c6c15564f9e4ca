"""Review in context: comments on a passage in the section's margin, suggested wordings the
editors accept, and what changed since a person's last visit."""

from __future__ import annotations

from django.urls import reverse

from secondstory.accounts.models import User
from secondstory.lib.concurrency import fingerprint
from secondstory.postmortems.models import Comment, Postmortem
from secondstory.postmortems.writing_services import save_section
from tests.apps.conftest import client_for

TRIGGER = "A configuration change lowered the connection pool size."


def add_url() -> str:
    return reverse("postmortems:comment_add", args=["PM-1"])


def page(user: User) -> str:
    html = client_for(user).get(reverse("postmortems:detail", args=["PM-1"])).content.decode()
    return " ".join(html.split())


def margin_of(html: str, field: str) -> str:
    start = html.index(f'<section id="section-{field}"')
    return html[start : html.index("</section>", start)]


def comment_on(user: User, quote: str, **fields: str):  # type: ignore[no-untyped-def]
    data = {"section": "trigger", "quote": quote, "body": "Which tool?", **fields}
    return client_for(user).post(add_url(), data)


def test_a_comment_on_a_passage_keeps_its_context_and_shows_in_the_margin(
    postmortem: Postmortem, bob: User, alice: User
) -> None:
    response = comment_on(bob, "lowered the connection\n pool")
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert comment.quote == "lowered the connection pool"
    assert comment.quote_prefix == "A configuration change "
    assert comment.quote_suffix == " size."
    margin = margin_of(page(alice), "trigger")
    assert "1 open comment" in margin and "lowered the connection pool" in margin
    assert "Which tool?" in margin
    assert "open comment" not in margin_of(page(alice), "summary")


def test_a_passage_that_is_not_in_the_section_is_refused(postmortem: Postmortem, bob: User) -> None:
    response = comment_on(bob, "a sentence nobody wrote")
    assert response.status_code == 200
    assert "these words are not in the Trigger section as it is now" in " ".join(
        response.content.decode().split()
    )
    assert not Comment.objects.exists()


def test_an_editor_accepts_a_suggestion_through_the_normal_save(
    postmortem: Postmortem, bob: User, alice: User
) -> None:
    comment_on(
        bob, "lowered the connection pool size", body="", suggestion="set the pool size to 1"
    )
    comment = Comment.objects.get()
    accept = reverse("postmortems:comment_accept", args=["PM-1", comment.pk])
    assert client_for(bob).post(accept).status_code == 403, "a reviewer cannot edit"
    response = client_for(alice).post(accept)
    assert response.status_code == 302 and response["Location"].endswith("#section-trigger")
    postmortem.refresh_from_db()
    assert postmortem.trigger == "A configuration change set the pool size to 1."
    assert postmortem.revisions.order_by("-number").first().summary == "Edited Trigger"
    comment.refresh_from_db()
    assert comment.resolved_by == alice and comment.suggestion_accepted_at is not None


def test_a_suggestion_on_changed_words_is_outdated_and_not_applied(
    postmortem: Postmortem, bob: User, alice: User
) -> None:
    comment_on(bob, "connection pool size", suggestion="pool size")
    comment = Comment.objects.get()
    save_section(postmortem, "trigger", "A deploy changed the pool.", base=fingerprint(TRIGGER),
                 author=alice)  # fmt: skip
    margin = margin_of(page(alice), "trigger")
    assert "outdated: these words were changed since" in margin
    assert "Accept suggestion" not in margin
    accept = reverse("postmortems:comment_accept", args=["PM-1", comment.pk])
    client_for(alice).post(accept)
    postmortem.refresh_from_db()
    assert postmortem.trigger == "A deploy changed the pool."
    comment.refresh_from_db()
    assert comment.resolved_at is None


def test_an_edit_elsewhere_in_the_section_keeps_the_anchor(
    postmortem: Postmortem, bob: User, alice: User
) -> None:
    comment_on(bob, "connection pool", suggestion="database connection pool")
    save_section(postmortem, "trigger", "Context first.\n\n" + TRIGGER,
                 base=fingerprint(TRIGGER), author=alice)  # fmt: skip
    comment = Comment.objects.get()
    client_for(alice).post(reverse("postmortems:comment_accept", args=["PM-1", comment.pk]))
    postmortem.refresh_from_db()
    assert postmortem.trigger.endswith("lowered the database connection pool size.")


def test_reviewers_see_what_changed_since_their_last_visit(
    postmortem: Postmortem, bob: User, alice: User
) -> None:
    summary = postmortem.summary
    save_section(postmortem, "summary", summary + " Since fixed.", base=fingerprint(summary),
                 author=alice)  # fmt: skip
    assert "Changed since your last visit" not in page(bob), "a first visit has nothing to compare"
    save_section(postmortem, "trigger", TRIGGER + " It was 5.", base=fingerprint(TRIGGER),
                 author=alice)  # fmt: skip
    html = page(bob)
    assert "Changed since your last visit" in html
    assert "1 revision by Alice Owner" in html
    head = margin_of(html, "trigger").split('class="section-margin"')[0]
    assert '<span class="badge changed-since">changed since your last visit</span>' in head
    assert "changed-since" not in margin_of(html, "summary")
    assert "Changed since your last visit" not in page(bob), "seen now"
