"""The game day forms: the plan (also used to edit it), its status, and verifying an item."""

from __future__ import annotations

from typing import Any

from django import forms

from secondstory.accounts.models import User
from secondstory.core import taxonomy
from secondstory.core.gamedays import lifecycle
from secondstory.core.gamedays.suggestions import Suggestion
from secondstory.gamedays.models import MAX_SHORT, GameDay
from secondstory.gamedays.services import GameDayFields
from secondstory.incidents.models import Service, TimelineEvent
from secondstory.nearmiss.models import NearMiss
from secondstory.postmortems.models import FactorCategory

MAX_TEXT = 20_000
_WHEN = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _text(
    rows: int, *, required: bool = False, help_text: str = "", label: str | None = None
) -> forms.CharField:
    return forms.CharField(
        widget=forms.Textarea(attrs={"rows": rows}),
        max_length=MAX_TEXT,
        required=required,
        help_text=help_text,
        label=label,
    )


def _when(label: str) -> forms.DateTimeField:
    return forms.DateTimeField(required=False, widget=_WHEN, label=label)


class GameDayForm(forms.Form):
    title = forms.CharField(max_length=taxonomy.MAX_TITLE)
    hypothesis = _text(3, required=True, help_text="What the system should do under the fault.")
    steady_state = forms.CharField(
        max_length=MAX_SHORT,
        label="Steady state: what is measured",
        help_text="E.g. checkout success rate (the metric that tells normal behaviour).",
    )
    steady_state_expected = forms.CharField(
        max_length=MAX_SHORT, required=False, label="Expected value or range"
    )
    fault = _text(3, help_text="What is broken on purpose, and how.", label="Fault injected")
    blast_radius = _text(2, help_text="What the fault may affect, at most.")
    abort_conditions = _text(2, help_text="When the experiment stops at once.")
    scheduled_at = _when("Scheduled for")
    started_at = _when("Started at")
    ended_at = _when("Ended at")
    participants = forms.ModelMultipleChoiceField(
        queryset=User.objects.filter(is_active=True, is_service_account=False).order_by("username"),
        to_field_name="username",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="They write observations and findings on the review.",
    )
    services = forms.ModelMultipleChoiceField(
        queryset=Service.objects.all(),
        to_field_name="slug",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Services probed",
    )
    categories = forms.ModelMultipleChoiceField(
        queryset=FactorCategory.objects.all(),
        to_field_name="code",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Factor categories probed",
    )

    def game_day_fields(self) -> GameDayFields:
        data = self.cleaned_data
        return GameDayFields(
            **{name: data[name] for name in _SCALAR_FIELDS},
            participants=list(data["participants"]),
            services=list(data["services"]),
            categories=list(data["categories"]),
        )


_SCALAR_FIELDS = (
    "title",
    "hypothesis",
    "steady_state",
    "steady_state_expected",
    "blast_radius",
    "abort_conditions",
    "fault",
    "scheduled_at",
    "started_at",
    "ended_at",
)


def initial_from_game_day(game_day: GameDay) -> dict[str, Any]:
    initial: dict[str, Any] = {name: getattr(game_day, name) for name in _SCALAR_FIELDS}
    initial["participants"] = list(game_day.participants.all())
    initial["services"] = list(game_day.services.all())
    initial["categories"] = list(game_day.categories.all())
    return initial


def initial_from_suggestion(suggestion: Suggestion) -> dict[str, Any]:
    return {
        "title": suggestion.title,
        "hypothesis": suggestion.hypothesis,
        "services": list(Service.objects.filter(slug__in=suggestion.services)),
        "categories": list(FactorCategory.objects.filter(code__in=suggestion.categories)),
    }


def initial_from_near_miss(report: NearMiss) -> dict[str, Any]:
    first_line = (
        report.what_almost_happened.strip().splitlines()[0]
        if report.what_almost_happened.strip()
        else ""
    )
    return {
        "title": f"Game day from {report.key}: {first_line}"[: taxonomy.MAX_TITLE],
        "hypothesis": (
            f"If what almost happened in {report.key} happens ({first_line}), "
            "the system detects and contains it within the blast radius."
        ),
        "fault": report.what_happened,
        "services": list(report.services.all()),
        "categories": list(report.factor_categories.all()),
    }


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=[(s, lifecycle.LABELS[s]) for s in lifecycle.STATUSES])


class VerifyForm(forms.Form):
    item = forms.CharField(
        max_length=2 * taxonomy.MAX_KEY + 1,
        label="Action item",
        help_text="The postmortem key and the item key, e.g. PM-0012/A2. It must be done.",
    )
    note = _text(3, required=True, help_text="What the game day showed about this item.")
    observation = forms.ModelChoiceField(
        queryset=TimelineEvent.objects.none(),
        required=False,
        empty_label="No particular observation",
        label="Observation that shows it",
    )

    def __init__(self, *args: Any, events: list[TimelineEvent] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        ids = [e.pk for e in events or []]
        field = self.fields["observation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = TimelineEvent.objects.filter(pk__in=ids).order_by("at", "source_ref")
        field.label_from_instance = _event_label  # type: ignore[method-assign]

    def clean_item(self) -> tuple[str, str]:
        raw = self.cleaned_data["item"].strip()
        postmortem, _, item = raw.partition("/")
        if not postmortem or not item:
            raise forms.ValidationError(f"“{raw}” is not POSTMORTEM/ITEM, e.g. PM-0012/A2")
        return postmortem.strip(), item.strip()


def _event_label(event: TimelineEvent) -> str:
    return f"{event.at:%Y-%m-%d %H:%M} UTC: {event.text[:80]}"
