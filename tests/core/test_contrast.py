"""The design system's colours meet WCAG AA: checked on design.css itself, so a new token
value that fails is caught where it is written."""

from __future__ import annotations

from pathlib import Path

import pytest

from secondstory.core.contrast import AA_LARGE, AA_TEXT, contrast_ratio, css_colour_tokens

CSS = (
    Path(__file__).resolve().parents[2] / "secondstory/static/secondstory/design.css"
).read_text()
TOKENS = css_colour_tokens(CSS)

TEXT_PAIRS = [
    (text, background)
    for text in ("ink", "ink-soft", "accent", "accent-strong", "ok", "warn", "danger", "later")
    for background in ("paper", "card")
] + [
    ("accent", "accent-soft"),
    ("ok", "ok-soft"),
    ("warn", "warn-soft"),
    ("danger", "danger-soft"),
    ("later", "later-soft"),
    ("ink", "sunken"),
    ("card", "accent"),  # white text on primary buttons
    ("card", "accent-strong"),
    ("card", "danger"),
]


@pytest.mark.parametrize(("text", "background"), TEXT_PAIRS)
def test_text_colours_reach_aa(text: str, background: str) -> None:
    ratio = contrast_ratio(TOKENS[text], TOKENS[background])
    assert ratio >= AA_TEXT, f"--{text} on --{background}: {ratio:.2f}:1"


@pytest.mark.parametrize("background", ["paper", "card"])
def test_field_edges_and_the_focus_ring_are_visible(background: str) -> None:
    for edge in ("control-line", "focus"):
        assert contrast_ratio(TOKENS[edge], TOKENS[background]) >= AA_LARGE


def test_the_ratio_follows_the_wcag_formula() -> None:
    assert contrast_ratio("#ffffff", "#ffffff") == pytest.approx(1.0)
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert contrast_ratio("#ffffff", "#777777") == contrast_ratio("#777777", "#ffffff")


def test_tokens_are_read_from_the_stylesheet() -> None:
    assert css_colour_tokens("a { --x: #ABCDEF; --x: #000000; --y: 1px; }") == {"x": "#abcdef"}
    assert {"ink", "paper", "accent", "focus"} <= TOKENS.keys()
