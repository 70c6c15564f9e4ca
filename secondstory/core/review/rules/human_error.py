"""human-error: "human error", "operator error", "fat-fingered", "a mistake by X" as a cause."""

from __future__ import annotations

import re
from collections.abc import Iterator

from secondstory.core.review.context import SentenceContext
from secondstory.core.review.ruler import Rule, Span
from secondstory.core.review.subjects import (
    People,
    human_prefix,
    is_human_phrase,
    is_human_subject,
    is_name,
    subject_before,
)

_LABEL = re.compile(
    r"\b(?:human|operator|user|pilot|engineer|manual|personnel|people|staff)\s+error\b"
    r"(?!\s+(?:rate|rates|budget|code|codes|message|messages|page|count|handling|log|logs|"
    r"metric|response|responses)\b)"
    r"|\bfat[- ]?finger(?:ed|ing|s)?\b|\bfinger[- ]trouble\b|\bhuman (?:mistake|slip|failure|"
    r"fault|factor)\b|\bpebkac\b|\bid10t\b",
    re.I,
)
_MISTAKE_BY = re.compile(
    r"\b(?:a|an|the)\s+(?:\w+\s+)?(?:mistake|error|slip|blunder|lapse|goof|screw-?up|oversight|"
    r"typo|misconfiguration|misstep)"
    r"\s+(?:by|from|on the part of|made by|of)\s+((?:[\w'’-]+\s*){1,3})",
    re.I,
)
# Nouns that name a person's slip or misjudgement.
_SLIP_NOUNS = (
    r"(?:mistake|error|blunder|slip|slip-up|lapse|typo|screw-?up|oversight|goof|misjudge?ment|"
    r"misreading|miscalculation|misunderstanding|misstep|misconfiguration|mix-?up|fumble)"
)
_POSSESSIVE_MISTAKE = re.compile(
    r"\b([\w-]+)['’]s\s+(?:\w+\s+)?" + _SLIP_NOUNS + r"\b|\b(?:his|her|their)\s+(?:\w+\s+)?"
    r"(?:mistake|blunder|slip|slip-up|lapse|typo|screw-?up|oversight|goof|misjudge?ment|"
    r"misreading|miscalculation|misunderstanding|misstep|mix-?up|fumble)\b",
    re.I,
)
_MADE_MISTAKE = re.compile(
    r"\b((?:[\w'’-]+\s+){1,3}?)(?:made|makes|make)\s+(?:a|an|the|this|that|one)\s+(?:\w+\s+)?"
    r"(?:mistake|error|blunder|slip|typo|goof)\b|\b((?:[\w'’-]+\s+){1,3}?)(?:mistyped|typo['’]?d|"
    r"messed up|screwed up|botched|bungled|goofed|misread|misjudged|miscalculated|misconfigured|"
    r"mixed up|got (?:the|a|an|his|her|their) (?:[\w-]+ ){0,2}?wrong)\b"
    # A slip told by its object: "the tired admin deleted the wrong directory".
    r"|\b((?:[\w'’-]+\s+){1,3}?)(?:\w+ed|ran|took|hit|pressed|typed|chose|picked|put|set|sent|"
    r"shut\s+down|pulled|drew|wrote|read)\s+(?:\w+\s+)?the\s+wrong\b",
    re.I,
)


_ADVERB = re.compile(
    r"\b(?:mistakenly|accidentally|inadvertently|erroneously|unintentionally|wrongly|"
    r"incorrectly|unwittingly)\b"
    r"|\bby (?:mistake|accident)\b",
    re.I,
)


_FIRST_PERSON = frozenset(["we", "i"])
# "Assumed user error at the time", "to prevent human error", "ruled out operator error": a
# hypothesis or a design goal, not a verdict.
_HYPOTHESIS = re.compile(
    r"\b(?:assum\w*|suspect\w*|ruled?\s+out|rules\s+out|prevent\w*|avoid\w*|reduc\w*|"
    r"minimi[sz]\w*|eliminat\w*|guard\w*\s+against|protect\w*\s+against|resilien\w*\s+to|"
    r"not|no|rather\s+than|instead\s+of|risk\s+of|chance\s+of|likelihood\s+of|"
    r"proof\s+against)\b[^.;,]{0,40}$",
    re.I,
)


def _find(text: str, ctx: SentenceContext, people: People) -> Iterator[Span]:
    for m in _LABEL.finditer(text):
        if not _HYPOTHESIS.search(text, max(0, m.start() - 60), m.start()):
            yield m.start(), m.end()
    for m in _MISTAKE_BY.finditer(text):
        length = human_prefix(m.group(1), people)
        if length:
            yield m.start(), m.start(1) + length
    for m in _ADVERB.finditer(text):
        if subject_before(text, m.start()).strip().lower() in _FIRST_PERSON:
            continue  # "we wrongly assumed": the team owning its own mental model
        if is_human_subject(text, m.start(), people):
            yield m.start(), m.end()
    for m in _POSSESSIVE_MISTAKE.finditer(text):
        owner = m.group(1)
        if owner is None or is_name(owner + "'s", people) or is_human_phrase(owner, people):
            yield m.start(), m.end()
    for m in _MADE_MISTAKE.finditer(text):
        subject = m.group(1) or m.group(2) or m.group(3) or ""
        if is_human_phrase(subject, people):
            start = m.start() + len(subject)
            yield start, m.end()


RULE = Rule(
    id="human-error",
    category="human-error",
    severity="blame",
    description="'Human error', 'operator error', 'fat-fingered', 'a mistake by X' as a cause.",
    message=(
        "'Human error' is where the investigation should start, not where it ends: it names "
        "no condition that the organisation can change."
    ),
    suggestion=(
        "What about the tool, the interface or the procedure made this slip easy to make and "
        "hard to notice?"
    ),
    find=_find,
    triggers=(
        "error",
        "fat",
        "finger",
        "human",
        "pebkac",
        "id10t",
        "mistake",
        "slip",
        "blunder",
        "lapse",
        "goof",
        "screw",
        "oversight",
        "typo",
        "misconfig",
        "misstep",
        "accident",
        "inadvertent",
        "erroneous",
        "unintentional",
        "wrongly",
        "mistyp",
        "messed",
        "botched",
        "bungled",
        "misjudg",
        "misread",
        "miscalc",
        "misunderst",
        "mixed",
        "mix-up",
        "mixup",
        "fumble",
        "wrong",
        "incorrect",
        "unwitting",
    ),
)
