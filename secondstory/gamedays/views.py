"""Game days in the browser: the list, the suggestions, planning, one game day and its steps.

Observations, findings and action items are written on the game day's review with the
postmortem editor (timeline, imports, factors, items); these pages hold the experiment.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from secondstory.accounts import permissions
from secondstory.accounts.models import User
from secondstory.actions.models import ActionItem
from secondstory.core.gamedays import lifecycle
from secondstory.gamedays import services
from secondstory.gamedays.forms import (
    GameDayForm,
    StatusForm,
    VerifyForm,
    initial_from_game_day,
    initial_from_near_miss,
    initial_from_suggestion,
)
from secondstory.gamedays.models import GameDay
from secondstory.gamedays.suggestions import suggested_game_days, suggestion
from secondstory.nearmiss.models import NearMiss

PAGE_SIZE = 50


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _game_day_for(user: User, key: str) -> GameDay:
    """The game day if ``user`` reads it (404 otherwise, as for a key that is not there)."""
    game_day = (
        GameDay.objects.select_related("postmortem", "near_miss", "created_by")
        .filter(key=key)
        .first()
    )
    if game_day is None or not permissions.may_read_game_day(user, game_day):
        raise Http404("No such game day.")
    return game_day


def _require_runner(user: User) -> None:
    if not permissions.may_run_game_days(user):
        raise PermissionDenied("Admins and responders plan and run game days.")


def game_day_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    game_days = permissions.visible_game_days(user).prefetch_related("services")
    status = request.GET.get("status", "")
    if status in lifecycle.STATUSES:
        game_days = game_days.filter(status=status)
    else:
        status = ""
    page = Paginator(game_days, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "status": status,
        "statuses": GameDay.STATUS_CHOICES,
        "may_run": permissions.may_run_game_days(user),
    }
    return render(request, "gamedays/list.html", context)


def suggestions(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    context = {
        "suggestions": suggested_game_days(user),
        "may_run": permissions.may_run_game_days(user),
    }
    return render(request, "gamedays/suggestions.html", context)


def _initial(user: User, request: HttpRequest) -> tuple[dict[str, Any], NearMiss | None]:
    """What the plan form starts from: a suggestion, a near-miss report, or nothing."""
    source = request.GET.get("suggestion") or request.POST.get("suggestion") or ""
    report_pk = request.GET.get("near_miss") or request.POST.get("near_miss") or ""
    initial: dict[str, Any] = {"participants": [user]}
    report = None
    if report_pk:
        if not report_pk.isdigit() or not permissions.may_triage_near_misses(user):
            raise Http404("No such near-miss report.")
        report = NearMiss.objects.filter(pk=int(report_pk)).first()
        if report is None:
            raise Http404("No such near-miss report.")
        initial.update(initial_from_near_miss(report))
    elif source:
        found = suggestion(user, source)
        if found is None:
            raise Http404("No such suggestion (it may no longer recur).")
        initial.update(initial_from_suggestion(found))
    return initial, report


def game_day_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    _require_runner(user)
    initial, report = _initial(user, request)
    form = GameDayForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            game_day = services.plan_game_day(form.game_day_fields(), by=user, near_miss=report)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("gamedays:detail", key=game_day.key)
    context = {
        "form": form,
        "report": report,
        "suggestion": request.GET.get("suggestion") or request.POST.get("suggestion") or "",
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "gamedays/form.html", context, status=status)


def game_day_edit(request: HttpRequest, key: str) -> HttpResponse:
    user = _user(request)
    game_day = _game_day_for(user, key)
    _require_runner(user)
    form = GameDayForm(request.POST or None, initial=initial_from_game_day(game_day))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_game_day(game_day, form.game_day_fields())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("gamedays:detail", key=game_day.key)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "game_day": game_day}
    return render(request, "gamedays/form.html", context, status=status)


def _render_detail(
    request: HttpRequest, game_day: GameDay, status: int = 200, **forms: Any
) -> HttpResponse:
    user = _user(request)
    postmortem = game_day.postmortem
    events = services.observations(game_day)
    context = {
        "game_day": game_day,
        "postmortem": postmortem,
        "observations": events,
        "findings": list(postmortem.factors.select_related("category")),
        "items": list(postmortem.action_items.select_related("owner")),
        "verifications": list(
            game_day.verifications.select_related("item__postmortem", "observation", "by")
        ),
        "may_run": permissions.may_run_game_days(user),
        "may_write_review": permissions.may(user, "edit", postmortem),
        "next_statuses": [
            (s, lifecycle.LABELS[s]) for s in lifecycle.next_statuses(game_day.status)
        ],
        "status_form": forms.get("status_form") or StatusForm(),
        "verify_form": forms.get("verify_form") or VerifyForm(events=events),
        "may_verify": game_day.status in (lifecycle.RUNNING, lifecycle.DONE),
    }
    return render(request, "gamedays/detail.html", context, status=status)


def game_day_detail(request: HttpRequest, key: str) -> HttpResponse:
    return _render_detail(request, _game_day_for(_user(request), key))


@require_POST
def game_day_status(request: HttpRequest, key: str) -> HttpResponse:
    user = _user(request)
    game_day = _game_day_for(user, key)
    _require_runner(user)
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            services.set_status(game_day, form.cleaned_data["status"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("gamedays:detail", key=game_day.key)
    return _render_detail(request, game_day, 400, status_form=form)


def _item_for(user: User, postmortem_key: str, item_key: str) -> ActionItem | None:
    return (
        ActionItem.objects.select_related("postmortem")
        .filter(
            postmortem__in=permissions.visible_postmortems(user),
            postmortem__key=postmortem_key,
            key=item_key,
        )
        .first()
    )


@require_POST
def game_day_verify(request: HttpRequest, key: str) -> HttpResponse:
    user = _user(request)
    game_day = _game_day_for(user, key)
    _require_runner(user)
    form = VerifyForm(request.POST, events=services.observations(game_day))
    if form.is_valid():
        postmortem_key, item_key = form.cleaned_data["item"]
        item = _item_for(user, postmortem_key, item_key)
        if item is None:
            form.add_error("item", f"no action item {postmortem_key}/{item_key} you can read")
        elif not permissions.may_verify_action_item(user, item, game_day):
            raise PermissionDenied("You may not verify this action item.")
        else:
            try:
                services.verify_action_item(
                    item,
                    game_day,
                    note=form.cleaned_data["note"],
                    by=user,
                    observation=form.cleaned_data["observation"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return redirect("gamedays:detail", key=game_day.key)
    return _render_detail(request, game_day, 400, verify_form=form)
