"""What the timeline part of a postmortem page shows: one window of days, filters, zone, forms.

A timeline can hold 200,000 imported events: the page never reads them all. It shows
``WINDOW`` events at a time, found with keyset pagination, with the count of all of them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import groupby
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from secondstory.incidents.models import EventReference, Incident, Milestone, TimelineEvent
from secondstory.incidents.timeline_forms import (
    CaptureForm,
    DisplayZoneForm,
    EventForm,
    TimelineFilterForm,
    default_capture_date,
)
from secondstory.incidents.timeline_navigation import (
    ORDER,
    Chatter,
    collapse_chatter,
    key_events_filter,
    resolve_jump,
)
from secondstory.lib.timezones import (
    OWN_CHOICE,
    UTC_CHOICE,
    own_zone,
    site_zone,
    viewer_zone,
    zone_choice,
    zone_offsets_label,
)
from secondstory.pagecache.kept import CSRF_PLACEHOLDER, Fragment, kept_fragment
from secondstory.postmortems.access import signed_in_user
from secondstory.postmortems.models import Postmortem
from secondstory.postmortems.services import can_edit

#: Events the timeline shows at once (docs/timeline.md); "Show more" fetches the next ones.
WINDOW = 100
#: The most events one "open the collapsed messages" request may ask for.
MAX_RUN = 500
_ORDER = ORDER


@dataclass(frozen=True, slots=True)
class TimelineDay:
    """The events of one calendar day in the display zone (``continued``: the day began in
    the window before, so it needs no heading of its own)."""

    day: date
    runs: list[Chatter]
    continued: bool = False


@dataclass(frozen=True, slots=True)
class TimelineWindow:
    """One window of a timeline: its events, where it starts, and how many there are."""

    events: list[TimelineEvent]
    total: int
    start: int  # how many events come before the window
    more: bool
    cursor: TimelineEvent | None


def prepare_for_display(event: TimelineEvent, zone: ZoneInfo, events_url: str) -> TimelineEvent:
    """Note on the event whether it was recorded at another offset than the one shown, and
    the start of its URLs (``{{ event.url }}edit/``), so the template resolves little per event.
    """
    shown = event.at.astimezone(zone).utcoffset()
    event.recorded_elsewhere = shown != timedelta(minutes=event.utc_offset_minutes)  # type: ignore[attr-defined]
    event.url = f"{events_url}{event.pk}/"  # type: ignore[attr-defined]
    return event


def timeline_days(
    events: list[TimelineEvent],
    zone: ZoneInfo,
    events_url: str = "",
    *,
    continues: date | None = None,
    collapse: bool = True,
    target: int | None = None,
) -> list[TimelineDay]:
    """The events in chronological order, split at each day boundary of ``zone``; runs of
    chat messages collapse (``collapse``) unless they hold the event jumped to (``target``)."""
    ordered = sorted(events, key=lambda event: (event.at, event.source, event.source_ref))
    for event in ordered:
        prepare_for_display(event, zone, events_url)
    days = []
    for day, group in groupby(ordered, key=lambda event: event.at.astimezone(zone).date()):
        items = list(group)
        runs = (
            collapse_chatter(items, zone, target=target)
            if collapse
            else [Chatter(item) for item in items]
        )
        days.append(TimelineDay(day, runs, continued=day == continues))
    return days


def _after(cursor: TimelineEvent) -> Q:
    """Events after ``cursor`` in the timeline's order (at, source, source_ref, id)."""
    at, source, ref = cursor.at, cursor.source, cursor.source_ref
    return (
        Q(at__gt=at)
        | Q(at=at, source__gt=source)
        | Q(at=at, source=source, source_ref__gt=ref)
        | Q(at=at, source=source, source_ref=ref, pk__gt=cursor.pk)
    )


