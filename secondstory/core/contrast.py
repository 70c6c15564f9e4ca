"""Colour contrast as WCAG 2.x defines it, for the design system's tokens.

>>> round(contrast_ratio("#000000", "#ffffff"), 1)
21.0
>>> css_colour_tokens(":root { --ink: #1f2328; --radius: 6px; }")
{'ink': '#1f2328'}
"""

from __future__ import annotations

import re

_TOKEN = re.compile(r"--([a-z0-9-]+):\s*(#[0-9a-fA-F]{6})\b")

AA_TEXT = 4.5  # normal text
AA_LARGE = 3.0  # large text and the edges of controls (WCAG 1.4.11)


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: str) -> float:
    """Relative luminance of ``#rrggbb`` (0 for black, 1 for white)."""
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast_ratio(foreground: str, background: str) -> float:
    """(L1 + 0.05) / (L2 + 0.05) with L1 the lighter colour: from 1 to 21."""
    a, b = sorted((relative_luminance(foreground), relative_luminance(background)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def css_colour_tokens(css: str) -> dict[str, str]:
    """The ``--name: #rrggbb`` custom properties of a stylesheet, first definition kept."""
    tokens: dict[str, str] = {}
    for name, value in _TOKEN.findall(css):
        tokens.setdefault(name, value.lower())
    return tokens
