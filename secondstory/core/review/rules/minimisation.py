"""minimisation: "just had to", "simply forgot", "all they had to do"."""

from __future__ import annotations

import re
from collections.abc import Iterator

from secondstory.core.review.context import SentenceContext
from secondstory.core.review.ruler import Rule, Span
from secondstory.core.review.subjects import People, is_human_subject, subject_before

_MINIMISING = re.compile(
    r"\b(?:just|simply|merely)\s+(?:had|needed|has|needs|have|need)\s+to\b"
    r"|\b(?:simply|just|merely)\s+(?:forgot|forgets|missed|didn['’]t|did not|neglected|failed|"
    r"ignored|overlooked|skipped|had to|needed to|should have|could have|wasn['’]t|never)\b"
    r"|\ball (?:[\w'’-]+\s+){1,4}?(?:had|needed|has|needs|have|need) to do\b"
    r"|\b(?:would|could) (?:only|just) have taken\b|\bonly (?:would have|have|had) taken\b"
    r"|\b(?:a|just a) (?:simple|trivial|small) matter of\b|\bit (?:was|is) that (?:simple|easy)\b"
    r"|\ball it (?:took|would have taken|takes) (?:was|is)\b"
    r"|\b(?:should|could|would) have (?:just|simply)\s+\w+"
    r"|\b(?:it(?:['’]s| is| was)|this (?:is|was)) (?:not|hardly) rocket science\b"
    r"|\b(?:a|an|the)\s+(?:simple|trivial|basic|easy|elementary|tiny|small)\s+"
    r"(?:mistake|oversight|slip|error|step (?:they|he|she|we) (?:missed|skipped|forgot))\b"
    r"|\b(?:it|this) was as (?:simple|easy) as\b|\b(?:trivially|easily) avoid(?:ed|able)\b",
    re.I,
)


_ONLY = re.compile(
    r"\bonly (?:needed|had|has|needs|have|need) to\b"
    r"|\b(?:simply|merely) (?:\w+ed|ran|made|took|put|set|left|forgot|wrote|chose)\b",
    re.I,
)


def _find(text: str, ctx: SentenceContext, people: People) -> Iterator[Span]:
    for m in _MINIMISING.finditer(text):
        yield m.start(), m.end()
    for m in _ONLY.finditer(text):
        subject = subject_before(text, m.start()).strip().lower()
        if subject not in {"we", "i"} and is_human_subject(text, m.start(), people):
            yield m.start(), m.end()


RULE = Rule(
    id="minimisation",
    category="minimisation",
    severity="tone",
    description="Minimising language: 'just had to', 'simply forgot', 'all they had to do'.",
    message=(
        "'Just' and 'simply' make the work look trivial after the fact and hide what made it "
        "hard in the moment."
    ),
    suggestion=(
        "What did this step actually involve at the time (load, competing tasks, missing "
        "cues), and how could the system make it easier?"
    ),
    find=_find,
    triggers=(
        "just",
        "simply",
        "merely",
        "all",
        "only",
        "rocket",
        "simple",
        "trivial",
        "basic",
        "easy",
        "elementary",
        "tiny",
        "small",
        "avoid",
    ),
)
