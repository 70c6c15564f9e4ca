"""The home page: what is waiting for the signed-in person, and what was published lately."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from secondstory.accounts.models import User
from secondstory.actions.models import ActionItem
from secondstory.lib.timezones import viewer_zone
from secondstory.postmortems.models import LONG_TEXT
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


def home(request: HttpRequest) -> HttpResponse:
    assert isinstance(request.user, User)
    user = request.user
    visible = visible_postmortems(user).select_related("owner").defer(*LONG_TEXT)
    context = {
        "action_items": _my_action_items(request, user),
        "owned": list(
            visible.filter(owner=user).exclude(status__in=_FINISHED).order_by("-created_at", "key")
        ),
        "to_review": list(
            visible.filter(status="in_review", reviewers=user).order_by("submitted_at", "key")
        ),
        "collaborating": list(
            visible.filter(status="draft", collaborators=user)
            .exclude(owner=user)
            .order_by("-updated_at", "key")
        ),
        "recently_published": list(
            visible.filter(status="published").order_by("-published_at", "key")[:RECENTLY_PUBLISHED]
        ),
    }
    return render(request, "home.html", context)
