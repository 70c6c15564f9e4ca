"""Incidents in the browser: the list, one incident, creating and editing one."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import OuterRef, Prefetch, Subquery, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from secondstory.accounts import permissions
from secondstory.accounts.models import User
from secondstory.core.timeline.event import offset_text
from secondstory.incidents.editing import (
    can_edit_incident,
    can_read_incident,
    create_incident,
    incident_fingerprint,
    update_incident,
    visible_incidents,
)
from secondstory.incidents.facts import facts_of
from secondstory.incidents.forms import (
    IncidentForm,
    ReferenceFormSet,
    initial_for,
    reference_initial,
)
from secondstory.incidents.models import Incident, Milestone
from secondstory.incidents.services import (
    durations,
)
from secondstory.lib.concurrency import EditConflict
from secondstory.lib.timezones import viewer_zone
from secondstory.postmortems.revisions import record_revision
from secondstory.postmortems.services import visible_postmortems

PAGE_SIZE = 50


def incident_for_user(user: User, key: str, *, edit: bool = False) -> Incident:
    """The incident if ``user`` may see it (404 otherwise) and, with ``edit``, change it (403)."""
    incident = get_object_or_404(Incident.objects.select_related("severity"), key=key)
    if not can_read_incident(user, incident):
        # The same answer as for a key that does not exist: no hint that it does.
        raise Http404("No incident matches the given query.")
    if edit and not can_edit_incident(user, incident):
        raise PermissionDenied(
            "Only admins, the incident's teams and its postmortems' writers can edit it."
        )
    return incident


def incident_list(request: HttpRequest) -> HttpResponse:
    assert isinstance(request.user, User)
    impact_started = Milestone.objects.filter(
        incident=OuterRef("pk"), kind__code="impact_started"
    ).values("at")[:1]
    exercises = request.GET.get("exercises") == "yes"
    incidents = (
        visible_incidents(request.user)
        .filter(is_exercise=exercises)
        .select_related("severity")
        .annotate(impact_started_at=Subquery(impact_started))
        .order_by("-created_at", "key")
    )
    page = Paginator(incidents, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "may_declare": permissions.may_declare_incident(request.user),
        "exercises": exercises,
    }
    return render(request, "incidents/list.html", context)


def incident_detail(request: HttpRequest, key: str) -> HttpResponse:
    assert isinstance(request.user, User)
    incident = incident_for_user(request.user, key)
    zone = viewer_zone(request)
    prefetch_related_objects(
        [incident],
        Prefetch("milestones", queryset=Milestone.objects.select_related("kind")),
    )
    context = {
        "incident": incident,
        "facts": facts_of([incident])[incident.pk],
        "milestones": [
            (milestone, offset_text(milestone.utc_offset_minutes))
            for milestone in sorted(
                incident.milestones.all(), key=lambda m: (m.kind.position, m.at)
            )
        ],
        "durations": durations(incident),
        "postmortems": list(
            visible_postmortems(request.user)
            .filter(incidents=incident)
            .select_related("owner")
            .order_by("-created_at")
        ),
        "can_edit": can_edit_incident(request.user, incident),
        "zone": zone,
        "zone_name": str(zone),
    }
    return render(request, "incidents/detail.html", context)


def _render_form(
    request: HttpRequest, form: IncidentForm, refs: Any, status: int = 200, **extra: Any
) -> HttpResponse:
    context = {"form": form, "refs": refs, "zone": form.zone, **extra}
    return render(request, "incidents/form.html", context, status=status)


def incident_create(request: HttpRequest) -> HttpResponse:
    assert isinstance(request.user, User)
    if not permissions.may_declare_incident(request.user):
        raise PermissionDenied("Viewers read incidents; admins and responders declare them.")
    zone = viewer_zone(request)
    if request.method != "POST":
        # The creator's teams by default, so that they may edit it afterwards.
        initial = {"teams": list(request.user.teams.values_list("slug", flat=True))}
        form = IncidentForm(initial=initial, zone=zone)
        return _render_form(request, form, ReferenceFormSet(prefix="refs"))
    form = IncidentForm(request.POST, zone=zone)
    refs = ReferenceFormSet(request.POST, prefix="refs")
    if form.is_valid() and refs.is_valid():
        try:
            incident = create_incident(form.incident_fields(refs.references()), by=request.user)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            return redirect("incidents:detail", key=incident.key)
    return _render_form(request, form, refs, status=400)


def incident_edit(request: HttpRequest, key: str) -> HttpResponse:
    assert isinstance(request.user, User)
    incident = incident_for_user(request.user, key, edit=True)
    zone = viewer_zone(request)
    extra = {"incident": incident}
    if request.method != "POST":
        initial = initial_for(incident, zone, incident_fingerprint(incident))
        form = IncidentForm(initial=initial, zone=zone)
        refs = ReferenceFormSet(initial=reference_initial(incident), prefix="refs")
        return _render_form(request, form, refs, **extra)
    form = IncidentForm(request.POST, zone=zone)
    refs = ReferenceFormSet(request.POST, prefix="refs")
    if form.is_valid() and refs.is_valid():
        fields = form.incident_fields(refs.references())
        try:
            with transaction.atomic():
                update_incident(incident, fields, by=request.user, base=form.cleaned_data["base"])
                # The incident is part of each of its postmortems: keep their revisions whole.
                for postmortem in incident.postmortems.all():
                    record_revision(
                        postmortem, author=request.user, summary=f"Edited incident {incident.key}"
                    )
        except EditConflict as conflict:
            return _render_conflict(request, form, refs, conflict, **extra)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            return redirect(reverse("incidents:detail", args=[incident.key]))
    return _render_form(request, form, refs, status=400, **extra)


def _render_conflict(
    request: HttpRequest, form: IncidentForm, refs: Any, conflict: EditConflict, **extra: Any
) -> HttpResponse:
    """The form again with everything typed, the newer saved version beside it."""
    data = request.POST.copy()
    data["base"] = conflict.base  # saving again deliberately replaces the newer version
    again = IncidentForm(data, zone=form.zone)
    again.is_valid()
    rows = [
        (label, conflict.yours.get(label, ""), conflict.current.get(label, ""))
        for label in dict.fromkeys([*conflict.current, *conflict.yours])
    ]
    return _render_form(
        request, again, refs, status=409, conflict=conflict, conflict_rows=rows, **extra
    )
