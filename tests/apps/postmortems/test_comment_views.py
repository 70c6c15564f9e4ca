"""Comments: leave one (optionally about a section), resolve, reopen, and who may."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from secondstory.accounts.models import User
from secondstory.postmortems.models import Comment, Postmortem
from secondstory.postmortems.services import add_comment
from tests.apps.conftest import client_for

HTMX = {"HTTP_HX_REQUEST": "true"}


def add_url(key: str = "PM-1") -> str:
    return reverse("postmortems:comment_add", args=[key])


def resolve_url(comment: Comment, key: str = "PM-1") -> str:
    return reverse("postmortems:comment_resolve", args=[key, comment.pk])


def reopen_url(comment: Comment, key: str = "PM-1") -> str:
    return reverse("postmortems:comment_reopen", args=[key, comment.pk])


def detail(user: User) -> str:
    html = client_for(user).get(reverse("postmortems:detail", args=["PM-1"])).content.decode()
    return " ".join(html.split())


def test_a_reviewer_comments_on_a_section(postmortem: Postmortem, bob: User) -> None:
    response = client_for(bob).post(
        add_url(), {"section": "trigger", "body": "Which *tool* accepted the value?"}
    )
    comment = postmortem.comments.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"#comment-{comment.pk}")
    assert (comment.author, comment.section) == (bob, "trigger")
    html = detail(bob)
    assert f'<li id="comment-{comment.pk}" class="comment">' in html
    assert 'about <a href="#section-trigger">Trigger</a>' in html
    assert "Which <em>tool</em> accepted the value?" in html


def test_markdown_is_sanitised(postmortem: Postmortem, alice: User) -> None:
    body = "<script>alert(1)</script>\n\nA [link](javascript:y) and <img src=x onerror=z>"
    client_for(alice).post(add_url(), {"body": body})
    html = detail(alice)
    assert "<script>alert(1)" not in html
    assert 'href="javascript' not in html
    assert "onerror" not in html
    assert "A [link](javascript:y) and" in html


def test_htmx_answers_with_the_comments_section(postmortem: Postmortem, alice: User) -> None:
    response = client_for(alice).post(add_url(), {"body": "Looks clear."}, **HTMX)
    html = response.content.decode()
    assert response["HX-Retarget"] == "#comments"
    assert html.lstrip().startswith('<section id="comments"')
    assert "Looks clear." in html


def test_an_empty_comment_names_the_field(postmortem: Postmortem, alice: User) -> None:
    response = client_for(alice).post(add_url(), {"body": "  ", "section": "nowhere"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Comment: Write the comment before sending it." in html
    assert "About: Select a valid choice." in html
    assert postmortem.comments.count() == 0
    response = client_for(alice).post(add_url(), {"body": ""}, **HTMX)
    assert "Comment: Write the comment before sending it." in response.content.decode()


def test_the_author_resolves_and_reopens(postmortem: Postmortem, bob: User) -> None:
    comment = add_comment(postmortem, author=bob, body="Add the pool graph.")
    assert resolve_url(comment) in detail(bob)
    assert client_for(bob).post(resolve_url(comment)).status_code == 302
    comment.refresh_from_db()
    assert comment.resolved_at is not None and comment.resolved_by == bob
    html = detail(bob)
    assert '<span class="badge resolved-label">resolved</span> by Bob Teammate' in html
    assert reopen_url(comment) in html
    client_for(bob).post(reopen_url(comment), **HTMX)
    comment.refresh_from_db()
    assert comment.resolved_at is None


def test_the_owner_resolves_anyones_comment(postmortem: Postmortem, alice: User, bob: User) -> None:
    comment = add_comment(postmortem, author=bob, body="Add the pool graph.")
    assert client_for(alice).post(resolve_url(comment)).status_code == 302
    comment.refresh_from_db()
    assert comment.resolved_by == alice


def test_others_cannot_resolve(postmortem: Postmortem, alice: User, bob: User) -> None:
    comment = add_comment(postmortem, author=alice, body="Note to self.")
    assert resolve_url(comment) not in detail(bob)
    assert client_for(bob).post(resolve_url(comment)).status_code == 403
    comment.refresh_from_db()
    assert comment.resolved_at is None


def test_a_reader_who_may_not_comment_is_refused(postmortem: Postmortem, charlie: User) -> None:
    assert "Leave a comment" not in detail(charlie)
    assert client_for(charlie).post(add_url(), {"body": "Hi"}).status_code == 403
    assert postmortem.comments.count() == 0


def test_the_facilitator_comments(postmortem: Postmortem, charlie: User) -> None:
    Postmortem.objects.filter(pk=postmortem.pk).update(facilitator=charlie)
    assert client_for(charlie).post(add_url(), {"body": "Shall we meet?"}).status_code == 302


def test_it_checks_ownership(restricted: Postmortem, alice: User, charlie: User) -> None:
    comment = add_comment(restricted, author=alice, body="Restricted remark.")
    client = client_for(charlie)
    assert client.post(add_url("PM-R"), {"body": "Hi"}).status_code == 404
    assert client.post(resolve_url(comment, "PM-R")).status_code == 404
    assert client.post(reopen_url(comment, "PM-R")).status_code == 404


def test_a_comment_of_another_postmortem_is_404(
    postmortem: Postmortem, restricted: Postmortem, alice: User
) -> None:
    comment = add_comment(restricted, author=alice, body="Elsewhere.")
    assert client_for(alice).post(resolve_url(comment, "PM-1")).status_code == 404


def test_anonymous_is_sent_to_log_in(postmortem: Postmortem) -> None:
    response = Client().post(add_url(), {"body": "Hi"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert postmortem.comments.count() == 0
