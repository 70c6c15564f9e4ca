"""What the timeline part of a postmortem page shows: days, filters, zone and forms."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from itertools import groupby
from typing import Any
from zoneinfo import ZoneInfo

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from secondstory.incidents.models import Incident, TimelineEvent
from secondstory.incidents.timeline_forms import (
    CaptureForm,
    DisplayZoneForm,
    EventForm,
    TimelineFilterForm,
    default_capture_date,
)
from secondstory.lib.timezones import (
    OWN_CHOICE,
    UTC_CHOICE,
    own_zone,
    site_zone,
    viewer_zone,
    zone_choice,
    zone_names,
    zone_offsets_label,
)
from secondstory.postmortems.access import signed_in_user
from secondstory.postmortems.models import Postmortem
from secondstory.postmortems.services import can_edit


@dataclass(frozen=True, slots=True)
class TimelineDay:
    """The events of one calendar day in the display zone."""

    day: date
    events: list[TimelineEvent]


def prepare_for_display(event: TimelineEvent, zone: ZoneInfo, events_url: str) -> TimelineEvent:
    """Note on the event whether it was recorded at another offset than the one shown, and
    the start of its URLs (``{{ event.url }}edit/``), so the template resolves little per event.
    """
    shown = event.at.astimezone(zone).utcoffset()
    event.recorded_elsewhere = shown != timedelta(minutes=event.utc_offset_minutes)  # type: ignore[attr-defined]
    event.url = f"{events_url}{event.pk}/"  # type: ignore[attr-defined]
    return event


def timeline_days(
    events: list[TimelineEvent], zone: ZoneInfo, events_url: str = ""
) -> list[TimelineDay]:
    """The events in chronological order, split at each day boundary of ``zone``."""
    ordered = sorted(events, key=lambda event: (event.at, event.source, event.source_ref))
    for event in ordered:
        prepare_for_display(event, zone, events_url)
    return [
        TimelineDay(day, list(group))
        for day, group in groupby(ordered, key=lambda event: event.at.astimezone(zone).date())
    ]


def event_url_prefix(key: str) -> str:
    """The common start of every event's URLs, e.g. ``/postmortems/PM-1/timeline/events/``."""
    return reverse("postmortems:timeline_event_edit", args=[key, 0]).removesuffix("0/edit/")


def timeline_context(
    request: HttpRequest, postmortem: Postmortem, incidents: list[Incident]
) -> dict[str, Any]:
    """Everything the timeline section (postmortems/_timeline.html) needs.

    The incidents' ``timeline`` may be prefetched (the postmortem's page does): filtering
    happens in Python so that the page's query count stays fixed.
    """
    zone = viewer_zone(request)
    everything = [event for incident in incidents for event in incident.timeline.all()]
    sources = sorted({event.source for event in everything})
    filter_form = TimelineFilterForm(request.GET or None, sources=sources)
    chosen = filter_form.filters()
    events = [
        event
        for event in everything
        if all(getattr(event, name) == value for name, value in chosen.items())
    ]
    editable = can_edit(signed_in_user(request), postmortem)
    context: dict[str, Any] = {
        "postmortem": postmortem,
        "timeline_days": timeline_days(events, zone, event_url_prefix(postmortem.key)),
        "timeline_filter": filter_form,
        "timeline_filtered": bool(chosen),
        "several_incidents": len(incidents) > 1,
        "can_edit_timeline": editable,
        "display_zone": zone,
        "display_zone_label": zone_offsets_label(zone, [event.at for event in events]),
        "zone_form": zone_form(request),
        "zone_names": zone_names(),
    }
    if editable and incidents:
        context["capture_form"] = capture_form(request, incidents, zone)
        context["event_form"] = new_event_form(incidents, zone)
    return context


def zone_form(request: HttpRequest) -> DisplayZoneForm:
    choice = zone_choice(request)
    if choice in ("", OWN_CHOICE):
        initial = {"show": OWN_CHOICE, "zone": signed_in_user(request).time_zone}
    elif choice == UTC_CHOICE:
        initial = {"show": UTC_CHOICE, "zone": signed_in_user(request).time_zone}
    else:
        initial = {"show": "zone", "zone": choice}
    return DisplayZoneForm(initial=initial, **zone_names_for(request))


def zone_names_for(request: HttpRequest) -> dict[str, str]:
    """The viewer's own zone and the installation's default, to label the zone choices."""
    own = own_zone(request)
    return {"own_zone": str(own) if own else "", "default_zone": str(site_zone())}


def capture_form(request: HttpRequest, incidents: list[Incident], zone: ZoneInfo) -> CaptureForm:
    day = default_capture_date(incidents[0], zone) or timezone.localdate(timezone=zone)
    return CaptureForm(
        incidents=incidents, initial={"default_date": day, "default_zone": str(zone)}
    )


def new_event_form(incidents: list[Incident], zone: ZoneInfo) -> EventForm:
    day = default_capture_date(incidents[0], zone) or timezone.localdate(timezone=zone)
    return EventForm(incidents=incidents, initial={"date": day, "zone": str(zone)})
