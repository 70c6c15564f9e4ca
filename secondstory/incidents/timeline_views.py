"""The timeline editor on a postmortem's page: quick capture, toggles, filters, zone.

One event (add, edit, delete) has its own module, event_views.py.

Every view renders a full page (or redirects) by default; an htmx request gets only the
fragment it swaps. Reading needs can_read (else 404); changing needs can_edit (else 403).
Every saved change records one revision of the postmortem in the same transaction.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from secondstory.core.limits import event_count_problem
from secondstory.core.timeline.event import TimelineEvent as EventData
from secondstory.core.timeline.hand_typed import MANUAL_SOURCE
from secondstory.incidents.models import Incident, TimelineEvent
from secondstory.incidents.services import (
    add_captured_events,
    set_known_at_the_time,
    set_starred,
)
from secondstory.incidents.timeline_context import (
    capture_form,
    event_url_prefix,
    prepare_for_display,
    timeline_context,
    with_sightings,
    zone_names_for,
)
from secondstory.incidents.timeline_forms import (
    CaptureForm,
    DisplayZoneForm,
)
from secondstory.lib.timezones import (
    set_session_zone,
    viewer_zone,
    zone_datalist,
)
from secondstory.library.index_fields import reindex_timeline
from secondstory.postmortems.access import (
    is_htmx,
    postmortem_for_editor,
    postmortem_for_reader,
    signed_in_user,
)
from secondstory.postmortems.changes import announce_change
from secondstory.postmortems.models import Postmortem
from secondstory.postmortems.revisions import EVENTS_ADDED, record_revision


def _get_event(postmortem: Postmortem, pk: int, *, lock: bool = False) -> TimelineEvent:
    events = TimelineEvent.objects.select_related("incident")
    if lock:
        events = events.select_for_update(of=("self",))
    return get_object_or_404(events, pk=pk, incident__postmortems=postmortem)


def _incidents(postmortem: Postmortem) -> list[Incident]:
    # Never the timelines themselves: the timeline section reads one window of events.
    return list(postmortem.incidents.order_by("key").prefetch_related("milestones__kind"))


def _new_ref(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def _too_many_events(incident: Incident | None, adding: int) -> str:
    """The refusal when ``adding`` events would take the incident past its limit, else ""."""
    if incident is None:
        return ""
    problem = event_count_problem(incident.key, incident.timeline.count() + adding)
    return f"Nothing was added: {problem} (see Limits in the operations guide)." if problem else ""


def _timeline_url(postmortem: Postmortem, anchor: str = "timeline") -> str:
    """The postmortem's page at ``anchor``; at an event, the window of the timeline that
    starts with it, so an event far down a long timeline is on the page."""
    url = reverse("postmortems:detail", args=[postmortem.key])
    if anchor.startswith("event-"):
        return f"{url}?event={anchor.removeprefix('event-')}#{anchor}"
    return f"{url}#{anchor}"


# --- The timeline section: shared with the postmortem's page --------------------------------


def _render_timeline(request: HttpRequest, postmortem: Postmortem, **extra: Any) -> HttpResponse:
    """The timeline section alone (htmx) or the timeline page (no JavaScript)."""
    context = {**timeline_context(request, postmortem, _incidents(postmortem)), **extra}
    if is_htmx(request) and request.GET.get("part") == "run":
        # A run of collapsed chat messages, opened in place of its "N more" line.
        return render(request, "postmortems/_timeline.html#timeline-run-events", context)
    if is_htmx(request) and request.GET.get("part") == "more":
        # "Show more": the next window alone, put in place of the link that asked for it.
        return render(request, "postmortems/_timeline.html#timeline-window", context)
    if is_htmx(request):
        return render(request, "postmortems/_timeline.html", context)
    return render(request, "incidents/timeline_page.html", context)


@require_http_methods(["GET"])
def timeline(request: HttpRequest, key: str) -> HttpResponse:
    """The timeline, filtered by kind, source and starred, one window of events from the
    event after ``after`` (GET parameters)."""
    return _render_timeline(request, postmortem_for_reader(request, key))


@require_http_methods(["GET"])
def timeline_zone_names(request: HttpRequest, key: str) -> HttpResponse:
    """The ``zone-names`` datalist, fetched when a zone field is first focused: the page
    of a long timeline does not carry 600 suggestions nobody may open."""
    postmortem_for_reader(request, key)
    return HttpResponse(zone_datalist(), content_type="text/html; charset=utf-8")


# --- Quick capture ----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def timeline_capture(request: HttpRequest, key: str) -> HttpResponse:
    """Preview typed lines, or add them all (refused while any line has an error)."""
    postmortem = postmortem_for_editor(request, key)
    incidents = _incidents(postmortem)
    if not incidents:
        raise Http404("This postmortem has no incident to add events to.")
    if request.method == "GET":
        form = capture_form(request, incidents, viewer_zone(request))
        return _render_capture(request, postmortem, form, None)
    form = CaptureForm(request.POST, incidents=incidents)
    if not form.is_valid():
        return _render_capture(request, postmortem, form, None, status=400)
    lines = form.lines()
    if request.POST.get("action") != "add":
        return _render_capture(request, postmortem, form, lines)
    problems = [line.error for line in lines if line.error]
    too_many = _too_many_events(form.incident, len(lines))
    if too_many and not problems:
        return _render_capture(request, postmortem, form, lines, refusal=too_many, status=400)
    if problems or not lines:
        refusal = (
            f"Nothing was added: {len(problems)} line{'s' if len(problems) != 1 else ''} "
            "need fixing first."
            if problems
            else "Nothing was added: there are no events to add."
        )
        return _render_capture(request, postmortem, form, lines, refusal=refusal, status=400)
    incident = form.incident
    assert incident is not None
    events = [
        EventData(
            at=line.at,
            kind=line.kind,
            source=MANUAL_SOURCE,
            source_ref=_new_ref("capture"),
            text=line.text,
            actor=line.actor,
            known_at_the_time=line.known_at_the_time,
        )
        for line in lines
        if line.at is not None
    ]
    with transaction.atomic():
        added = add_captured_events(incident, events)
        count = len(events)
        summary = f"Added {count} timeline event{'s' if count != 1 else ''}"
        record_revision(
            postmortem,
            author=signed_in_user(request),
            summary=summary,
            reindex=lambda changed: reindex_timeline(changed, added),
            touched=EVENTS_ADDED,
        )
    if is_htmx(request):
        # The "Add all" button targets the whole timeline section.
        response = _render_timeline(request, postmortem, timeline_notice=f"{summary}.")
        return announce_change(request, response)
    messages.success(request, f"{summary}.")
    return redirect(_timeline_url(postmortem))


def _render_capture(
    request: HttpRequest,
    postmortem: Postmortem,
    form: CaptureForm,
    lines: list[Any] | None,
    *,
    refusal: str = "",
    status: int = 200,
) -> HttpResponse:
    context = {
        "postmortem": postmortem,
        "capture_form": form,
        "lines": lines,
        "error_count": sum(1 for line in lines or [] if line.error),
        "refusal": refusal,
        "capture_page": True,
    }
    if is_htmx(request):
        # htmx swaps only successful answers: a refusal is shown in the preview with 200,
        # with the form's own errors (the form itself is not swapped).
        context["show_form_errors"] = True
        response = render(request, "incidents/timeline_capture.html#preview", context)
        response["HX-Retarget"] = "#capture-preview"
        response["HX-Reswap"] = "innerHTML"
        return response
    return render(request, "incidents/timeline_capture.html", context, status=status)


# --- Toggles: starred, known at the time ------------------------------------------------------


def _flag(request: HttpRequest, name: str) -> bool:
    value = request.POST.get(name, "")
    if value not in ("0", "1"):
        raise ValidationError(f"{name} must be 0 or 1")
    return value == "1"


def _toggle(request: HttpRequest, key: str, pk: int, field: str) -> HttpResponse:
    postmortem = postmortem_for_editor(request, key)
    try:
        value = _flag(request, field)
    except ValidationError as exc:
        return HttpResponse(exc.messages[0], status=400, content_type="text/plain")
    with transaction.atomic():
        event = _get_event(postmortem, pk, lock=True)
        if field == "starred":
            set_starred(event, value)
            summary = "Starred a timeline event" if value else "Unstarred a timeline event"
        else:
            set_known_at_the_time(event, value)
            summary = (
                "Marked a timeline event known at the time"
                if value
                else "Marked a timeline event learned later"
            )
        record_revision(postmortem, author=signed_in_user(request), summary=summary)
    if is_htmx(request):
        context = {
            "postmortem": postmortem,
            "event": prepare_for_display(
                with_sightings([event])[0], viewer_zone(request), event_url_prefix(postmortem.key)
            ),
            "can_edit_timeline": True,
            "several_incidents": postmortem.incidents.count() > 1,
            "display_zone": viewer_zone(request),
        }
        return render(request, "postmortems/_timeline.html#timeline-event", context)
    return redirect(_timeline_url(postmortem, f"event-{event.pk}"))


@require_POST
def timeline_event_star(request: HttpRequest, key: str, pk: int) -> HttpResponse:
    """POST starred=1 stars the event, starred=0 unstars it."""
    return _toggle(request, key, pk, "starred")


@require_POST
def timeline_event_known(request: HttpRequest, key: str, pk: int) -> HttpResponse:
    """POST known_at_the_time=1 marks it known at the time, 0 learned later."""
    return _toggle(request, key, pk, "known_at_the_time")


# --- The display zone ----------------------------------------------------------------------


@require_POST
def timeline_zone(request: HttpRequest, key: str) -> HttpResponse:
    """Show times in UTC, in the viewer's own zone, or in a zone picked for this session."""
    postmortem = postmortem_for_reader(request, key)
    form = DisplayZoneForm(request.POST, **zone_names_for(request))
    if not form.is_valid():
        context = {
            "postmortem": postmortem,
            "zone_form": form,
            "display_zone": viewer_zone(request),
        }
        return render(request, "incidents/timeline_zone.html", context, status=400)
    if form.cleaned_data["remember"]:
        user = signed_in_user(request)
        user.time_zone = form.cleaned_data["zone"]
        user.save(update_fields=["time_zone"])
    set_session_zone(request, form.choice())
    return redirect(_timeline_url(postmortem))
