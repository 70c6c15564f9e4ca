"""hindsight: obviously, clearly, "the warning signs were all there", "predictable"."""

from __future__ import annotations

import re
from collections.abc import Iterator

from secondstory.core.review.context import SentenceContext
from secondstory.core.review.ruler import Rule, Span
from secondstory.core.review.subjects import People

_HINDSIGHT = re.compile(
    r"(?<![Nn]ot )(?<![Nn]on-)(?<!n['’]t )(?<!\bno )(?<!\bnot so )(?<!\bmore )(?<!\bless )"
    r"(?<!\bmost )(?<!\bleast )\bobvious(?:ly)?\b"
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
    r"|\bsh(?:ould|ouldn['’]t) have come as (?:a|no) surprise\b"
    # The answer was in plain sight: "it was plain from the dashboard", "staring them in the
    # face", "stood out a mile", "the warning was right there … yet".
    r"|\b(?:was|were|is|are|seemed|looked)\s+(?:\w+ly\s+)?(?:self-evident|unmistakable|"
    r"glaring|blatant|crystal[- ]clear|plain as day|there for (?:all|anyone|everyone) to see)"
    r"|\bit\s+(?:was|is|should have been)\s+(?:plain|evident|apparent|clear)\s+(?:from|on|in)\s+"
    r"(?:the|a|our)\b"
    r"|\bstar(?:ing|ed)\s+(?:them|him|her|us|you|everyone|the team|the \w+)\s+in\s+the\s+face\b"
    r"|\bst(?:ood|ands?)\s+out\s+(?:a\s+mile|like\s+a\s+sore\s+thumb)"
    r"|\bright\s+there\b[^.;]{0,60}?\b(?:yet|but)\b"
    r"|\b(?:clues|signs|warnings|signals|evidence|symptoms|indicators|red flags)\s+(?:were|was|had"
    r" been)\s+(?:all\s+)?there\b"
    r"|\bwriting\s+(?:had\s+been|has\s+been|was|is)\s+on\s+the\s+wall\b"
    r"|\b(?:need(?:ed)?|take|took|takes)\s+a\s+crystal\s+ball\b"
    r"|\b(?:was|is)\s+(?:always\s+)?going\s+to\s+(?:end|happen|fail|break|go wrong)\b"
    r"|\b(?:every(?:one|body)|any(?:one|body)|we\s+all|they\s+all)\s+(?:knew|could\s+(?:tell|see)|"
    r"saw)\b"
    r"|\bany\s+(?:competent|reasonable|experienced|decent|good|half-decent|careful|sensible)\s+"
    r"(?:[\w-]+\s+)?(?:would|could|should)\s+have\b"
    r"|\bunsurprisingly\b|\bneedless\s+to\s+say\b"
    r"|\b(?:entirely|completely|totally|wholly|perfectly|easily)\s+(?:foreseeable|predictable|"
    r"avoidable|preventable)\b"
    r"|\ban?\s+(?:accident|outage|incident)\s+waiting\s+to\s+happen\b",
    re.I,
)
# Words that make a hindsight word neutral when they come shortly before it in its clause:
# "not seeing anything obviously wrong", "nothing obvious found", "far from obvious".
_NEGATION = re.compile(
    r"\b(?:not|no|nothing|none|never|nobody|neither|nor|without|hardly|barely|anything|"
    r"far from|less than|wasn['’]t|weren['’]t|isn['’]t|didn['’]t|couldn['’]t)\b[^,;.]{0,30}$"
    r"|n['’]t\s+[^,;.]{0,30}$",
    re.I,
)
_NEGATABLE = re.compile(
    r"obvious|clear|predict|foresee|evident|apparent|plain|inevitab|surpris", re.I
)


# A sentence that sets "now" against "at the time" is marking hindsight, which is good practice.
_THEN = re.compile(r"\b(?:at the time|in the moment|back then|during the incident)\b", re.I)
_NOW = re.compile(r"\b(?:now|hindsight|retrospect|after the fact|afterwards|later)\b", re.I)


def _find(text: str, ctx: SentenceContext, people: People) -> Iterator[Span]:
    if _THEN.search(text) and _NOW.search(text):
        return
    for m in _HINDSIGHT.finditer(text):
        negatable = _NEGATABLE.search(m.group(0)) is not None
        if negatable and _NEGATION.search(text, max(0, m.start() - 40), m.start()):
            continue
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
        "should have been",
        "have seen",
        "have known",
        "have foreseen",
        "obvious",
        "clearly",
        "signs",
        "flags",
        "signals",
        "clues",
        "warnings",
        "evidence",
        "symptoms",
        "indicators",
        "predict",
        "foresee",
        "inevitab",
        "bound to",
        "waiting to",
        "should have seen",
        "should have known",
        "should have foreseen",
        "have anticipated",
        "have realis",
        "have realiz",
        "have predicted",
        "have noticed",
        "have spotted",
        "of course",
        "plain",
        "evident",
        "apparent",
        "no-brainer",
        "easy to see",
        "on the wall",
        "saw this coming",
        "saw it coming",
        "come as",
        "self-evident",
        "unmistakable",
        "glaring",
        "blatant",
        "crystal",
        "right there",
        "staring",
        "stared",
        "stood out",
        "stands out",
        "stand out",
        "going to",
        "knew",
        "could tell",
        "could see",
        "everyone saw",
        "everybody saw",
        "anyone saw",
        "they all saw",
        "we all saw",
        "any competent",
        "any reasonable",
        "any experienced",
        "any decent",
        "any good",
        "any half-decent",
        "any careful",
        "any sensible",
        "any engineer",
        "anyone could",
        "anybody could",
        "anyone would",
        "anybody would",
        "anyone should",
        "everyone could",
        "everyone should",
        "unsurprising",
        "needless",
        "foreseeable",
        "avoidable",
        "preventable",
    ),
)
