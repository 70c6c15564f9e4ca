"""person-root-cause: a person or a person's action as *the* root cause."""

from __future__ import annotations

import re
from collections.abc import Iterator

from secondstory.core.review.context import SentenceContext
from secondstory.core.review.ruler import Rule, Span
from secondstory.core.review.rules._words import ACTION_NOUNS, PROBLEM_NOUNS
from secondstory.core.review.subjects import (
    People,
    is_human_phrase,
    is_name,
    sentence_subject_is_human,
    starts_with_human,
)

_CAUSE = (
    r"(?:(?:root|primary|main|underlying|real|"
    r"ultimate|actual|single|sole|proximate|true|fundamental|immediate|basic|core|direct)\s+"
    r"(?:cause|reason|source|origin|culprit|driver)|(?<=the )(?:cause|culprit)|"
    r"(?<=the )(?:source|origin|reason)(?=\s+(?:of|for|behind)\s+(?:the\s+|this\s+|that\s+)?"
    r"(?:[\w-]+\s+)?" + PROBLEM_NOUNS + r"\b)|cause of it all)"
)
# What joins the cause to what it is: "was", "lay with", "has been identified as", a colon.
_LINK = (
    r"(?:\b(?:was|is|were|are|has\s+been|had\s+been)\s+(?:identified\s+as|traced\s+to|found\s+to\s+be|"
    r"determined\s+to\s+be)|\bturned\s+out\s+to\s+be|came\s+down\s+to|comes\s+down\s+to|"
    r"\b(?:lay|lies|lie|rested|rests|sat|sits)\s+with|\b(?:was|is|were)\b|:|=|-|—|–|"
    r",?\s*(?:we|the\s+team|the\s+review|investigators?)\s+(?:found|concluded|established|"
    r"determined)(?:\s+that)?)"
)
_CAUSE_IS = re.compile(
    r"\b"
    + _CAUSE
    + r"(?:\s+(?:of|for|behind)\s+[^:.;,]{1,60}?)?\s*"
    + _LINK
    + r"\s*(?P<what>[^.;]{1,80})",
    re.I,
)
_IS_CAUSE = re.compile(
    r"(?P<who>(?:[\w'’-]+\s+){1,4}?)(?:was|is|were|are)\s+(?:the\s+)?" + _CAUSE + r"\b",
    re.I,
)
# "At the root of the outage was Kemal's decision", "What lay behind it was an operator who …",
# "The incident traces back to the DBA's change".
_FRONTED = re.compile(
    r"\b(?:at\s+the\s+(?:root|heart|bottom|core)\s+of\s+(?:[\w'’-]+\s+){1,4}?(?:was|were|lay|lies|is)|"
    r"(?:what|all\s+that)\s+(?:lay|lies|was)\s+behind\s+(?:it|this|the\s+\w+)\s+(?:was|is)|"
    r"behind\s+(?:it|this|the\s+\w+)\s+(?:was|lay)|"
    r"(?:traces?|traced|tracing)\s+(?:it\s+|this\s+)?back\s*,?\s+(?:to|everything\s+started\s+with)|"
    r"everything\s+(?:started|began)\s+with)\s+(?P<what>[^.;]{1,80})",
    re.I,
)
_HUMAN_THING = re.compile(
    r"^\W*(?:a\s+|an\s+|the\s+|simple\s+|plain\s+)*(?:human|operator|user|engineer|manual|"
    r"personnel)\s+(?:error|mistake|failure|fault)|^\W*(?:human|people|a\s+person)\s*(?:[:;,—–-]|$)|^\W*(?:a\s+|an\s+|the\s+)?(?:simple\s+|"
    r"careless\s+|silly\s+)?(?:mistake|typo|oversight|negligence|carelessness|inattention|"
    r"lack of (?:attention|care|diligence|training|discipline))\b"
    r"|^\W*(?:his|her|their)\b",
    re.I,
)
# A person's belongings and a product's parts are not their actions: "the maintainer's npm
# account being compromised", "Subversion's sharing feature".
_POSSESSIVE = re.compile(
    r"^\W*(?:the\s+|an?\s+)?([\w-]+(?:\s+[\w-]+)?)['’]s\s+(?![\w\s\"“”-]{0,40}?\b(?:accounts?|"
    r"credentials?|laptops?|machines?|computers?|passwords?|keys?|tokens?|email|inbox|phones?|"
    r"devices?|workstations?|sessions?|identity|features?|products?|services?|software|"
    r"platforms?|apis?|systems?|library|libraries)\b)",
    re.I,
)
_MISTAKE_WITHIN = re.compile(
    r"^\W*(?:a|an|the)?\s*(?:\w+\s+)?(?:mistake|error|misunderstanding|misjudge?ment|"
    r"misreading|oversight|slip|lapse|failure|decision|misconfiguration)\s+"
    r"(?:by|within|of|from|on\s+the\s+part\s+of|made\s+by)\s+(.+)",
    re.I,
)
_AFTER_COLON = re.compile(r"[:—–]\s*")
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
    m = _MISTAKE_WITHIN.match(what)
    if m and starts_with_human(m.group(1), people):
        return True  # "a misunderstanding within the team responsible for …"
    colon = _AFTER_COLON.search(what)
    if colon and sentence_subject_is_human(what[colon.end() :], people):
        return True  # "human: an engineer misread the runbook"
    what = re.sub(r"^\W*(?:that|the fact that)\s+", "", what, flags=re.I)
    return sentence_subject_is_human(what, people)


# Cheap tests that keep the long patterns off sentences that only say "because" or "caused".
_CAUSE_WORD = re.compile(r"\b(?:cause|causes|reason|source|origin|culprit|driver)\b")
_FRONTED_HINTS = ("root of", "heart of", "bottom of", "core of", "behind", "trace", "everything")


def _find(text: str, ctx: SentenceContext, people: People) -> Iterator[Span]:
    lowered = text.lower()
    if any(hint in lowered for hint in _FRONTED_HINTS):
        for m in _FRONTED.finditer(text):
            what = m.group("what")
            if _is_human_cause(what, people):
                yield m.start(), m.start("what") + min(len(what.rstrip()), 40)
    if _CAUSE_WORD.search(lowered) is None:
        return
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
    triggers=(
        "cause",
        "reason",
        "culprit",
        "driver of",
        "source of",
        "origin of",
        "the source",
        "the origin",
        "at the root",
        "at the heart",
        "at the bottom",
        "at the core",
        "behind it",
        "behind this",
        "behind the",
        "lay behind",
        "lies behind",
        "was behind",
        "traces back",
        "traced back",
        "trace back",
        "tracing back",
        "trace it back",
        "traced it back",
        "everything started",
        "everything began",
    ),
)
