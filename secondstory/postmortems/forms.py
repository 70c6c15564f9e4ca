"""Forms of the writing workspace: start a postmortem, edit a section, edit a template."""

from __future__ import annotations

from typing import Any

from django import forms

from secondstory.core import limits, taxonomy
from secondstory.postmortems.models import PostmortemTemplate

MAX_SECTION_BYTES = limits.MAX_SECTION_BYTES
MAX_QUESTION_CHARS = 500


class StartForm(forms.Form):
    """Which template a new postmortem starts from."""

    template = forms.ModelChoiceField(
        queryset=PostmortemTemplate.objects.all(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": "Choose a template.", "invalid_choice": "Choose a template."},
    )


class SectionForm(forms.Form):
    """One section's Markdown plus the fingerprint of the text the editor started from."""

    text = forms.CharField(
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 12, "class": "section-text"}),
    )
    base = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, heading: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["text"].label = heading
        self.heading = heading
        self.fields["base"].error_messages["required"] = (
            "The form lost track of the version you started from; open the editor again."
        )

    def clean_text(self) -> str:
        text: str = self.cleaned_data["text"]
        problem = limits.section_size_problem(text)
        if problem:
            # Counted in bytes (UTF-8), tables included: what the reviewer and the page cost.
            raise forms.ValidationError(f"{self.heading or 'This section'} {problem}.")
        return text


class TemplateForm(forms.Form):
    """A template: name, description, and for each section whether, where and with what question.

    Each section is a row of three fields (``show_<field>``, ``order_<field>``,
    ``question_<field>``) so the form works as plain HTML without JavaScript.
    """

    name = forms.CharField(max_length=150)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, template: PostmortemTemplate | None = None, **kwargs: Any):
        if template is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_for(template)
        super().__init__(*args, **kwargs)
        for position, (field, heading) in enumerate(taxonomy.SECTIONS, start=1):
            self.fields[f"show_{field}"] = forms.BooleanField(required=False, label=heading)
            self.fields[f"order_{field}"] = forms.IntegerField(
                min_value=1, max_value=99, initial=position, label=f"Order of {heading}"
            )
            self.fields[f"question_{field}"] = forms.CharField(
                required=False, max_length=MAX_QUESTION_CHARS, label=f"Question for {heading}"
            )

    @staticmethod
    def initial_for(template: PostmortemTemplate) -> dict[str, Any]:
        initial: dict[str, Any] = {"name": template.name, "description": template.description}
        for position, entry in enumerate(template.sections, start=1):
            field = entry.get("field")
            initial[f"show_{field}"] = True
            initial[f"order_{field}"] = position
            initial[f"question_{field}"] = entry.get("question", "")
        shown = len(template.sections)
        others = [f for f in taxonomy.SECTION_FIELDS if f"show_{f}" not in initial]
        for offset, field in enumerate(others, start=shown + 1):
            initial[f"order_{field}"] = offset
        return initial

    def rows(self) -> list[tuple[str, forms.BoundField, forms.BoundField, forms.BoundField]]:
        """(heading, show, order, question) for the table of sections."""
        return [
            (heading, self[f"show_{f}"], self[f"order_{f}"], self[f"question_{f}"])
            for f, heading in taxonomy.SECTIONS
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        chosen = [f for f in taxonomy.SECTION_FIELDS if data.get(f"show_{f}")]
        if not chosen:
            raise forms.ValidationError("Choose at least one section for the template to show.")
        for field in chosen:
            if not (data.get(f"question_{field}") or "").strip():
                self.add_error(
                    f"question_{field}",
                    f"Write the question shown under {dict(taxonomy.SECTIONS)[field]}.",
                )
        return data

    def sections(self) -> list[dict[str, str]]:
        """The chosen sections in their order (ties keep document order)."""
        data = self.cleaned_data
        order = {f: i for i, f in enumerate(taxonomy.SECTION_FIELDS)}
        chosen = [f for f in taxonomy.SECTION_FIELDS if data.get(f"show_{f}")]
        chosen.sort(key=lambda f: (data.get(f"order_{f}") or 99, order[f]))
        return [{"field": f, "question": data[f"question_{f}"].strip()} for f in chosen]