def timeline_window(
    events: QuerySet[TimelineEvent], after: str | None, size: int | None = None
) -> TimelineWindow:
    """The ``size`` events that follow the event with id ``after`` (from the first event when
    ``after`` is empty or names no event of ``events``): keyset pagination, so a window
    deep into 200,000 events costs what the first one does."""
    size = size or WINDOW
    cursor = None
    if after and after.isdigit():
        cursor = events.filter(pk=int(after)).first()
    total = events.count()
    rest = events.filter(_after(cursor)) if cursor else events
    rows = list(
        # The page never shows an event's raw payload: it stays in the database.
        rest.select_related("incident").defer("raw").order_by(*_ORDER)[: size + 1]
    )
    start = total - rest.count() if cursor else 0
    return TimelineWindow(with_sightings(rows[:size]), total, start, len(rows) > size, cursor)


def with_sightings(events: list[TimelineEvent]) -> list[TimelineEvent]:
    """Note on each event the other sources that reported it (``event.sightings``, in time
    order), read in one query. Django's ``prefetch_related`` builds a query set per event,
    a noticeable part of a window of 100 events."""
    found: dict[int, list[EventReference]] = defaultdict(list)
    sightings = EventReference.objects.filter(event_id__in=[event.pk for event in events])
    for sighting in sightings.defer("raw").order_by():
        found[sighting.event_id].append(sighting)
    for event in events:
        event.sightings = sorted(  # type: ignore[attr-defined]
            found.get(event.pk, ()), key=lambda s: (s.at, s.source, s.source_ref)
        )
    return events


def event_url_prefix(key: str) -> str:
    """The common start of every event's URLs, e.g. ``/postmortems/PM-1/timeline/events/``."""
    return reverse("postmortems:timeline_event_edit", args=[key, 0]).removesuffix("0/edit/")


def timeline_context(
    request: HttpRequest, postmortem: Postmortem, incidents: list[Incident]
) -> dict[str, Any]:
    """Everything the timeline section (postmortems/_timeline.html) needs: one window of
    events (``?after=<event id>`` for the next ones), filtered in the database.

    The window's HTML (``timeline_window_html``) is the same for every reader with the same
    zone, query string and right to edit, so it is kept per version of the postmortem's
    timeline (``pagecache``: a section save leaves it); "Show more" and an opened run render
    their part themselves.
    """
    zone = viewer_zone(request)
    editable = can_edit(signed_in_user(request), postmortem)
    if request.GET.get("part") in ("more", "run"):
        context = _window_context(request, postmortem, incidents, zone, editable)
    else:
        parts = (
            str(zone),
            editable,
            timezone.localdate(timezone=zone),
            tuple(sorted((name, tuple(values)) for name, values in request.GET.lists())),
            tuple(incident.pk for incident in incidents),
        )

        def render() -> Fragment[dict[str, Any]]:
            made = _window_context(request, postmortem, incidents, zone, editable)
            html = render_to_string(
                "postmortems/_timeline.html#timeline-window",
                {**made, "csrf_token": CSRF_PLACEHOLDER},
                request,
            )
            return Fragment(html, {name: made[name] for name in _KEPT_VALUES})

        fragment, _kept = kept_fragment("timeline-window", postmortem, parts, render, timeline=True)
        context = dict(fragment.values)
        context["timeline_filter"] = TimelineFilterForm(
            request.GET or None, sources=context["timeline_sources"]
        )
        context["timeline_window_html"] = fragment.html_for(request)
    context.update(
        {
            "postmortem": postmortem,
            "several_incidents": len(incidents) > 1,
            "can_edit_timeline": editable,
            "display_zone": zone,
            "zone_form": zone_form(request),
        }
    )
    if editable and incidents:
        context["capture_form"] = capture_form(request, incidents, zone)
        context["event_form"] = new_event_form(incidents, zone)
    return context


#: What the rest of the timeline section needs from the work of a window, kept with its HTML.
_KEPT_VALUES = (
    "timeline_sources",
    "timeline_filtered",
    "timeline_key_only",
    "timeline_milestones",
    "timeline_jump_problem",
    "timeline_target",
    "timeline_base",
    "timeline_total",
    "timeline_from",
    "timeline_to",
    "timeline_first_url",
    "timeline_more_url",
    "timeline_window",
    "display_zone_label",
)


