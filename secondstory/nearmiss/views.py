"""Near misses in the browser: report one, the triage list, one report."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from secondstory.accounts import permissions
from secondstory.accounts.models import User
from secondstory.nearmiss.forms import IncidentFromReportForm, ReportForm, TriageForm
from secondstory.nearmiss.models import NearMiss, Status
from secondstory.nearmiss.services import report_near_miss, triage, turn_into_incident

PAGE_SIZE = 50


def _report_for(user: User, pk: int) -> NearMiss:
    """The report if ``user`` may read it (404 otherwise, as for a report that is not there)."""
    report = NearMiss.objects.select_related("reporter", "incident").filter(pk=pk).first()
    if report is None or not permissions.may_read_near_miss(user, report):
        raise Http404("No such near-miss report.")
    return report


def report_new(request: HttpRequest) -> HttpResponse:
    assert isinstance(request.user, User)
    if not permissions.may_report_near_miss(request.user):
        raise PermissionDenied("Sign in to report a near miss.")
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        anonymous = form.cleaned_data["anonymous"]
        try:
            report = report_near_miss(form.report_fields(), by=request.user, anonymous=anonymous)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if anonymous:  # no message in the session, no address naming the report
                return redirect("nearmiss:thanks")
            return redirect("nearmiss:detail", pk=report.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "nearmiss/form.html", {"form": form}, status=status)


def thanks(request: HttpRequest) -> HttpResponse:
    if not permissions.may_report_near_miss(request.user):
        raise PermissionDenied("Sign in to report a near miss.")
    return render(request, "nearmiss/thanks.html")


def near_miss_list(request: HttpRequest) -> HttpResponse:
    assert isinstance(request.user, User)
    triager = permissions.may_triage_near_misses(request.user)
    reports = permissions.visible_near_misses(request.user).select_related("incident")
    status = request.GET.get("status", "")
    if status and status not in Status.values:
        status = ""
    if status:
        reports = reports.filter(status=status)
    page = Paginator(reports.prefetch_related("teams"), PAGE_SIZE).get_page(request.GET.get("page"))
    context: dict[str, Any] = {
        "page": page,
        "triager": triager,
        "statuses": Status.choices,
        "status": status,
        "may_report": permissions.may_report_near_miss(request.user),
    }
    return render(request, "nearmiss/list.html", context)


def _render_detail(
    request: HttpRequest, report: NearMiss, status: int = 200, **forms: Any
) -> HttpResponse:
    assert isinstance(request.user, User)
    triager = permissions.may_triage_near_misses(request.user)
    context: dict[str, Any] = {
        "report": report,
        "triager": triager,
        "triage_form": forms.get("triage_form")
        or TriageForm(initial={"status": report.status, "triage_note": report.triage_note}),
        "incident_form": forms.get("incident_form") or IncidentFromReportForm(),
        "may_run_game_days": permissions.may_run_game_days(request.user),
        "may_read_incident": report.incident is not None
        and permissions.may_read_incident(request.user, report.incident),
    }
    return render(request, "nearmiss/detail.html", context, status=status)


def near_miss_detail(request: HttpRequest, pk: int) -> HttpResponse:
    assert isinstance(request.user, User)
    return _render_detail(request, _report_for(request.user, pk))


@require_POST
def near_miss_triage(request: HttpRequest, pk: int) -> HttpResponse:
    assert isinstance(request.user, User)
    report = _report_for(request.user, pk)
    if not permissions.may_triage_near_misses(request.user):
        raise PermissionDenied("Admins and responders triage near-miss reports.")
    form = TriageForm(request.POST)
    if form.is_valid():
        try:
            triage(
                report, status=form.cleaned_data["status"], note=form.cleaned_data["triage_note"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("nearmiss:detail", pk=report.pk)
    return _render_detail(request, report, 400, triage_form=form)


@require_POST
def near_miss_incident(request: HttpRequest, pk: int) -> HttpResponse:
    assert isinstance(request.user, User)
    report = _report_for(request.user, pk)
    allowed = permissions.may_triage_near_misses(request.user)
    if not (allowed and permissions.may_declare_incident(request.user)):
        raise PermissionDenied("Admins and responders turn a near miss into an incident.")
    form = IncidentFromReportForm(request.POST)
    if form.is_valid():
        link = request.build_absolute_uri(reverse("nearmiss:detail", args=[report.pk]))
        data = form.cleaned_data
        try:
            incident = turn_into_incident(
                report, title=data["title"], severity=data["severity"], by=request.user, link=link
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("incidents:detail", key=incident.key)
    return _render_detail(request, report, 400, incident_form=form)
