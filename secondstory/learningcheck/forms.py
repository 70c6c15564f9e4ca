"""The learning check's form: one 1–7 choice per item, all required."""

from __future__ import annotations

from typing import Any

from django import forms

from secondstory.core import learningcheck


class AnswerForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for item in learningcheck.ITEMS:
            self.fields[item.code] = forms.TypedChoiceField(
                label=item.statement,
                choices=[(str(value), f"{value} {label}") for value, label in learningcheck.SCALE],
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": "Choose an answer from 1 to 7."},
            )

    def review_fields(self) -> list[forms.BoundField]:
        return [self[i.code] for i in learningcheck.ITEMS if i.group == learningcheck.REVIEW]

    def team_fields(self) -> list[forms.BoundField]:
        return [self[i.code] for i in learningcheck.ITEMS if i.group == learningcheck.WESTRUM]
