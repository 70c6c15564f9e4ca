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


# How little it would have taken: "a moment's check would have caught", "a one-line fix",
# "it would have taken seconds", "nothing more than a restart was needed".
_LITTLE = (
    r"(?:a|one|just\s+a|only\s+a|a\s+single|a\s+simple|a\s+quick|a\s+basic|a\s+brief|a\s+cursory|"
    r"a\s+(?:moment|second|minute)['’]s|"
    r"an?\s+(?:one|two|five|ten|thirty|few)[- ](?:second|minute|line)"
    r"|a\s+single\s+line\s+of)"
)
_EFFORT = (
    r"(?:\s+(?:[\w-]+\s+)?(?:look|glance|check|test|query|command|restart|review|read|thought|"
    r"sanity\s+check|flag|line|click|job|step|question|grep|ping|call|peek))"
)
_SMALL_EFFORT = re.compile(
    r"\b" + _LITTLE + _EFFORT + r"\b(?:\s+[\w'’-]+){0,6}?\s+(?:would|could|might)\s+have\s+"
    r"(?:\w+ly\s+)?(?:caught|prevented|avoided|stopped|saved|shown|revealed|spotted|found|"
    r"been\s+enough|sufficed|done)\b"
    r"|\b(?:could|might)\s+have\s+been\s+(?:avoided|prevented|caught|stopped)\s+(?:with|by)\s+"
    + _LITTLE
    + r"\b"
    r"|\bwould\s+have\s+taken\s+(?:[\w-]+\s+){0,2}?(?:seconds|a\s+second|a\s+moment|moments|"
    r"no\s+time)\b"
    r"|\bwould\s+have\s+taken\s+(?:him|her|them|us|me|you|the\s+(?:on-?call|engineer|reviewer|"
    r"operator|team|developer|dba|sre)|(?-i:[A-Z])\w+)\s+(?:only\s+|just\s+)?(?:a\s+minute|"
    r"minutes|a\s+few\s+minutes)\b"
    r"|\b(?:required|needed|took|takes|requires|needs)\s+nothing\s+(?:but|more\s+than)\b"
    r"|\bnothing\s+more\s+than\b[^.;]{0,60}?\b(?:was|were|is|would\s+have\s+been)\s+"
    r"(?:needed|required|necessary)\b"
    r"|\ball\s+(?:that\s+)?(?:[\w'’-]+\s+){1,4}?(?:was|were)\s+(?:required|supposed|asked|expected)"
    r"\s+to\s+do\b"
    r"|\b(?:was|is|would\s+have\s+been)\s+(?:as\s+)?(?:easy|simple)\s+as\b"
    r"|\b(?:catching|preventing|avoiding|spotting|noticing|fixing|stopping|finding)\s+"
    r"(?:this|it|that|the\s+\w+)\s+(?:was|would\s+have\s+been|is)\s+(?:\w+\s+)?"
    r"(?:elementary|trivial|easy|simple|straightforward|child['’]s\s+play)\b"
    r"|\b(?:simply|just|merely)\s+\w+ing\b[^.;]{0,60}?\bwould\s+have\s+(?:been\s+enough|"
    r"sufficed|done)\b"
    r"|\b(?:a|an|one|the)\s+(?:simple|trivial|basic|easy|elementary|tiny|small|minor|little)\s+"
    r"(?:mistake|oversight|slip|error|thing\s+to\s+(?:check|do|fix|test))\b"
    r"|\b(?:boiled|boils|came|comes)\s+down\s+to\s+(?:a|an|one)\s+(?:easy|simple|trivial|"
    r"silly|small|tiny)\b",
    re.I,
)
# Cheap tests that keep the long patterns below off most sentences.
_EFFORT_HINT = re.compile(
    r"have|nothing|to do|as easy|as simple|elementary|trivial|easy|simple|straightforward|"
    r"child|down to|mistake|oversight|slip|error|thing to"
)
_FIX_HINT = re.compile(r"one[- ]line|minute|fix (?:was|is)|one (?:command|line|flag|click|step)")
# Small-fix words that minimise only when the sentence also says it was not done or missed.
_TRIVIAL_FIX = re.compile(
    r"\b(?:a\s+)?one[- ]line(?:r|\s+(?:fix|change|patch))\b|\b(?:a\s+)?(?:two|five|ten)[- ]minute"
    r"\s+(?:job|fix|task)\b|\b(?:the\s+)?fix\s+(?:was|is)\s+(?:trivial|simple|easy|obvious)\b"
    r"|\b(?:just|only)\s+one\s+(?:command|line|flag|click|step)\b",
    re.I,
)
_NOT_DONE = re.compile(
    r"\b(?:yet|but|still|missed|nobody|no\s+one|never|not|n['’]t|forgot|ignored|somehow|"
    r"sitting|for\s+(?:days|weeks|months|years)|avoid\w*|prevent\w*|caught|stopped)\b",
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
    lowered = text.lower()
    if _EFFORT_HINT.search(lowered):
        for m in _SMALL_EFFORT.finditer(text):
            yield m.start(), m.end()
    if _FIX_HINT.search(lowered) and _NOT_DONE.search(text):
        for m in _TRIVIAL_FIX.finditer(text):
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
        "to do",
        "just",
        "simply",
        "merely",
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
        "quick",
        "single",
        "cursory",
        "brief",
        "moment",
        "-second",
        "-minute",
        "one-line",
        "straightforward",
        "nothing",
        "minor",
        "little",
        "all it",
        "all that",
        "all the",
        "all he",
        "all she",
        "all they",
        "all we",
        "all you",
        "would have taken",
        "required to do",
        "supposed to do",
        "asked to do",
        "expected to do",
        "child's play",
        "child’s play",
        "boiled down",
        "boils down",
        "came down to",
        "comes down to",
        "fix was",
        "fix is",
        "one line",
        "one command",
        "one flag",
        "one click",
        "one step",
        "minute job",
        "minute fix",
        "minute task",
        "a second",
        "a minute",
        "seconds",
    ),
)
