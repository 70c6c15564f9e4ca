"""The organisation-wide action item list, its CSV export, saved filters and team figures.

Everything shown is limited to the postmortems the signed-in person may read.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from secondstory.accounts.models import Team, User
from secondstory.actions.figures import compute_figures
from secondstory.actions.filters import (
    SORTS,
    STATUS_LABELS,
    ActionFilter,
    FilterError,
    apply_filter,
    ordered,
    parse_filter,
    row_for,
    rows_for,
    status_counts,
    visible_items,
    write_csv,
)
from secondstory.actions.models import ActionItem, SavedFilter
from secondstory.core import taxonomy
from secondstory.incidents.models import Service, Severity
from secondstory.postmortems.templatetags.secondstory import display_zone

PAGE_SIZE = 50
FIGURES_DEFAULT_DAYS = 90
MAX_FILTER_NAME = taxonomy.MAX_TITLE


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _today(request: HttpRequest) -> date:
    return timezone.localdate(timezone=display_zone(request))


def _choices(user: User) -> dict[str, object]:
    """What the filter form offers (four queries, whatever the number of items)."""
    owners = User.objects.filter(action_items__in=visible_items(user)).only(
        "username", "display_name", "first_name", "last_name"
    )
    return {
        "owners": owners.distinct().order_by("username"),
        "teams": Team.objects.only("slug", "name").order_by("name"),
        "services": Service.objects.only("slug", "name").order_by("name"),
        "severities": Severity.objects.order_by("rank"),
        "statuses": list(STATUS_LABELS.items()),
        "types": list(ActionItem.TYPE_CHOICES),
        "priorities": taxonomy.ACTION_PRIORITIES,
    }


def _sort_links(flt: ActionFilter) -> dict[str, str]:
    """For each sortable column, the query string that sorts by it (again: reversed)."""
    links = {}
    for column in SORTS:
        target = f"-{column}" if flt.sort == column else column
        links[column] = flt.query_string(sort=target)
    return links


@require_GET
def action_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    today = _today(request)
    context: dict[str, object] = {
        "today": today,
        "saved_filters": list(SavedFilter.objects.filter(owner=user)),
        "max_name": MAX_FILTER_NAME,
        **_choices(user),
    }
    try:
        flt = parse_filter(request.GET)
    except FilterError as exc:
        context.update(errors=exc.errors, flt=ActionFilter(), raw=request.GET)
        return render(request, "actions/list.html", context, status=400)
    items = apply_filter(visible_items(user), flt, today)
    page = Paginator(ordered(items, flt, incidents=False), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = flt.query_string()
    context.update(
        flt=flt,
        raw=request.GET,
        page=page,
        rows=rows_for(page.object_list, today),
        counts=[
            (status, STATUS_LABELS[status], count, flt.query_string(status=status))
            for status, count in status_counts(
                apply_filter(visible_items(user), flt, today, with_status=False)
            ).items()
        ],
        query=query,
        query_prefix=f"{query}&" if query else "",
        sort_links=_sort_links(flt),
    )
    return render(request, "actions/list.html", context)


@require_GET
def action_csv(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    today = _today(request)
    try:
        flt = parse_filter(request.GET)
    except FilterError as exc:
        lines = "".join(f"{name}: {message}\n" for name, message in exc.errors.items())
        return HttpResponse(lines, status=400, content_type="text/plain; charset=utf-8")
    items = ordered(apply_filter(visible_items(user), flt, today), flt)
    rows = (row_for(item, today) for item in items)
    text = write_csv(rows, request.build_absolute_uri("/"))
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="action-items-{today}.csv"'
    return response


@require_POST
def save_filter(request: HttpRequest) -> HttpResponse:
    """Store the current query string under a name; the same name replaces the old query."""
    user = _user(request)
    name = request.POST.get("name", "").strip()
    raw_query = request.POST.get("query", "").lstrip("?")
    list_url = reverse("actions:list")
    try:
        flt = parse_filter(QueryDict(raw_query))
    except FilterError as exc:
        messages.error(request, f"The filter was not saved: {exc}")
        return redirect(list_url)
    query = flt.query_string()
    target = f"{list_url}?{query}" if query else list_url
    if not name:
        messages.error(request, "name: give the filter a name to save it")
        return redirect(target)
    if len(name) > MAX_FILTER_NAME:
        messages.error(request, f"name: at most {MAX_FILTER_NAME} characters")
        return redirect(target)
    try:
        with transaction.atomic():
            SavedFilter.objects.update_or_create(owner=user, name=name, defaults={"query": query})
    except IntegrityError:
        messages.error(request, f"name: “{name}” could not be saved; try again")
        return redirect(target)
    messages.success(request, f"Saved the filter “{name}”.")
    return redirect(target)


@require_POST
def delete_filter(request: HttpRequest, pk: int) -> HttpResponse:
    saved = get_object_or_404(SavedFilter, pk=pk, owner=_user(request))
    saved.delete()
    messages.success(request, f"Deleted the saved filter “{saved.name}”.")
    return redirect("actions:list")


@require_GET
def figures_page(request: HttpRequest) -> HttpResponse:
    """Follow-through figures by team and by priority for a date range (default 90 days)."""
    user = _user(request)
    today = _today(request)
    errors: dict[str, str] = {}
    bounds: dict[str, date | None] = {}
    for name, default in (
        ("since", today - timedelta(days=FIGURES_DEFAULT_DAYS)),
        ("until", today),
    ):
        raw = request.GET.get(name, "").strip()
        try:
            bounds[name] = date.fromisoformat(raw) if raw else default
        except ValueError:
            errors[name] = f"“{raw}” is not a date; use YYYY-MM-DD"
            bounds[name] = default
    since, until = bounds["since"], bounds["until"]
    if not errors and since and until and since > until:
        errors["until"] = f"{until.isoformat()} is before since {since.isoformat()}"
    context: dict[str, object] = {"errors": errors, "since": since, "until": until}
    if not errors:
        context["figures"] = compute_figures(visible_items(user), today, since, until)
    return render(request, "actions/figures.html", context, status=400 if errors else 200)
