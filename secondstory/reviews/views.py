"""Review meeting pages: schedule and reschedule, the meeting (agenda, notes, decisions,
held), cancel, the printable agenda and the invite download. HTTP only: the work is in
``services`` and who may do it is asked of ``accounts.permissions``."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from secondstory.accounts import permissions
from secondstory.lib.timezones import site_zone
from secondstory.postmortems.access import (
    is_htmx,
    postmortem_for_reader,
    require,
    signed_in_user,
)
from secondstory.postmortems.models import Postmortem
from secondstory.reviews import checks, invites, services
from secondstory.reviews.forms import DecisionForm, HeldForm, MeetingForm, NotesForm
from secondstory.reviews.models import ReviewMeeting


def _runner(request: HttpRequest, key: str) -> Postmortem:
    """The postmortem when the person may run its review: 404 unreadable, 403 read-only."""
    postmortem = postmortem_for_reader(request, key)
    require(permissions.may_run_review(signed_in_user(request), postmortem))
    return postmortem


def _meeting(postmortem: Postmortem, pk: int) -> ReviewMeeting:
    meetings = ReviewMeeting.objects.select_related("facilitator", "organizer", "postmortem")
    return get_object_or_404(meetings, pk=pk, postmortem=postmortem)


def _form_errors(form: MeetingForm, error: ValidationError) -> None:
    for field, problems in error.message_dict.items():
        form.add_error(field if field in form.fields else None, problems)


@require_http_methods(["GET", "POST"])
def schedule(request: HttpRequest, key: str) -> HttpResponse:
    postmortem = _runner(request, key)
    user = signed_in_user(request)
    if request.method == "POST":
        form = MeetingForm(request.POST)
        if form.is_valid():
            try:
                meeting = services.schedule(postmortem, form.plan(), by=user)
            except ValidationError as error:
                _form_errors(form, error)
            else:
                messages.success(request, "Review scheduled; invites are on their way.")
                return redirect("reviews:meeting", key=key, pk=meeting.pk)
    else:
        zone = user.time_zone or site_zone().key
        form = MeetingForm(initial={
            "time_zone": zone, "facilitator": postmortem.facilitator,
            "attendees": [postmortem.owner, *postmortem.collaborators.all()],
            "duration_minutes": 60,
        })  # fmt: skip
    status = 400 if form.errors else 200
    context = {"postmortem": postmortem, "form": form, "meeting": None}
    return render(request, "reviews/form.html", context, status=status)


@require_http_methods(["GET", "POST"])
def reschedule(request: HttpRequest, key: str, pk: int) -> HttpResponse:
    postmortem = _runner(request, key)
    meeting = _meeting(postmortem, pk)
    if meeting.status != "scheduled":
        messages.error(request, f"This review is {meeting.get_status_display().lower()}.")
        return redirect("reviews:meeting", key=key, pk=pk)
    if request.method == "POST":
        form = MeetingForm(request.POST)
        if form.is_valid():
            try:
                services.reschedule(meeting, form.plan())
            except ValidationError as error:
                _form_errors(form, error)
            else:
                messages.success(request, "Review rescheduled; updated invites are on their way.")
                return redirect("reviews:meeting", key=key, pk=pk)
    else:
        start = invites.local_start(meeting)
        form = MeetingForm(initial={
            "date": start.date(), "time": start.time(), "time_zone": meeting.time_zone,
            "duration_minutes": meeting.duration_minutes, "location": meeting.location,
            "facilitator": meeting.facilitator, "attendees": list(meeting.attendees.all()),
        })  # fmt: skip
    status = 400 if form.errors else 200
    context = {"postmortem": postmortem, "form": form, "meeting": meeting}
    return render(request, "reviews/form.html", context, status=status)


def _page_context(
    request: HttpRequest, postmortem: Postmortem, meeting: ReviewMeeting
) -> dict[str, object]:
    user = signed_in_user(request)
    return {
        "postmortem": postmortem,
        "meeting": meeting,
        "when": invites.when(meeting),
        "invited": invites.invitees(meeting),
        "attended": list(meeting.attended.all()),
        "decisions": meeting.decisions.select_related("recorded_by"),
        "warnings": checks.warnings(meeting),
        "agenda": checks.agenda(postmortem),
        "may_run": permissions.may_run_review(user, postmortem),
        "notes_form": NotesForm(initial={"notes": meeting.notes}),
        "decision_form": DecisionForm(),
        "held_form": HeldForm(initial={"attended": invites.invitees(meeting)}),
    }


@require_GET
def meeting(request: HttpRequest, key: str, pk: int) -> HttpResponse:
    postmortem = postmortem_for_reader(request, key)
    found = _meeting(postmortem, pk)
    return render(request, "reviews/meeting.html", _page_context(request, postmortem, found))


@require_GET
def agenda(request: HttpRequest, key: str, pk: int) -> HttpResponse:
    """The agenda alone, laid out for printing."""
    postmortem = postmortem_for_reader(request, key)
    found = _meeting(postmortem, pk)
    context = _page_context(request, postmortem, found)
    return render(request, "reviews/agenda_print.html", context)


@require_GET
def invite(request: HttpRequest, key: str, pk: int) -> HttpResponse:
    """The meeting's current invite as a file, for people who add it by hand."""
    postmortem = postmortem_for_reader(request, key)
    found = _meeting(postmortem, pk)
    response = HttpResponse(invites.ics(found), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="review-{postmortem.key}.ics"'
    return response


@require_POST
def notes(request: HttpRequest, key: str, pk: int) -> HttpResponse:
    """Save the notes; an htmx autosave gets a one-line status, a plain form the page."""
    postmortem = _runner(request, key)
    found = _meeting(postmortem, pk)
    form = NotesForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            services.save_notes(found, form.cleaned_data["notes"])
        except ValidationError as problem:
            error = "; ".join(problem.messages)
    else:
        error = _form_problems(form)
    if is_htmx(request):
        context = {"error": error, "saved_at": timezone.now()}
        return render(request, "reviews/_notes_status.html", context, status=400 if error else 200)
    if error:
        messages.error(request, f"Notes not saved: {error}")
    else:
        messages.success(request, "Notes saved.")
    return redirect("reviews:meeting", key=key, pk=pk)


def _form_problems(form: forms.Form) -> str:
    """A form's errors as one line for a message."""
    return "; ".join(e for errors in form.errors.values() for e in errors)


@require_POST
def decision(request: HttpRequest, key: str, pk: int) -> HttpResponse:
    postmortem = _runner(request, key)
    found = _meeting(postmortem, pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            services.record_decision(found, form.cleaned_data["text"], by=signed_in_user(request))
        except ValidationError as problem:
            messages.error(request, "Decision not recorded: " + "; ".join(problem.messages))
        else:
            messages.success(request, "Decision recorded in the postmortem.")
    else:
        messages.error(request, f"Decision not recorded: {_form_problems(form)}")
    return redirect("reviews:meeting", key=key, pk=pk)


@require_POST
def held(request: HttpRequest, key: str, pk: int) -> HttpResponse:
    postmortem = _runner(request, key)
    found = _meeting(postmortem, pk)
    form = HeldForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"Not marked held: {_form_problems(form)}.")
        return redirect("reviews:meeting", key=key, pk=pk)
    try:
        services.mark_held(found, form.cleaned_data["attended"])
    except ValidationError as problem:
        messages.error(request, "Not marked held: " + "; ".join(problem.messages))
    else:
        messages.success(request, "Review marked held.")
    return redirect("reviews:meeting", key=key, pk=pk)


@require_POST
def cancel(request: HttpRequest, key: str, pk: int) -> HttpResponse:
    postmortem = _runner(request, key)
    found = _meeting(postmortem, pk)
    try:
        services.cancel(found)
    except ValidationError as problem:
        messages.error(request, "Not cancelled: " + "; ".join(problem.messages))
    else:
        messages.success(request, "Review cancelled; everyone invited gets a cancellation.")
    return redirect("reviews:meeting", key=key, pk=pk)
