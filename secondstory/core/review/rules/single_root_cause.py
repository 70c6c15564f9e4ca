"""single-root-cause (strict only, info): "the root cause" invites a single culprit."""

from __future__ import annotations

import re
from collections.abc import Iterator

from secondstory.core.review.context import SentenceContext
from secondstory.core.review.ruler import Rule, Span
from secondstory.core.review.subjects import People

_ROOT_CAUSE = re.compile(r"\b(?:the|a|one|single|sole)\s+root\s+cause\b|^\W*root cause\b", re.I)


def _find(text: str, ctx: SentenceContext, people: People) -> Iterator[Span]:
    for m in _ROOT_CAUSE.finditer(text):
        yield m.start(), m.end()


RULE = Rule(
    id="single-root-cause",
    category="single-root-cause",
    severity="info",
    description="'The root cause' suggests one cause; incidents have several contributing factors.",
    message="One root cause hides the other contributing factors and the trigger.",
    suggestion="Which contributing factors made this possible, and which event was the trigger?",
    find=_find,
    triggers=("root cause",),
)
