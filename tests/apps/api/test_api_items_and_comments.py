"""Adding action items and comments through the API: the add form's checks, the page's rules."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from secondstory.accounts.models import User
from secondstory.actions.models import ActionItem
from secondstory.postmortems.models import Comment, Postmortem, Revision

PM = "/api/postmortems/PM-1"
NEW = {"title": "Alert on pool saturation", "type": "detect", "owner": "bob"}


def test_an_editor_adds_an_action_item_with_the_next_key_and_a_revision(
    call: Callable[..., Any], postmortem: Postmortem, alice: User
) -> None:
    api = call(alice, ("actions:write",))
    revisions = Revision.objects.filter(postmortem=postmortem).count()
    due = (timezone.localdate() + timedelta(days=20)).isoformat()
    added = api.post("/api/actions/PM-1", {**NEW, "due": due, "factors": ["F2"]})
    assert added.status_code == 201, added.content
    body = added.json()
    assert (body["key"], body["owner"], body["due"], body["status"]) == ("A2", "bob", due, "open")
    item = ActionItem.objects.get(postmortem=postmortem, key="A2")
    assert [f.key for f in item.factors.all()] == ["F2"]
    assert Revision.objects.filter(postmortem=postmortem).count() == revisions + 1
    # Without a due date, the policies choose one (as the add form does).
    defaulted = api.post("/api/actions/PM-1", {**NEW, "priority": "P1"})
    assert defaulted.status_code == 201
    assert date.fromisoformat(defaulted.json()["due"]) > timezone.localdate()


def test_an_action_item_is_checked_as_the_add_form_checks_it(
    call: Callable[..., Any], postmortem: Postmortem, alice: User
) -> None:
    api = call(alice, ("actions:write",))
    past = (timezone.localdate() - timedelta(days=1)).isoformat()
    cases = {
        "owner": {**NEW, "owner": "nobody"},
        "due": {**NEW, "due": past},
        "tracker_url": {**NEW, "tracker_url": "not a link"},
        "factors": {**NEW, "factors": ["F9"]},
    }
    for field, payload in cases.items():
        refused = api.post("/api/actions/PM-1", payload)
        assert refused.status_code == 400, (field, refused.content)
        assert refused.json()["error"]["field"] == field
    assert api.post("/api/actions/PM-1", {**NEW, "type": "blame"}).status_code == 422
    assert api.post("/api/actions/PM-1", {**NEW, "due": past, "past_due": True}).status_code == 201
    assert ActionItem.objects.filter(postmortem=postmortem).count() == 2


def test_adding_an_item_needs_the_scope_and_the_right_to_edit(
    call: Callable[..., Any],
    postmortem: Postmortem,
    restricted: Postmortem,
    alice: User,
    bob: User,
    charlie: User,
) -> None:
    assert call(alice, ("actions:read",)).post("/api/actions/PM-1", NEW).status_code == 403
    assert call(bob).post("/api/actions/PM-1", NEW).status_code == 403  # a reviewer only
    assert call(charlie).post("/api/actions/PM-R", NEW).status_code == 404
    assert call(alice).post("/api/actions/PM-404", NEW).status_code == 404
    assert ActionItem.objects.filter(postmortem=postmortem).count() == 1


def test_a_reviewer_comments_on_a_passage_and_lists_the_comments(
    call: Callable[..., Any], postmortem: Postmortem, bob: User
) -> None:
    api = call(bob, ("postmortems:write",))
    general = api.post(PM + "/comments", {"body": "Who approved the change?"})
    assert general.status_code == 201, general.content
    passage = api.post(
        PM + "/comments",
        {
            "body": "Which size?",
            "section": "trigger",
            "quote": "lowered the connection pool size",
            "suggestion": "lowered the connection pool size from 50 to 1",
            "requests_change": True,
        },
    )
    assert passage.status_code == 201, passage.content
    body = passage.json()
    assert (body["author"], body["section"], body["requests_change"]) == ("bob", "trigger", True)
    comment = Comment.objects.get(pk=body["id"])
    assert comment.quote_prefix.endswith("change ") and comment.suggestion
    listed = api.get(PM + "/comments").json()
    assert [c["body"] for c in listed] == ["Who approved the change?", "Which size?"]


def test_a_comment_is_checked_and_needs_the_right_to_comment(
    call: Callable[..., Any],
    postmortem: Postmortem,
    restricted: Postmortem,
    alice: User,
    charlie: User,
) -> None:
    api = call(alice, ("postmortems:write",))
    moved = api.post(PM + "/comments", {"body": "x", "section": "trigger", "quote": "not there"})
    assert moved.status_code == 400 and moved.json()["error"]["field"] == "quote"
    empty = api.post(PM + "/comments", {"body": "  "})
    assert empty.status_code == 400 and empty.json()["error"]["field"] == "body"
    # The owner is not a reviewer: "please change" is a plain comment from them.
    own = api.post(PM + "/comments", {"body": "Noted.", "requests_change": True})
    assert own.status_code == 201 and own.json()["requests_change"] is False
    assert call(charlie).post(PM + "/comments", {"body": "x"}).status_code == 403
    assert call(charlie).get("/api/postmortems/PM-R/comments").status_code == 404
    assert (
        call(alice, ("postmortems:read",)).post(PM + "/comments", {"body": "x"}).status_code == 403
    )
    assert Comment.objects.filter(postmortem=postmortem).count() == 1
