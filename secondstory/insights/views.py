"""HTTP side of the insights pages: the organisation, a team or a service over a date range."""

from __future__ import annotations

import csv

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from secondstory.accounts.models import Team
from secondstory.incidents.models import Service
from secondstory.insights import pages
from secondstory.insights.charts import Chart
from secondstory.insights.scope import Scope, ScopeError, date_range
from secondstory.postmortems.access import signed_in_user


def _scope(request: HttpRequest, team: Team | None, service: Service | None) -> Scope:
    today = timezone.localdate()
    params = {k: request.GET.get(k, "").strip() for k in ("from", "to")}
    return Scope(date_range(params, today), today, team=team, service=service)


def _csv(chart: Chart) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{chart.id}.csv"'
    writer = csv.writer(response)
    writer.writerow(chart.header)
    for row in chart.rows:
        writer.writerow(["" if cell is None else cell for cell in row])
    return response


def _csv_query(request: HttpRequest, scope: Scope) -> str:
    params = request.GET.copy()
    for name in ("format", "chart"):
        params.pop(name, None)
    params["from"], params["to"] = str(scope.span.start), str(scope.span.end)
    params["format"] = "csv"
    return params.urlencode()


def _render(request: HttpRequest, team: Team | None, service: Service | None) -> HttpResponse:
    user = signed_in_user(request)
    try:
        scope = _scope(request, team, service)
    except ScopeError as error:
        return render(request, "insights/error.html", {"message": str(error)}, status=400)
    if request.GET.get("format") == "csv":
        wanted = request.GET.get("chart", "")
        chart = pages.find_chart(scope, user, wanted)
        if chart is None:
            message = f"chart: no chart called {wanted!r} on this page"
            return render(request, "insights/error.html", {"message": message}, status=404)
        return _csv(chart)
    context = pages.page(scope, user)
    context.update(
        scope=scope,
        teams=Team.objects.order_by("name"),
        services=Service.objects.order_by("name"),
        csv_query=_csv_query(request, scope),
    )
    return render(request, "insights/page.html", context)


@require_GET
def organisation(request: HttpRequest) -> HttpResponse:
    team_slug = request.GET.get("team", "")
    service_slug = request.GET.get("service", "")
    team = get_object_or_404(Team, slug=team_slug) if team_slug else None
    service = get_object_or_404(Service, slug=service_slug) if service_slug else None
    return _render(request, team, service)


@require_GET
def team(request: HttpRequest, slug: str) -> HttpResponse:
    return _render(request, get_object_or_404(Team, slug=slug), None)


@require_GET
def service(request: HttpRequest, slug: str) -> HttpResponse:
    return _render(request, None, get_object_or_404(Service, slug=slug))
