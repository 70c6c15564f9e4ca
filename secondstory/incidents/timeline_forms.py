"""Forms of the timeline editor: one event, quick capture, filters and the display zone."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError

from secondstory.core import taxonomy
from secondstory.core.timeline.event import TimelineEvent as EventData
from secondstory.core.timeline.quick import (
    CapturedLine,
    LocalTimeError,
    format_offset,
    parse_quick_lines,
    resolve_local_time,
)
from secondstory.incidents.models import Incident, TimelineEvent
from secondstory.lib.timezones import OWN_CHOICE, UTC_CHOICE, parse_zone

_OFFSET = re.compile(r"^(?P<sign>[+-])(?P<hours>\d{2}):?(?P<minutes>\d{2})\Z")
KIND_CHOICES = [(kind, kind) for kind in taxonomy.TIMELINE_KINDS]
MAX_CAPTURE_CHARS = 100_000


def parse_zone_or_offset(text: str) -> tzinfo | None:
    """A fixed offset (``+01:00``, ``-0530``, ``Z``, ``UTC``) or an IANA zone; None if neither."""
    text = text.strip()
    if text.upper() in ("Z", "UTC"):
        return UTC
    match = _OFFSET.match(text)
    if match is None:
        return parse_zone(text)
    hours, minutes = int(match["hours"]), int(match["minutes"])
    if minutes > 59 or hours * 60 + minutes > 18 * 60:
        return None
    delta = timedelta(hours=hours, minutes=minutes)
    return timezone(-delta if match["sign"] == "-" else delta)


class ZoneField(forms.CharField):
    """An IANA time zone name such as Europe/Berlin; cleans to the name."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"list": "zone-names", "autocomplete": "off"})
        )
        super().__init__(**kwargs)

    def clean(self, value: Any) -> str:
        name = str(super().clean(value) or "").strip()
        if name and parse_zone(name) is None:
            raise ValidationError(
                f"{name!r} is not a time zone; use a name such as Europe/Berlin, "
                "America/New_York or UTC"
            )
        return "UTC" if name.upper() == "UTC" else name