def _window_context(
    request: HttpRequest,
    postmortem: Postmortem,
    incidents: list[Incident],
    zone: ZoneInfo,
    editable: bool,
) -> dict[str, Any]:
    """One window of events, read and laid out by day, with the filters that chose it."""
    everything = TimelineEvent.objects.filter(incident__in=incidents)
    sources = list(everything.order_by("source").values_list("source", flat=True).distinct())
    filter_form = TimelineFilterForm(request.GET or None, sources=sources)
    chosen = filter_form.filters()
    shown = everything.filter(**chosen)
    key_only = filter_form.key_events_only()
    if key_only:
        shown = shown.filter(key_events_filter(shown))
    moment, moment_problem = filter_form.jump_moment(zone)
    jump = resolve_jump(
        shown,
        event=request.GET.get("event", ""),
        moment=moment,
        after=request.GET.get("after", ""),
    )
    size = _window_size(request)
    window = timeline_window(shown, jump.after, size)
    # A window appended in place ("Show more") continues the day shown above it; a page
    # opened at a window starts with a heading of its own.
    appended = window.cursor is not None and request.GET.get("part") in ("more", "run")
    continues = window.cursor.at.astimezone(zone).date() if appended and window.cursor else None
    return {
        "postmortem": postmortem,
        "timeline_sources": sources,
        "timeline_days": timeline_days(
            window.events,
            zone,
            event_url_prefix(postmortem.key),
            continues=continues,
            collapse=not filter_form.every_chat_message() and request.GET.get("part") != "run",
            target=jump.target,
        ),
        "timeline_filter": filter_form,
        "timeline_filtered": bool(chosen) or key_only,
        "timeline_key_only": key_only,
        "timeline_milestones": _milestones(incidents) if key_only else [],
        "timeline_jump_problem": moment_problem or jump.problem,
        "timeline_target": jump.target,
        # The timeline page with these filters, ready for more parameters (``…?kind=chat&``).
        "timeline_base": _with_separator(_window_url(request, postmortem, None)),
        "timeline_total": window.total,
        "timeline_from": window.start + 1,
        "timeline_to": window.start + len(window.events),
        "timeline_first_url": _window_url(request, postmortem, None) if window.cursor else "",
        "timeline_more_url": (
            _window_url(request, postmortem, window.events[-1].pk) if window.more else ""
        ),
        "timeline_window": WINDOW,
        "several_incidents": len(incidents) > 1,
        "can_edit_timeline": editable,
        "display_zone": zone,
        "display_zone_label": zone_offsets_label(zone, [event.at for event in window.events]),
    }


def _window_size(request: HttpRequest) -> int:
    """``WINDOW``, or the length of a run of collapsed messages being opened (``size``)."""
    asked = request.GET.get("size", "")
    if request.GET.get("part") == "run" and asked.isdigit():
        return max(1, min(int(asked), MAX_RUN))
    return WINDOW


def _milestones(incidents: list[Incident]) -> list[Milestone]:
    """The incidents' milestones in time order, for the key events view."""
    return list(
        Milestone.objects.filter(incident__in=incidents)
        .select_related("kind", "incident")
        .order_by("at", "kind__position")
    )


def _with_separator(url: str) -> str:
    return f"{url}&" if "?" in url else f"{url}?"


def _window_url(request: HttpRequest, postmortem: Postmortem, after: int | None) -> str:
    """The timeline page from the event after ``after``, with the same filters (a jump is
    left behind once the window it asked for is shown)."""
    query = request.GET.copy()
    for name in ("after", "part", "size", "event", "at"):
        query.pop(name, None)
    if after is not None:
        query["after"] = str(after)
    url = reverse("postmortems:timeline", args=[postmortem.key])
    return f"{url}?{query.urlencode()}" if query else url


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
