"""Template tags of the reviewing workspace: who may do what, and the comments panel."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import template

from secondstory.accounts import permissions
from secondstory.accounts.models import User
from secondstory.core import permissions as table
from secondstory.postmortems.models import Comment, Postmortem, PostmortemTransition

register = template.Library()


@dataclass(frozen=True, slots=True)
class Permissions:
    """What the signed-in person may do on one postmortem (the server checks again)."""

    edit: bool
    review: bool
    comment: bool
    own: bool  # submit, publish, mark not required, reopen
    people: bool = False  # change the owner or the other people on it


def permissions_for(user: Any, postmortem: Postmortem) -> Permissions:
    """Computed from the (usually prefetched) collaborators and reviewers: no extra queries."""
    if not isinstance(user, User) or not user.is_authenticated:
        return Permissions(False, False, False, False)
    role = permissions.organisation_role(user)
    roles = permissions.postmortem_roles(user, postmortem)

    def may(action: str) -> bool:
        return table.may_on_postmortem(action, role, roles)

    return Permissions(
        edit=may("edit"),
        review=may("review"),
        comment=may("comment"),
        own=may("publish"),
        people=may("change_people") or may("change_owner"),
    )


@register.simple_tag(takes_context=True)
def review_permissions(context: template.Context, postmortem: Postmortem) -> Permissions:
    """``{% review_permissions postmortem as may %}``; computed once per request."""
    request = context.get("request")
    cache: dict[int, Permissions] = getattr(request, "_review_permissions", {})
    if postmortem.pk not in cache:
        cache[postmortem.pk] = permissions_for(getattr(request, "user", None), postmortem)
        if request is not None:
            request._review_permissions = cache
    return cache[postmortem.pk]


@dataclass(frozen=True, slots=True)
class CommentPanel:
    comments: list[Comment]
    open_count: int
    form: Any


def page_comments(postmortem: Postmortem) -> list[Comment]:
    """Every comment of the postmortem, read once per page (the margins and the panel)."""
    cached: list[Comment] | None = getattr(postmortem, "_page_comments", None)
    if cached is None:
        cached = list(
            Comment.objects.filter(postmortem=postmortem).select_related("author", "resolved_by")
        )
        for comment in cached:
            comment.postmortem = postmortem  # so may_resolve needs no query per comment
        postmortem._page_comments = cached  # type: ignore[attr-defined]
    return cached


@dataclass(frozen=True, slots=True)
class MarginComment:
    comment: Comment
    outdated: bool  # its passage is no longer in the section


@register.simple_tag
def section_margin(postmortem: Postmortem, field: str) -> list[MarginComment]:
    """``{% section_margin postmortem section.field as margin %}``: the open comments about
    one section, each knowing whether its passage is still there."""
    from secondstory.postmortems.anchored import anchor_of

    return [
        MarginComment(c, bool(c.quote) and anchor_of(c, postmortem) is None)
        for c in page_comments(postmortem)
        if c.section == field and c.resolved_at is None
    ]


@register.simple_tag
def section_comment_counts(postmortem: Postmortem) -> dict[str, int]:
    """Open comments per section field, for the page's outline."""
    counts: dict[str, int] = {}
    for c in page_comments(postmortem):
        if c.section and c.resolved_at is None:
            counts[c.section] = counts.get(c.section, 0) + 1
    return counts


@register.simple_tag(takes_context=True)
def comment_panel(context: template.Context, postmortem: Postmortem) -> CommentPanel:
    """``{% comment_panel postmortem as panel %}``: the comments and the form to add one."""
    from secondstory.postmortems.review_forms import CommentForm

    comments = page_comments(postmortem)
    form = context.get("comment_form") or CommentForm()
    open_count = sum(1 for c in comments if c.resolved_at is None)
    return CommentPanel(comments=comments, open_count=open_count, form=form)


@register.filter
def may_resolve(comment: Comment, user: Any) -> bool:
    """Whether ``user`` may resolve or reopen ``comment`` (its author, the owner, staff)."""
    return permissions.may_resolve_comment(user, comment)


@register.simple_tag
def action_status_choices() -> list[tuple[str, str]]:
    """The statuses an action item can have, as (value, label)."""
    from secondstory.actions.models import ActionItem

    return list(ActionItem.STATUS_CHOICES)


@register.filter
def status_base(item: Any) -> str:
    """The fingerprint a status form starts from (see actions.services.status_fingerprint)."""
    from secondstory.actions.services import status_fingerprint

    return status_fingerprint(item)


@register.simple_tag
def last_transition(postmortem: Postmortem) -> PostmortemTransition | None:
    """The latest lifecycle step (from the prefetched list when there is one)."""
    steps = list(postmortem.transitions.all())
    return steps[-1] if steps else None