class ZoneOrOffsetField(forms.CharField):
    """A zone name or a fixed UTC offset; cleans to a tzinfo."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"list": "zone-names", "autocomplete": "off"})
        )
        kwargs.setdefault("help_text", "A zone such as Europe/Berlin, or an offset such as +05:30.")
        super().__init__(**kwargs)

    def clean(self, value: Any) -> tzinfo:
        text = str(super().clean(value) or "")
        zone = parse_zone_or_offset(text)
        if zone is None:
            raise ValidationError(
                f"{text!r} is neither a time zone (Europe/Berlin) nor a UTC offset (+05:30)"
            )
        return zone


def _incident_field(incidents: list[Incident]) -> forms.ChoiceField:
    """Which incident the events belong to; hidden when the postmortem has only one."""
    widget = forms.HiddenInput() if len(incidents) == 1 else forms.Select()
    return forms.ChoiceField(
        choices=[(i.key, f"{i.key}: {i.title}") for i in incidents],
        initial=incidents[0].key if incidents else None,
        widget=widget,
        label="Incident",
    )


class EventForm(forms.Form):
    """One timeline event, typed at a date, a time and a zone or offset."""

    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    time = forms.TimeField(
        input_formats=["%H:%M", "%H:%M:%S"],
        widget=forms.TimeInput(attrs={"type": "time", "step": "1"}, format="%H:%M:%S"),
    )
    zone = ZoneOrOffsetField(label="Zone or offset")
    kind = forms.ChoiceField(choices=KIND_CHOICES, initial="observation")
    actor = forms.CharField(max_length=taxonomy.MAX_ACTOR, required=False)
    actor_role = forms.CharField(max_length=taxonomy.MAX_ROLE, required=False, label="Role")
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    evidence_url = forms.URLField(
        max_length=taxonomy.MAX_URL, required=False, label="Evidence URL", assume_scheme="https"
    )
    starred = forms.BooleanField(required=False, help_text="A key moment.")
    known_at_the_time = forms.BooleanField(
        required=False, initial=True, help_text="Untick for what was only learned later."
    )
    base = forms.CharField(widget=forms.HiddenInput(), required=False)

    def __init__(self, *args: Any, incidents: list[Incident] | None = None, **kwargs: Any):
        kwargs.setdefault("auto_id", "event_%s")  # unique ids beside the other timeline forms
        super().__init__(*args, **kwargs)
        self.incidents = {i.key: i for i in incidents or []}
        if incidents is not None:
            self.fields["incident"] = _incident_field(incidents)
            self.order_fields(["incident"])

    @classmethod
    def initial_for(cls, event: TimelineEvent) -> dict[str, Any]:
        """The form's values for an existing event, at the offset it was recorded in."""
        local = event.local_at
        return {
            "date": local.date(),
            "time": local.time().replace(tzinfo=None),
            "zone": format_offset(local),
            "kind": event.kind,
            "actor": event.actor,
            "actor_role": event.actor_role,
            "text": event.text,
            "evidence_url": event.evidence_url,
            "starred": event.starred,
            "known_at_the_time": event.known_at_the_time,
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        day, clock, zone = data.get("date"), data.get("time"), data.get("zone")
        if day is not None and clock is not None and zone is not None:
            try:
                data["at"] = resolve_local_time(datetime.combine(day, clock), zone)
            except LocalTimeError as exc:
                self.add_error("time", str(exc))
        return data

    @property
    def incident(self) -> Incident | None:
        return self.incidents.get(self.cleaned_data.get("incident", ""))

    def event(self, source: str, source_ref: str) -> EventData:
        """The plain event the form describes (call after is_valid)."""
        data = self.cleaned_data
        return EventData(
            at=data["at"],
            kind=data["kind"],
            source=source,
            source_ref=source_ref,
            text=data["text"],
            actor=data["actor"],
            actor_role=data["actor_role"],
            starred=data["starred"],
            known_at_the_time=data["known_at_the_time"],
            evidence_url=data["evidence_url"],
        )


class CaptureForm(forms.Form):
    """Quick capture: many events, one per line (see docs/timeline.md for the grammar)."""

    text = forms.CharField(
        label="Events, one per line",
        max_length=MAX_CAPTURE_CHARS,
        widget=forms.Textarea(
            attrs={
                "rows": 8,
                "spellcheck": "false",
                "placeholder": "14:02 [page] <Ana> paged the on-call\n"
                "14:10 decision: roll back config 881\n"
                "!14:20 the pool size was 1 (learned later)",
            }
        ),
    )
    default_date = forms.DateField(
        label="Date of lines without one",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    default_zone = ZoneField(label="Zone of lines without an offset")

    def __init__(self, *args: Any, incidents: list[Incident], **kwargs: Any):
        kwargs.setdefault("auto_id", "capture_%s")
        super().__init__(*args, **kwargs)
        self.incidents = {i.key: i for i in incidents}
        self.fields["incident"] = _incident_field(incidents)

    @property
    def incident(self) -> Incident | None:
        return self.incidents.get(self.cleaned_data.get("incident", ""))

    def lines(self) -> list[CapturedLine]:
        """The parsed lines (call after is_valid)."""
        zone = parse_zone(self.cleaned_data["default_zone"])
        assert zone is not None
        return parse_quick_lines(
            self.cleaned_data["text"],
            default_date=self.cleaned_data["default_date"],
            default_zone=zone,
        )


class TimelineFilterForm(forms.Form):
    """Which events the timeline shows (GET parameters)."""

    kind = forms.ChoiceField(choices=[("", "Any kind"), *KIND_CHOICES], required=False)
    source = forms.ChoiceField(choices=[("", "Any source")], required=False)
    starred = forms.BooleanField(required=False, label="Starred only")
    view = forms.ChoiceField(
        choices=[("", "Every event"), ("key", "Key events")], required=False, label="View"
    )
    at = forms.CharField(
        required=False,
        label="Jump to",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text="A date and time in the zone the page shows times in.",
    )
    chatter = forms.BooleanField(required=False, label="Every chat message")

    def __init__(self, *args: Any, sources: list[str], **kwargs: Any):
        kwargs.setdefault("auto_id", "filter_%s")
        super().__init__(*args, **kwargs)
        source_field = self.fields["source"]
        assert isinstance(source_field, forms.ChoiceField)
        source_field.choices = [("", "Any source"), *((s, s) for s in sources)]

    def filters(self) -> dict[str, Any]:
        """ORM filters for TimelineEvent; invalid values are ignored (the full timeline shows)."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        chosen: dict[str, Any] = {}
        if data["kind"]:
            chosen["kind"] = data["kind"]
        if data["source"]:
            chosen["source"] = data["source"]
        if data["starred"]:
            chosen["starred"] = True
        return chosen

    def key_events_only(self) -> bool:
        return self.is_valid() and self.cleaned_data["view"] == "key"

    def every_chat_message(self) -> bool:
        return self.is_valid() and bool(self.cleaned_data["chatter"])

    def jump_moment(self, zone: ZoneInfo) -> tuple[datetime | None, str]:
        """The instant typed in "Jump to" (read in ``zone``), and a message when it is not
        a date and time."""
        text = (self.data.get("at") or "").strip() if self.is_bound else ""
        if not text:
            return None, ""
        for pattern in ("%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"):
            try:
                naive = datetime.strptime(text, pattern)
            except ValueError:
                continue
            return naive.replace(tzinfo=zone), ""
        return None, f"Jump to: “{text[:40]}” is not a date and time (2026-03-04T14:02)."


class DisplayZoneForm(forms.Form):
    """The zone the viewer reads times in, and optionally their own zone."""

    SHOW_CHOICES = [
        (UTC_CHOICE, "UTC"),
        (OWN_CHOICE, "My own zone"),
        ("zone", "This zone:"),
    ]

    show = forms.ChoiceField(choices=SHOW_CHOICES, widget=forms.RadioSelect, label="Show times in")
    zone = ZoneField(required=False, label="Zone")
    remember = forms.BooleanField(required=False, label="Make this zone my own")

    def __init__(self, *args: Any, own_zone: str = "", default_zone: str = "UTC", **kwargs: Any):
        kwargs.setdefault("auto_id", "zone_%s")
        super().__init__(*args, **kwargs)
        own = f"My own zone ({own_zone})" if own_zone else f"My own zone (not set: {default_zone})"
        show = self.fields["show"]
        assert isinstance(show, forms.ChoiceField)
        show.choices = [(UTC_CHOICE, "UTC"), (OWN_CHOICE, own), ("zone", "This zone:")]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        wants_zone = data.get("show") == "zone" or data.get("remember")
        if wants_zone and not data.get("zone") and "zone" not in self.errors:
            self.add_error("zone", "name the zone, such as Europe/Berlin")
        return data

    def choice(self) -> str:
        """What to keep in the session: "utc", "mine" or a zone name."""
        data = self.cleaned_data
        if data["remember"]:
            return OWN_CHOICE
        return str(data["zone"]) if data["show"] == "zone" else str(data["show"])


def default_capture_date(incident: Incident | None, zone: tzinfo) -> date | None:
    """The incident's impact start date in ``zone``, else its first event's date."""
    if incident is None:
        return None
    started = incident.milestone_at("impact_started")
    if started is None:
        started = incident.timeline.order_by("at").values_list("at", flat=True).first()
    return started.astimezone(zone).date() if started else None
