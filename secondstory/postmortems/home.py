"""The home page: what is waiting for the signed-in person, and what was published lately."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from secondstory.accounts.models import User
from secondstory.actions.models import ActionItem
from secondstory.lib.timezones import viewer_zone
from secondstory.postmortems.models import LONG_TEXT, Postmortem
from secondstory.postmortems.services import visible_postmortems

RECENTLY_PUBLISHED = 10
_OPEN_ACTIONS = ("open", "in_progress")
_FINISHED = ("published", "not_required")


def _my_action_items(request: HttpRequest, user: User) -> list[ActionItem]:
    """Open and in-progress items ``user`` owns: overdue first, then by due date."""
    items = list(
        ActionItem.objects.filter(
            owner=user,
            status__in=_OPEN_ACTIONS,
            postmortem__in=visible_postmortems(user).values("pk"),
        )
        .select_related("postmortem")
        .defer(*(f"postmortem__{name}" for name in LONG_TEXT))
        .order_by("due", "postmortem__key", "position", "id")
    )
    today = timezone.localdate(timezone=viewer_zone(request))
    for item in items:
        item.overdue_days = item.days_overdue(today)  # type: ignore[attr-defined]
    return items


def _waiting(user: User, visible: QuerySet[Postmortem]) -> dict[str, list[Postmortem]]:
    """The three panels of postmortems waiting for ``user`` (owned and still open, in review
    with them as a reviewer, drafts of others they collaborate on), read in one query."""
    reviewing = Exists(
        Postmortem.reviewers.through.objects.filter(postmortem_id=OuterRef("pk"), user_id=user.pk)
    )
    collaborating = Exists(
        Postmortem.collaborators.through.objects.filter(
            postmortem_id=OuterRef("pk"), user_id=user.pk
        )
    )
    rows = list(
        visible.annotate(reviewing=reviewing, collaborating=collaborating)
        .filter(
            (Q(owner=user) & ~Q(status__in=_FINISHED))
            | Q(status="in_review", reviewing=True)
            | (Q(status="draft", collaborating=True) & ~Q(owner=user))
        )
        .order_by("key")
    )
    owned = [p for p in rows if p.owner_id == user.pk and p.status not in _FINISHED]
    to_review = [p for p in rows if p.status == "in_review" and p.reviewing]  # type: ignore[attr-defined]
    drafts = [
        p
        for p in rows
        if p.status == "draft" and p.collaborating and p.owner_id != user.pk  # type: ignore[attr-defined]
    ]
    # Each list is in key order already; a stable sort then orders it as the panel shows it.
    owned.sort(key=lambda p: p.created_at, reverse=True)
    to_review.sort(key=lambda p: (p.submitted_at is None, p.submitted_at or p.created_at))
    drafts.sort(key=lambda p: p.updated_at, reverse=True)
    return {"owned": owned, "to_review": to_review, "collaborating": drafts}


def home(request: HttpRequest) -> HttpResponse:
    assert isinstance(request.user, User)
    user = request.user
    visible = visible_postmortems(user).select_related("owner").defer(*LONG_TEXT)
    context = {
        "action_items": _my_action_items(request, user),
        **_waiting(user, visible),
        "recently_published": list(
            visible.filter(status="published").order_by("-published_at", "key")[:RECENTLY_PUBLISHED]
        ),
    }
    return render(request, "home.html", context)
