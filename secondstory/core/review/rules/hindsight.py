"""hindsight: obviously, clearly, "the warning signs were all there", "predictable"."""

from __future__ import annotations

import re
from collections.abc import Iterator

from secondstory.core.review.context import SentenceContext
from secondstory.core.review.ruler import Rule, Span
from secondstory.core.review.subjects import People

_HINDSIGHT = re.compile(
    r"(?<![Nn]ot )(?<![Nn]on-)(?<!n['’]t )(?<!\bno )(?<!\bnot so )\bobvious(?:ly)?\b"
    r"(?!\s+(?:to\s+(?:us|me|anyone|anybody)\s+)?(?:at the time|then|in advance|beforehand))"
    r"|\bclearly\b(?!\s+(?:too\b|label\w*|mark\w*|document\w*|visible|defin\w*|communicat\w*|"
    r"written|explain\w*|separat\w*|stat\w*|name\w*|scoped|distinguish\w*|show\w*|identif\w*|"
    r"and))"
    r"|\b(?:warning |red |the )?(?:signs|flags|signals) were (?:all )?there\b"
    r"|\b(?:was|were|is|seemed|looks?|in retrospect)\s+(?:entirely |completely |totally |"
    r"quite |very |so |perfectly )?(?:predictable|foreseeable|inevitable)\b"
    r"|\bpredictably\b|\binevitably\b|\bbound to happen\b|\ba disaster waiting to happen\b"
    r"|\b(?:should|could|would|ought to) have (?:seen|known|foreseen|predicted|anticipated|"
    r"realised|realized) (?:this|that|it)? ?(?:coming|would|was going)"
    r"|\b(?:anyone|anybody|everyone|any engineer) (?:could|would|should) have (?:seen|known|"
    r"noticed|spotted|predicted|foreseen)"
    r"|\bshould have been (?:obvious|clear|apparent|evident)\b"
    r"|\bof course\b(?=[^.]{0,80}\b(?:should|could|failed|didn['’]t|did not|never)\b)"
    r"|\bit was (?:plain|evident|apparent|self-evident) that\b|\bno-brainer\b"
    r"|\b(?:plain|easy) to see\b|\bwriting (?:was|is) on the wall\b|\bsaw (?:this|it) coming\b"
    r"|\bsh(?:ould|ouldn['’]t) have come as (?:a|no) surprise\b",
    re.I,
)


# A sentence that sets "now" against "at the time" is marking hindsight, which is good practice.
_THEN = re.compile(r"\b(?:at the time|in the moment|back then|during the incident)\b", re.I)
_NOW = re.compile(r"\b(?:now|hindsight|retrospect|after the fact|afterwards|later)\b", re.I)


def _find(text: str, ctx: SentenceContext, people: People) -> Iterator[Span]:
    if _THEN.search(text) and _NOW.search(text):
        return
    for m in _HINDSIGHT.finditer(text):
        yield m.start(), m.end()


RULE = Rule(
    id="hindsight",
    category="hindsight",
    severity="hindsight",
    description="Hindsight bias: obviously, clearly, 'the warning signs were all there'.",
    message=(
        "What is obvious after the outcome was rarely obvious during the incident; this "
        "wording hides why it was not."
    ),
    suggestion=(
        "What did the signals look like at the time, among everything else that was "
        "happening, and what made them hard to read?"
    ),
    find=_find,
    triggers=(
        "obvious",
        "clearly",
        "signs",
        "flags",
        "signals",
        "predict",
        "foresee",
        "inevitab",
        "bound",
        "waiting",
        "seen",
        "known",
        "foreseen",
        "anticipat",
        "realis",
        "realiz",
        "should",
        "course",
        "plain",
        "evident",
        "apparent",
        "no-brainer",
        "easy",
        "writing",
        "coming",
        "surprise",
    ),
)
