"""Anchoring a comment to a passage of a section's text, the way annotations survive edits.

A comment keeps the exact words it is about (the *quote*) and a few characters on either side
(*prefix* and *suffix*), like a W3C Web Annotation ``TextQuoteSelector``. Edits elsewhere in
the section move the passage but do not lose it: :func:`locate` finds the quote again and,
when it occurs more than once, prefers the occurrence whose surroundings match best. When the
words themselves were changed the anchor is *outdated*: the comment still shows its quote.

Selections come from the rendered page, so whitespace may differ from the Markdown source
(line breaks become spaces); :func:`locate` matches across any run of whitespace.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CONTEXT = 32  # characters of prefix and suffix kept with a quote
MAX_QUOTE = 2000


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int


def _pattern(quote: str) -> re.Pattern[str] | None:
    words = quote.split()
    if not words:
        return None
    return re.compile(r"\s+".join(re.escape(word) for word in words))


def _common_suffix(a: str, b: str) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[len(a) - 1 - n] == b[len(b) - 1 - n]:
        n += 1
    return n


def _common_prefix(a: str, b: str) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n


def _squeezed(text: str) -> str:
    return " ".join(text.split())


def locate(text: str, quote: str, prefix: str = "", suffix: str = "") -> Span | None:
    """Where ``quote`` is in ``text`` now, or None when its words are no longer there."""
    pattern = _pattern(quote)
    if pattern is None:
        return None
    matches = list(pattern.finditer(text))
    if not matches:
        return None
    if len(matches) == 1:
        return Span(matches[0].start(), matches[0].end())
    want_before, want_after = _squeezed(prefix), _squeezed(suffix)

    def score(match: re.Match[str]) -> int:
        before = _squeezed(text[max(0, match.start() - 4 * CONTEXT) : match.start()])
        after = _squeezed(text[match.end() : match.end() + 4 * CONTEXT])
        return _common_suffix(before, want_before) + _common_prefix(after, want_after)

    best = max(matches, key=lambda m: (score(m), -m.start()))
    return Span(best.start(), best.end())


def context(text: str, span: Span) -> tuple[str, str, str]:
    """The quote exactly as in ``text`` and up to :data:`CONTEXT` characters around it."""
    return (
        text[span.start : span.end],
        text[max(0, span.start - CONTEXT) : span.start],
        text[span.end : span.end + CONTEXT],
    )


def replace(text: str, span: Span, replacement: str) -> str:
    """``text`` with the passage at ``span`` replaced (a suggestion accepted)."""
    return text[: span.start] + replacement + text[span.end :]
