"""The incident form: every field, the milestones all on one form, and external references."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone as django_timezone

from secondstory.accounts.models import Team
from secondstory.core import taxonomy
from secondstory.core.timeline.event import offset_text
from secondstory.incidents.editing import (
    IncidentFields,
)
from secondstory.incidents.milestone_words import NOTE_LABEL
from secondstory.incidents.models import Incident, MilestoneKind, Service, Severity

_OFFSET = re.compile(r"^(?P<sign>[+-])(?P<hours>\d{1,2}):?(?P<minutes>\d{2})\Z")
_SLUG = re.compile(r"^[-a-zA-Z0-9_]+\Z")
LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


def parse_offset(text: str) -> int:
    """Minutes east of UTC from ``+01:00``, ``-0530``, ``Z`` or ``UTC``; ValueError otherwise."""
    text = text.strip()
    if text.upper() in ("Z", "UTC"):
        return 0
    match = _OFFSET.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a UTC offset like +01:00 or -05:30")
    minutes = int(match["hours"]) * 60 + int(match["minutes"])
    if int(match["minutes"]) >= 60 or minutes > 18 * 60:
        raise ValueError(f"{text!r} is not a UTC offset within ±18:00")
    return -minutes if match["sign"] == "-" else minutes


class IncidentForm(forms.Form):
    title = forms.CharField(max_length=taxonomy.MAX_TITLE)
    severity = forms.ModelChoiceField(
        queryset=Severity.objects.all(), to_field_name="code", empty_label="Choose a severity"
    )
    services = forms.ModelMultipleChoiceField(
        queryset=Service.objects.all(),
        required=False,
        to_field_name="slug",
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    teams = forms.ModelMultipleChoiceField(
        queryset=Team.objects.all(),
        required=False,
        to_field_name="slug",
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    tags = forms.CharField(
        required=False,
        help_text="Comma-separated slugs (letters, digits, - and _), e.g. config, database.",
    )
    visibility = forms.ChoiceField(
        choices=Incident.VISIBILITY_CHOICES,
        initial="internal",
        widget=forms.RadioSelect,
        help_text="A restricted incident is open only to admins, its teams' members and "
        "the people named on its postmortems. Only admins and the maintainers of its "
        "teams change its visibility and teams.",
    )
    milestone_order_note = forms.CharField(
        label=NOTE_LABEL,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Needed only when the milestones are deliberately out of the usual order.",
    )
    base = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, zone: ZoneInfo, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.zone = zone
        self.fields["severity"].label_from_instance = lambda s: f"{s.code} — {s.name}"
        self.kinds = list(MilestoneKind.objects.all())
        self.milestone_errors: list[str] = []
        for kind in self.kinds:
            self.fields[f"milestone_{kind.code}"] = forms.CharField(
                label=kind.name,
                required=False,
                widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
            )
            self.fields[f"milestone_{kind.code}_offset"] = forms.CharField(
                label=f"{kind.name}: UTC offset",
                required=False,
                max_length=6,
                widget=forms.TextInput(attrs={"placeholder": "+00:00", "size": 6}),
            )

    @property
    def milestone_rows(self) -> list[tuple[MilestoneKind, forms.BoundField, forms.BoundField]]:
        return [
            (kind, self[f"milestone_{kind.code}"], self[f"milestone_{kind.code}_offset"])
            for kind in self.kinds
        ]

    def clean_tags(self) -> list[str]:
        slugs: list[str] = []
        for part in self.cleaned_data["tags"].split(","):
            slug = part.strip()
            if not slug or slug in slugs:
                continue
            if not _SLUG.match(slug) or len(slug) > taxonomy.MAX_SLUG:
                raise ValidationError(
                    f"{slug!r} is not a slug (at most {taxonomy.MAX_SLUG} letters, digits, - and _)"
                )
            slugs.append(slug)
        return slugs

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        milestones: dict[str, datetime] = {}
        for kind in self.kinds:
            at = self._milestone(kind)
            if at is not None:
                milestones[kind.code] = at
        cleaned["milestones"] = milestones
        return cleaned

    def _milestone(self, kind: MilestoneKind) -> datetime | None:
        name = f"milestone_{kind.code}"
        text = (self.cleaned_data.get(name) or "").strip()
        offset_text = (self.cleaned_data.get(f"{name}_offset") or "").strip()
        if not text:
            return None
        try:
            local = datetime.fromisoformat(text)
        except ValueError:
            self.add_error(name, f"{text!r} is not a date and time like 2026-03-04T13:40")
            return None
        if local.tzinfo is not None:
            return local
        if not offset_text:
            return django_timezone.make_aware(local, self.zone)
        try:
            minutes = parse_offset(offset_text)
        except ValueError as exc:
            self.add_error(f"{name}_offset", str(exc))
            return None
        return local.replace(tzinfo=timezone(timedelta(minutes=minutes)))

    def incident_fields(self, references: list[tuple[str, str, str]]) -> IncidentFields:
        data = self.cleaned_data
        return IncidentFields(
            title=data["title"],
            severity=data["severity"],
            visibility=data["visibility"],
            services=list(data["services"]),
            teams=list(data["teams"]),
            tags=data["tags"],
            external_references=references,
            milestones=data["milestones"],
            milestone_order_note=data["milestone_order_note"],
        )

    def add_service_errors(self, error: ValidationError) -> None:
        """Put each error of the service next to the field it names."""
        for field, messages in error.message_dict.items():
            if field == "milestones":
                self.milestone_errors.extend(messages)
            elif field in self.fields:
                for message in messages:
                    self.add_error(field, message)
            else:
                for message in messages:
                    self.add_error(None, f"{field.replace('_', ' ')}: {message}")


def initial_for(incident: Incident, zone: ZoneInfo, base: str) -> dict[str, Any]:
    """The edit form's starting values, times shown in the viewer's zone."""
    initial: dict[str, Any] = {
        "title": incident.title,
        "severity": incident.severity.code,
        "services": [s.slug for s in incident.services.all()],
        "teams": [t.slug for t in incident.teams.all()],
        "tags": ", ".join(t.slug for t in incident.tags.all()),
        "visibility": incident.visibility,
        "milestone_order_note": incident.milestone_order_note,
        "base": base,
    }
    for milestone in incident.milestones.select_related("kind"):
        local = milestone.at.astimezone(zone)
        offset = local.utcoffset() or timedelta(0)
        initial[f"milestone_{milestone.kind.code}"] = local.strftime(LOCAL_FORMAT)
        initial[f"milestone_{milestone.kind.code}_offset"] = offset_text(
            int(offset.total_seconds() // 60)
        )
    return initial


class ExternalReferenceForm(forms.Form):
    system = forms.CharField(
        required=False,
        max_length=taxonomy.MAX_SYSTEM,
        widget=forms.TextInput(attrs={"placeholder": "jira"}),
    )
    identifier = forms.CharField(
        label="ID",
        required=False,
        max_length=taxonomy.MAX_IDENTIFIER,
        widget=forms.TextInput(attrs={"placeholder": "OPS-123"}),
    )
    url = forms.URLField(
        label="URL", required=False, max_length=taxonomy.MAX_URL, assume_scheme="https"
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        filled = any(cleaned.get(name) for name in ("system", "identifier", "url"))
        if filled:
            for name in ("system", "identifier"):
                if not cleaned.get(name):
                    self.add_error(name, "a reference needs a system and an ID")
        return cleaned


class BaseReferenceFormSet(forms.BaseFormSet):
    def references(self) -> list[tuple[str, str, str]]:
        """(system, identifier, url) of every filled row, blank rows left out."""
        rows = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", {})
            if data.get("system") and data.get("identifier"):
                rows.append((data["system"], data["identifier"], data.get("url", "")))
        return rows

    def clean(self) -> None:
        if any(form.errors for form in self.forms):
            return
        pairs = [(s, i) for s, i, _ in self.references()]
        if len(set(pairs)) != len(pairs):
            raise ValidationError("the same system and ID appear twice")


ReferenceFormSet = forms.formset_factory(
    ExternalReferenceForm, formset=BaseReferenceFormSet, extra=2, max_num=50
)


def reference_initial(incident: Incident) -> list[dict[str, str]]:
    return [
        {"system": r.system, "identifier": r.identifier, "url": r.url}
        for r in incident.external_references.all()
    ]
