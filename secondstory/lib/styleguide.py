"""The design system's own page (``/styleguide/``), for the people who build the pages."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from secondstory.accounts import permissions
from secondstory.core.contrast import AA_TEXT, contrast_ratio, css_colour_tokens

DESIGN_CSS = Path(__file__).resolve().parents[1] / "static" / "secondstory" / "design.css"

# (token, what it is for, the colour it is paired with) — the page prints them as swatches,
# with the contrast of the pair: text on a background, or the colour as text on a card.
COLOURS = [
    ("ink", "text", "paper"),
    ("ink-soft", "secondary text", "paper"),
    ("paper", "page background", "ink"),
    ("card", "cards, fields, tables", "ink"),
    ("line", "borders and rules", "ink"),
    ("accent", "links, primary buttons", "card"),
    ("accent-soft", "highlighted rows, info alerts", "ink"),
    ("ok", "done, published", "card"),
    ("warn", "due soon, warnings", "card"),
    ("danger", "overdue, destructive actions", "card"),
    ("later", "learned later (hindsight)", "card"),
    ("focus", "keyboard focus ring", "card"),
]

TYPE_SCALE = [
    ("step-3", "1.728rem", "Page title (h1)"),
    ("step-2", "1.44rem", "Part of a page (h2)"),
    ("step-1", "1.2rem", "Item heading (h3)"),
    ("step-0", "1rem", "Body text"),
    ("step--1", "0.875rem", "Notes, table headers, badges"),
]

SPACING = ["0.25rem", "0.5rem", "0.75rem", "1rem", "1.5rem", "2rem", "3rem"]


@dataclass(frozen=True, slots=True)
class Swatch:
    name: str
    use: str
    value: str
    pair: str
    ratio: float

    @property
    def passes(self) -> bool:
        return self.ratio >= AA_TEXT


def swatches() -> list[Swatch]:
    """The colour tokens of design.css with the contrast of each against its pair."""
    tokens = css_colour_tokens(DESIGN_CSS.read_text(encoding="utf-8"))
    return [
        Swatch(name, use, tokens[name], pair, contrast_ratio(tokens[name], tokens[pair]))
        for name, use, pair in COLOURS
    ]


def styleguide(request: HttpRequest) -> HttpResponse:
    if not permissions.may_read_styleguide(request.user):
        raise PermissionDenied("The style guide is for admins.")
    context = {"colours": swatches(), "type_scale": TYPE_SCALE, "spacing": SPACING}
    return render(request, "styleguide.html", context)
