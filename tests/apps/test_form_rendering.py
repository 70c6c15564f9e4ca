"""Each distinct form widget is rendered once per process, and only what renders alike is
reused."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.utils.safestring import mark_safe

from secondstory.lib.form_rendering import KeptWidgetRenderer


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The templates actually rendered (not answered from what was kept)."""
    seen: list[str] = []
    original = DjangoTemplates.render

    def counting(self: Any, template_name: str, context: Any, request: Any = None) -> str:
        seen.append(template_name)
        return original(self, template_name, context, request)

    monkeypatch.setattr(DjangoTemplates, "render", counting)
    return seen


class ZoneForm(forms.Form):
    zone = forms.ChoiceField(choices=[("UTC", "UTC"), ("Europe/Berlin", "Berlin")])
    remember = forms.BooleanField(required=False)


def test_the_site_renders_forms_with_it() -> None:
    assert isinstance(get_default_renderer(), KeptWidgetRenderer)


def test_a_widget_is_rendered_once_and_gives_the_same_html(renders: list[str]) -> None:
    renderer = KeptWidgetRenderer()
    first = str(ZoneForm(initial={"zone": "UTC"}, renderer=renderer)["zone"])
    assert renders == ["django/forms/widgets/select.html"]
    again = str(ZoneForm(initial={"zone": "UTC"}, renderer=renderer)["zone"])
    assert again == first
    assert renders == ["django/forms/widgets/select.html"]
    assert '<option value="UTC" selected>UTC</option>' in first


def test_another_value_renders_anew(renders: list[str]) -> None:
    renderer = KeptWidgetRenderer()
    utc = str(ZoneForm(initial={"zone": "UTC"}, renderer=renderer)["zone"])
    berlin = str(ZoneForm(initial={"zone": "Europe/Berlin"}, renderer=renderer)["zone"])
    assert len(renders) == 2
    assert '<option value="Europe/Berlin" selected>Berlin</option>' in berlin
    assert berlin != utc


def test_values_that_render_differently_are_never_confused() -> None:
    renderer = KeptWidgetRenderer()
    widget = forms.TextInput()
    escaped = widget.render("note", "<b>", renderer=renderer)
    safe = widget.render("note", mark_safe("<b>"), renderer=renderer)
    assert 'value="&lt;b&gt;"' in escaped
    assert 'value="<b>"' in safe  # marked safe: Django leaves it as it is
    checked = forms.CheckboxInput(attrs={"data-n": True}).render("a", True, renderer=renderer)
    one = forms.CheckboxInput(attrs={"data-n": 1}).render("a", True, renderer=renderer)
    assert 'data-n="1"' in one and 'data-n="1"' not in checked


def test_a_widget_with_objects_in_its_data_is_never_kept(renders: list[str]) -> None:
    class Label:
        def __init__(self, text: str) -> None:
            self.text = text

        def __str__(self) -> str:
            return self.text

    renderer = KeptWidgetRenderer()
    label = Label("first")
    select = forms.Select(choices=[("a", label)])
    assert "first" in select.render("pick", "a", renderer=renderer)
    label.text = "second"
    assert "second" in select.render("pick", "a", renderer=renderer)
    assert len(renders) == 2


def test_nothing_is_kept_while_debugging(renders: list[str], settings: Any) -> None:
    settings.DEBUG = True
    renderer = KeptWidgetRenderer()
    for _ in range(2):
        str(ZoneForm(renderer=renderer)["zone"])
    assert len(renders) == 2
