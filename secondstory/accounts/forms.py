"""Forms of the account page: the profile and new API tokens."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.utils import timezone

from secondstory.accounts.models import TokenScope, User
from secondstory.accounts.tokens import LIFETIMES
from secondstory.lib.timezones import parse_zone, zone_names


class ProfileForm(forms.ModelForm):  # type: ignore[type-arg]
    """Display name, e-mail (unless the identity provider supplies it) and time zone."""

    time_zone = forms.ChoiceField(
        required=False,
        label="Time zone",
        help_text="Pages show times in this zone unless you pick another for a session.",
    )

    class Meta:
        model = User
        fields = ["display_name", "email", "time_zone"]
        labels = {"display_name": "Display name", "email": "E-mail address"}
        help_texts = {"display_name": "How your name appears to others."}

    def __init__(self, *args: Any, managed_email: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = [("", "The site’s default zone")] + [
            (name, name) for name in zone_names()
        ]
        if managed_email:
            del self.fields["email"]

    def clean_time_zone(self) -> str:
        name = str(self.cleaned_data.get("time_zone") or "")
        if name and parse_zone(name) is None:
            raise forms.ValidationError(f"“{name}” is not a time zone this server knows.")
        return name


def _lifetime_label(days: int | None) -> str:
    return "never expires" if days is None else f"{days} days"


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        label="Token name",
        help_text="What uses the token, e.g. “deploy pipeline”.",
    )
    scopes = forms.MultipleChoiceField(
        choices=TokenScope.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[TokenScope.READ],
        label="Scopes",
    )
    lifetime = forms.ChoiceField(
        choices=[(str(d or ""), _lifetime_label(d)) for d in LIFETIMES],
        initial="90",
        required=False,
        label="Expires after",
    )

    def expires_at(self) -> datetime | None:
        days = self.cleaned_data.get("lifetime") or ""
        return timezone.now() + timedelta(days=int(days)) if days else None
