"""Forms of review meetings: when, where and who; notes; a decision; who attended."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django import forms

from secondstory.accounts.models import User
from secondstory.lib.timezones import parse_zone, zone_names
from secondstory.reviews.services import Plan

DURATIONS = [(15, "15 minutes"), (30, "30 minutes"), (45, "45 minutes"), (60, "1 hour"),
             (90, "1½ hours"), (120, "2 hours")]  # fmt: skip


def people() -> Any:
    return User.objects.filter(is_active=True, is_service_account=False).order_by("username")


class PersonChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.username})"


class PeopleChoice(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.username})"


def aware(day: Any, time: Any, zone: ZoneInfo) -> datetime | None:
    """The instant of a wall-clock time in ``zone``; None when that time does not exist there
    (the hour skipped when clocks go forward)."""
    naive = datetime.combine(day, time)
    local = naive.replace(tzinfo=zone)
    if local.astimezone(ZoneInfo("UTC")).astimezone(zone).replace(tzinfo=None) != naive:
        return None
    return local


class MeetingForm(forms.Form):
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    time_zone = forms.ChoiceField(label="Time zone")
    duration_minutes = forms.TypedChoiceField(
        label="Duration", choices=DURATIONS, coerce=int, initial=60
    )
    location = forms.CharField(
        required=False, max_length=500, label="Room or call link",
        help_text="Shown in the invite, e.g. a meeting room or https://meet.example.com/…",
    )  # fmt: skip
    facilitator = PersonChoice(
        queryset=User.objects.none(), required=False,
        help_text="Ideally someone who was not a responder in the incident.",
    )  # fmt: skip
    attendees = PeopleChoice(
        queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple,
        help_text="Each gets an email with a calendar invite.",
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = [(name, name) for name in zone_names()]
        self.fields["facilitator"].queryset = people()
        self.fields["attendees"].queryset = people()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        zone = parse_zone(str(data.get("time_zone") or ""))
        if zone is None:
            self.add_error("time_zone", "choose a time zone this server knows")
        elif data.get("date") and data.get("time"):
            start = aware(data["date"], data["time"], zone)
            if start is None:
                self.add_error("time", f"{data['time']:%H:%M} does not exist in {zone.key} that "
                               "day (the clocks go forward); choose another time")  # fmt: skip
            data["starts_at"] = start
        return data

    def plan(self) -> Plan:
        data = self.cleaned_data
        return Plan(
            starts_at=data["starts_at"],
            time_zone=data["time_zone"],
            duration_minutes=data["duration_minutes"],
            location=data["location"].strip(),
            facilitator=data["facilitator"],
            attendees=list(data["attendees"]),
        )


class NotesForm(forms.Form):
    notes = forms.CharField(
        required=False, max_length=100_000, widget=forms.Textarea(attrs={"rows": 12}),
        label="Meeting notes",
    )  # fmt: skip


class DecisionForm(forms.Form):
    text = forms.CharField(
        max_length=2000, label="Decision", widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One decision; it is added to the postmortem's Decisions section.",
    )  # fmt: skip


class HeldForm(forms.Form):
    attended = PeopleChoice(
        queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple,
        label="Who attended",
        error_messages={"required": "tick at least one person who attended"},
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attended"].queryset = people()
