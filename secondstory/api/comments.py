"""``/api/postmortems/{key}/comments``: read a postmortem's comments and leave one.

Reading: ``postmortems:read``; commenting: ``postmortems:write`` and the right to comment on
the postmortem (writers and reviewers, as on the page). A comment may be about one section,
and about one passage of it (``quote``, which must be in the section as it is now), with a
suggested wording; ``requests_change`` holds approval until it is resolved and counts only
for the postmortem's reviewers, as on the page. The same service as the comment form.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from secondstory.api.auth import scoped, user_of
from secondstory.api.errors import COMMON, WRITES
from secondstory.api.postmortems import postmortem_for
from secondstory.api.schemas import Input
from secondstory.core import anchors, taxonomy
from secondstory.postmortems.anchored import add_anchored_comment
from secondstory.postmortems.models import Comment
from secondstory.postmortems.services import can_review

router = Router(tags=["comments"])
READ = scoped("postmortems", "read")
WRITE = scoped("postmortems", "write")
MAX_COMMENT = 20_000

Section = Literal[tuple(taxonomy.SECTION_FIELDS)]  # type: ignore[valid-type]


class CommentOut(Schema):
    id: int
    author: str
    body: str
    section: str = Field(description="The section it is about; empty: the whole postmortem.")
    quote: str = Field(description="The passage it is about; empty: the whole section.")
    suggestion: str
    requests_change: bool
    created_at: datetime
    resolved_at: datetime | None


class CommentIn(Input):
    body: str = Field("", max_length=MAX_COMMENT, description="Required unless a suggestion.")
    section: Section | Literal[""] = ""
    quote: str = Field(
        "",
        max_length=anchors.MAX_QUOTE,
        description="A passage of the section, as it reads now (needs section).",
    )
    suggestion: str = Field("", max_length=MAX_COMMENT, description="New words for the quote.")
    requests_change: bool = Field(False, description="A reviewer's “please change”.")


def comment_json(comment: Comment) -> dict[str, Any]:
    return {
        "id": comment.pk,
        "author": comment.author.username,
        "body": comment.body,
        "section": comment.section,
        "quote": comment.quote,
        "suggestion": comment.suggestion,
        "requests_change": comment.requests_change,
        "created_at": comment.created_at,
        "resolved_at": comment.resolved_at,
    }


@router.get(
    "/{key}/comments",
    response={200: list[CommentOut], **COMMON},
    auth=READ,
    summary="A postmortem's comments",
)
def list_comments(request: HttpRequest, key: str) -> list[dict[str, Any]]:
    """Oldest first, resolved ones included."""
    pm = postmortem_for(request, key)
    rows = pm.comments.select_related("author").order_by("created_at", "pk")
    return [comment_json(c) for c in rows]


@router.post("/{key}/comments", response={201: CommentOut, **WRITES}, auth=WRITE, summary="Comment")
def create_comment(request: HttpRequest, key: str, payload: CommentIn) -> Status[dict[str, Any]]:
    user = user_of(request)
    pm = postmortem_for(request, key, action="comment")
    comment = add_anchored_comment(
        pm,
        author=user,
        body=payload.body.strip(),
        section=payload.section,
        quote=payload.quote,
        suggestion=payload.suggestion,
        requests_change=payload.requests_change and can_review(user, pm),
    )
    return Status(201, comment_json(comment))
