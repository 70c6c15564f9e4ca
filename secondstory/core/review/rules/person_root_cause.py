"""person-root-cause: a person or a person's action as *the* root cause."""

from __future__ import annotations

import re
from collections.abc import Iterator

from secondstory.core.review.context import SentenceContext
from secondstory.core.review.ruler import Rule, Span
from secondstory.core.review.rules._words import ACTION_NOUNS
from secondstory.core.review.subjects import (
    People,
    is_human_phrase,
    is_name,
    sentence_subject_is_human,
)

_CAUSE = r"(?:root|primary|main|underlying|real|ultimate|actual|single|sole|proximate|true)\s+cause"
_CAUSE_IS = re.compile(
    r"\b"
    + _CAUSE
    + r"(?:\s+of\s+[^:.;]{1,60}?)?\s*(?:was|is|:|=|-|—|–|were)\s*(?P<what>[^.;]{1,80})",
    re.I,
)
_IS_CAUSE = re.compile(
    r"(?P<who>(?:[\w'’-]+\s+){1,4}?)(?:was|is|were|are)\s+(?:the\s+)?" + _CAUSE + r"\b",
    re.I,
)
_HUMAN_THING = re.compile(
    r"^\W*(?:a\s+|an\s+|the\s+|simple\s+|plain\s+)*(?:human|operator|user|engineer|manual|"
    r"personnel)\s+(?:error|mistake|failure|fault)|^\W*(?:a\s+|an\s+|the\s+)?(?:simple\s+|"
    r"careless\s+|silly\s+)?(?:mistake|typo|oversight|negligence|carelessness|inattention|"
    r"lack of (?:attention|care|diligence|training|discipline))\b"
    r"|^\W*(?:his|her|their)\b",
    re.I,
)
_POSSESSIVE = re.compile(r"^\W*(?:the\s+|an?\s+)?([\w-]+(?:\s+[\w-]+)?)['’]s\s+", re.I)
_ACTION = re.compile(r"^\W*(?:the\s+)?" + ACTION_NOUNS + r"\s+(?:by|from|of)\s+(.+)", re.I)


def _is_human_cause(what: str, people: People) -> bool:
    if _HUMAN_THING.search(what):
        return True
    m = _POSSESSIVE.match(what)
    if m and (is_name(m.group(1) + "'s", people) or is_human_phrase(m.group(1), people)):
        return True
    m = _ACTION.match(what)
    if m and is_human_phrase(" ".join(m.group(1).split()[:3]), people):
        return True
    what = re.sub(r"^\W*(?:that|the fact that)\s+", "", what, flags=re.I)
    return sentence_subject_is_human(what, people)


def _find(text: str, ctx: SentenceContext, people: People) -> Iterator[Span]:
    for m in _CAUSE_IS.finditer(text):
        what = m.group("what")
        if _is_human_cause(what, people):
            end = m.start("what") + min(len(what.rstrip()), 40)
            yield m.start(), end
    for m in _IS_CAUSE.finditer(text):
        who = m.group("who")
        if _is_human_cause(who, people) or is_human_phrase(who, people):
            yield m.start("who"), m.end()


RULE = Rule(
    id="person-root-cause",
    category="person-root-cause",
    severity="blame",
    description="A person or a person's action named as the root cause.",
    message=(
        "A person's action is where the second story starts; as 'the root cause' it ends the "
        "inquiry before the contributing factors are found."
    ),
    suggestion=(
        "List the contributing factors instead: what made this action possible, likely and "
        "this harmful? Record the action itself as the trigger."
    ),
    find=_find,
    triggers=("cause",),
)
