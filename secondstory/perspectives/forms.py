"""The account form (the six prompts), the interview form and the invitation form."""

from __future__ import annotations

from typing import Any

from django import forms

from secondstory.accounts.models import User
from secondstory.core import perspectives


class AccountForm(forms.Form):
    """One textarea per prompt, labelled in the first person (or the third, for interviews)."""

    def __init__(self, *args: Any, kind: str = perspectives.ACCOUNT, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for p in perspectives.PROMPTS:
            self.fields[p.key] = forms.CharField(
                label=perspectives.label(p.key, kind),
                help_text=p.help,
                required=False,
                max_length=perspectives.MAX_ANSWER,
                widget=forms.Textarea(attrs={"rows": 4, "aria-describedby": f"id_{p.key}-help"}),
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and perspectives.is_blank(data):
            raise forms.ValidationError("Answer at least one of the prompts.")
        return data

    def answers(self) -> dict[str, str]:
        return {key: self.cleaned_data.get(key, "") for key in perspectives.PROMPT_KEYS}


def _people() -> forms.ModelMultipleChoiceField:
    return forms.ModelMultipleChoiceField(
        queryset=User.objects.filter(is_active=True, is_service_account=False),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class InviteForm(forms.Form):
    """The suggested participants (ticked) and anyone else the owner or facilitator adds."""

    people = _people()
    others = forms.CharField(
        required=False,
        label="Also invite (usernames, separated by commas)",
        max_length=2000,
    )

    def __init__(self, *args: Any, suggested: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["people"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = User.objects.filter(pk__in=[p.pk for p in suggested])
        field.label = "People on this postmortem, the incident's responders and those invited"

    def clean_others(self) -> list[User]:
        names = [n.strip() for n in self.cleaned_data["others"].split(",") if n.strip()]
        people = User.objects.filter(is_active=True, is_service_account=False)
        found = {u.username.lower(): u for u in people.filter(username__in=names)}
        missing = [n for n in names if n.lower() not in found]
        if missing:
            raise forms.ValidationError(f"No such person: {', '.join(missing)}.")
        return [found[n.lower()] for n in names]

    def chosen(self) -> list[User]:
        return [*self.cleaned_data["people"], *self.cleaned_data["others"]]


class InterviewForm(AccountForm):
    """Interview notes: who was interviewed, then the prompts in the third person."""

    def __init__(self, *args: Any, people: list[User], **kwargs: Any) -> None:
        super().__init__(*args, kind=perspectives.INTERVIEW, **kwargs)
        self.fields["interviewee"] = forms.ModelChoiceField(
            queryset=User.objects.filter(pk__in=[p.pk for p in people]),
            label="Person interviewed",
            empty_label="Choose a person",
        )
        self.order_fields(["interviewee", *perspectives.PROMPT_KEYS])
