"""Calendar feeds: the page that manages them and the feed itself (token in the URL)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from secondstory.accounts import permissions
from secondstory.accounts.models import Team
from secondstory.audit.record import record_token_use
from secondstory.feeds import services
from secondstory.feeds.models import CalendarToken
from secondstory.postmortems.access import signed_in_user


def _page(request: HttpRequest, *, created: services.NewFeed | None = None, error: str = "",
          status: int = 200) -> HttpResponse:  # fmt: skip
    user = signed_in_user(request)
    teams = Team.objects.all() if permissions.is_admin(user) else user.teams.all()
    context = {
        "tokens": services.manageable_tokens(user),
        "teams": teams,
        "created": created,
        "error": error,
    }
    return render(request, "feeds/index.html", context, status=status)


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return _page(request)


@require_POST
def create(request: HttpRequest) -> HttpResponse:
    """Create a feed and show its URL on the answer to this request, the only time it is
    shown (only its digest is stored)."""
    user = signed_in_user(request)
    scope = request.POST.get("scope", "")
    team = None
    if scope.startswith("team:"):
        team = Team.objects.filter(slug=scope.removeprefix("team:")).first()
        if team is None or not services.may_create_for_team(user, team):
            return _page(request, error="scope: choose yourself or one of your teams.", status=400)
    elif scope != "me":
        return _page(request, error="scope: choose yourself or one of your teams.", status=400)
    return _page(request, created=services.create_token(created_by=user, team=team))


@require_POST
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(CalendarToken.objects.select_related("user", "team"), pk=pk)
    if not services.may_manage(signed_in_user(request), token):
        raise Http404("No calendar feed matches the given query.")
    services.revoke(token)
    messages.success(request, f"Revoked “{token.label}” ({token.hint}…).")
    return redirect("feeds:index")


@login_not_required
@require_http_methods(["GET", "HEAD"])
def calendar(request: HttpRequest, token: str) -> HttpResponse:
    """The iCalendar feed. The token is the credential: no sign-in, and nothing cached by
    shared caches. Unknown tokens get 404, revoked ones 410 Gone."""
    found = services.find_token(token)
    if found is None:
        raise Http404("No calendar feed matches this address.")
    if found.revoked_at is None and not services.is_live(found):
        record_token_use("calendar", found, refused="its people lost access", request=request)
        raise Http404("No calendar feed matches this address.")
    if found.revoked_at is not None:
        record_token_use("calendar", found, refused="revoked", request=request)
        return HttpResponse(
            "This calendar feed has been revoked.\n",
            status=410,
            content_type="text/plain; charset=utf-8",
        )
    now = timezone.now()
    record_token_use("calendar", found, request=request)
    services.touch(found, now)
    items = list(services.feed_items(found))
    body = services.render_calendar(found, items, now, services.feed_meetings(found))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="secondstory-action-items.ics"'
    response["Cache-Control"] = "private, no-store, max-age=0"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response
