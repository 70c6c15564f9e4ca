"""The near-miss forms: reporting one, triaging it, turning it into an incident."""

from __future__ import annotations

from django import forms

from secondstory.accounts.models import Team
from secondstory.core import taxonomy
from secondstory.incidents.models import Service, Severity
from secondstory.nearmiss.models import Status
from secondstory.nearmiss.services import ReportFields
from secondstory.postmortems.models import FactorCategory

MAX_TEXT = 20_000


def _choices(queryset: object, field: str = "slug") -> forms.ModelMultipleChoiceField:
    return forms.ModelMultipleChoiceField(
        queryset=queryset,  # type: ignore[arg-type]
        required=False,
        to_field_name=field,
        widget=forms.CheckboxSelectMultiple,
    )


class ReportForm(forms.Form):
    what_happened = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=MAX_TEXT)
    what_almost_happened = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), max_length=MAX_TEXT
    )
    what_stopped_it = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), max_length=MAX_TEXT, required=False
    )
    happened_on = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label="When (the day)"
    )
    services = _choices(Service.objects.all())
    teams = _choices(Team.objects.all())
    factor_categories = _choices(FactorCategory.objects.all(), "code")
    anonymous = forms.BooleanField(
        required=False,
        label="Report anonymously",
        help_text="Your name is not stored with the report; you will not be able to find it "
        "again yourself.",
    )

    def report_fields(self) -> ReportFields:
        data = self.cleaned_data
        return ReportFields(
            what_happened=data["what_happened"],
            what_almost_happened=data["what_almost_happened"],
            what_stopped_it=data["what_stopped_it"],
            happened_on=data["happened_on"],
            services=list(data["services"]),
            teams=list(data["teams"]),
            factor_categories=list(data["factor_categories"]),
        )


class TriageForm(forms.Form):
    status = forms.ChoiceField(
        choices=[(s.value, s.label) for s in Status if s != Status.BECAME_INCIDENT]
    )
    triage_note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), max_length=MAX_TEXT, required=False
    )


class IncidentFromReportForm(forms.Form):
    title = forms.CharField(max_length=taxonomy.MAX_TITLE)
    severity = forms.ModelChoiceField(
        queryset=Severity.objects.all(), to_field_name="code", empty_label="Choose a severity"
    )
