"""One timeline event on a postmortem's page: add, edit, delete, without losing anybody's work.

An edit form and a delete confirmation carry the fingerprint of the event as it was shown.
A save over a newer version shows both versions; a save of an event deleted meanwhile shows
the typed event and offers to add it back; a delete of an event edited meanwhile shows the
newer text and asks again. Reading needs can_read (else 404), changing can_edit (else 403).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from secondstory.incidents.models import TimelineEvent
from secondstory.incidents.services import (
    add_timeline_event,
    delete_timeline_event,
    update_timeline_event,
)
from secondstory.incidents.timeline_context import new_event_form
from secondstory.incidents.timeline_forms import EventForm
from secondstory.incidents.timeline_views import (
    MANUAL_SOURCE,
    _get_event,
    _incidents,
    _new_ref,
    _timeline_url,
    _too_many_events,
)
from secondstory.lib.concurrency import (
    EditConflict,
    check_base,
    fingerprint,
    render_conflict_page,
)
from secondstory.lib.timezones import viewer_zone
from secondstory.postmortems.access import is_htmx, postmortem_for_editor, signed_in_user
from secondstory.postmortems.changes import announce_change
from secondstory.postmortems.item_review import live_review_attrs
from secondstory.postmortems.models import Postmortem
from secondstory.postmortems.revisions import record_revision


class EventGone(Exception):
    """The event was deleted (or left the postmortem) since the form was opened."""


def event_fingerprint(event: TimelineEvent) -> str:
    """What an edit form started from: every field the form can change."""
    return fingerprint(*_event_values(event))


def _event_values(event: TimelineEvent) -> tuple[object, ...]:
    return (
        event.at.isoformat(),
        event.utc_offset_minutes,
        event.kind,
        event.actor,
        event.actor_role,
        event.text,
        event.evidence_url,
        event.starred,
        event.known_at_the_time,
    )


def _locked_event(postmortem: Postmortem, pk: int) -> TimelineEvent:
    """The event, locked for the transaction; EventGone when it is not there any more."""
    try:
        return _get_event(postmortem, pk, lock=True)
    except Http404 as exc:
        raise EventGone from exc


@require_http_methods(["GET", "POST"])
def timeline_event_add(request: HttpRequest, key: str) -> HttpResponse:
    postmortem = postmortem_for_editor(request, key)
    incidents = _incidents(postmortem)
    if not incidents:
        raise Http404("This postmortem has no incident to add events to.")
    if request.method == "GET":
        form = new_event_form(incidents, viewer_zone(request))
        return _render_event_form(request, postmortem, form, None)
    form = EventForm(request.POST, incidents=incidents)
    if form.is_valid():
        incident = form.incident
        assert incident is not None
        too_many = _too_many_events(incident, 1)
        if too_many:
            form.add_error(None, too_many)
            return _render_event_form(request, postmortem, form, None, status=400)
        try:
            with transaction.atomic():
                row = add_timeline_event(incident, form.event(MANUAL_SOURCE, _new_ref("manual")))
                record_revision(
                    postmortem, author=signed_in_user(request), summary="Added a timeline event"
                )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Added the event to the timeline.")
            return redirect(_timeline_url(postmortem, f"event-{row.pk}"))
    return _render_event_form(request, postmortem, form, None, status=400)


@require_http_methods(["GET", "POST"])
def timeline_event_edit(request: HttpRequest, key: str, pk: int) -> HttpResponse:
    postmortem = postmortem_for_editor(request, key)
    if request.method == "GET":
        event = _get_event(postmortem, pk)
        initial = {**EventForm.initial_for(event), "base": event_fingerprint(event)}
        return _render_event_form(request, postmortem, EventForm(initial=initial), event)
    form = EventForm(request.POST)
    valid = form.is_valid()
    try:
        with transaction.atomic():
            event = _locked_event(postmortem, pk)
            if not valid:
                return _render_event_form(request, postmortem, form, event, status=400)
            check_base(
                form.cleaned_data["base"],
                *_event_values(event),
                what="this timeline event",
                yours=form.cleaned_data,
            )
            update_timeline_event(event, form.event(event.source, event.source_ref))
            record_revision(
                postmortem, author=signed_in_user(request), summary="Edited a timeline event"
            )
    except EventGone:
        return _render_gone(request, postmortem)
    except EditConflict as conflict:
        return _render_conflict(request, postmortem, event, form, conflict)
    except ValidationError as exc:
        form.add_error(None, exc)
        return _render_event_form(request, postmortem, form, event, status=400)
    messages.success(request, "Saved the event.")
    return redirect(_timeline_url(postmortem, f"event-{event.pk}"))


def _render_event_form(
    request: HttpRequest,
    postmortem: Postmortem,
    form: EventForm,
    event: TimelineEvent | None,
    *,
    status: int = 200,
) -> HttpResponse:
    # Hand-written text is reviewed as it is typed; imported chat and alerts are quotes.
    live_review = event is None or event.source == MANUAL_SOURCE
    if live_review:
        form.fields["text"].widget.attrs.update(live_review_attrs(postmortem, "event"))
    context = {
        "postmortem": postmortem,
        "form": form,
        "event": event,
        "live_review": live_review,
        "display_zone": viewer_zone(request),
    }
    return render(request, "incidents/timeline_event_form.html", context, status=status)


def _render_conflict(
    request: HttpRequest,
    postmortem: Postmortem,
    event: TimelineEvent,
    form: EventForm,
    conflict: EditConflict,
) -> HttpResponse:
    """Both versions side by side; the form keeps what was typed, based on the saved version."""
    data = request.POST.copy()
    data["base"] = conflict.base
    context = {
        "postmortem": postmortem,
        "event": event,
        "form": EventForm(data),
        "yours": form.cleaned_data,
        "conflict": conflict,
        "display_zone": viewer_zone(request),
    }
    return render_conflict_page(request, "incidents/timeline_event_conflict.html", context)


def _render_gone(request: HttpRequest, postmortem: Postmortem) -> HttpResponse:
    """The typed event, kept, with a form that adds it back as a new event."""
    incidents = list(postmortem.incidents.order_by("key"))
    data = request.POST.copy()
    data.pop("base", None)
    if len(incidents) == 1:
        data["incident"] = incidents[0].key
    form = EventForm(data, incidents=incidents) if incidents else None
    if form is not None:
        form.is_valid()  # show what needs fixing before it can be added
    context = {
        "postmortem": postmortem,
        "form": form,
        "typed": {name: data.get(name, "") for name in ("date", "time", "zone", "actor", "text")},
    }
    return render_conflict_page(request, "incidents/timeline_event_gone.html", context)


@require_http_methods(["GET", "POST"])
def timeline_event_delete(request: HttpRequest, key: str, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST deletes what was confirmed, or asks again if it changed."""
    postmortem = postmortem_for_editor(request, key)
    if request.method == "GET":
        return _render_delete(request, postmortem, _get_event(postmortem, pk))
    try:
        with transaction.atomic():
            event = _locked_event(postmortem, pk)
            if request.POST.get("base", "") != event_fingerprint(event):
                return _render_delete(request, postmortem, event, changed=True)
            delete_timeline_event(event)
            record_revision(
                postmortem, author=signed_in_user(request), summary="Deleted a timeline event"
            )
    except EventGone:
        notice = "The event was already deleted; nothing else changed."
    else:
        notice = "Deleted the event."
    if is_htmx(request):
        return announce_change(request, HttpResponse(""))
    messages.success(request, notice)
    return redirect(_timeline_url(postmortem))


def _render_delete(
    request: HttpRequest, postmortem: Postmortem, event: TimelineEvent, *, changed: bool = False
) -> HttpResponse:
    context = {
        "postmortem": postmortem,
        "event": event,
        "base": event_fingerprint(event),
        "changed": changed,
        "display_zone": viewer_zone(request),
    }
    if changed:
        return render_conflict_page(request, "incidents/timeline_event_delete.html", context)
    return render(request, "incidents/timeline_event_delete.html", context)
