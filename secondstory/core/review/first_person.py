"""The review profile for first-person accounts: gentle with the author, as strict as ever
about everybody else.

An account is written in the first person on purpose: "I restarted the service because the
queue kept growing" is the local rationality a review wants, not blame, and raises nothing.
When authors turn the usual blame on themselves ("I should have checked", "my mistake",
"I was careless"), the finding becomes one kind ``self-blame`` note (severity ``info``) that
invites them to describe what they knew then, instead of a blame finding. A sentence that
blames someone else ("Dana should have paged me") keeps the normal finding.

Example:
    >>> [f.rule for f in review_account("I should have checked the canary first.")]
    ['self-blame']
    >>> [f.rule for f in review_account("Dana should have paged me sooner.")]
    ['counterfactual']
    >>> review_account("I rolled back because the error rate doubled after the deploy.")
    []
"""

from __future__ import annotations

import dataclasses
import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator

from secondstory.core.review import Finding, ReviewConfig, review
from secondstory.core.review.segment import sentences
from secondstory.core.review.subjects import subject_before

SELF_BLAME = "self-blame"
MESSAGE = (
    "You are being hard on yourself here. With hindsight the path looks obvious; at the time "
    "it was not, and your account is most useful when it tells what the moment looked like "
    "from where you stood."
)
SUGGESTION = (
    "What did you know and see at that moment, and what made the step you took look like "
    "the right one then?"
)

_FIRST_PERSON = frozenset(
    {
        "i",
        "i'm",
        "i've",
        "i'd",
        "i'll",
        "me",
        "my",
        "myself",
        "mine",
        "we",
        "we'd",
        "we've",
        "we're",
        "we'll",
        "us",
        "our",
        "ourselves",
    }
)
# Words between the subject and the flagged words that do not change who the subject is.
_FILLER = frozenset(
    {
        "was",
        "were",
        "am",
        "are",
        "been",
        "being",
        "so",
        "very",
        "too",
        "quite",
        "really",
        "just",
        "simply",
        "then",
        "also",
        "probably",
        "honestly",
        "frankly",
        "maybe",
        "totally",
        "completely",
        "a",
        "bit",
        "little",
        "own",
        "guess",
        "think",
        "feel",
        "felt",
        "that",
        "and",
        "but",
        "still",
        "clearly",
        "obviously",
        "definitely",
        "certainly",
        "should",
        "could",
        "must",
        "have",
        "had",
        "it",
        "is",
        "kind",
        "of",
        "sort",
        "pretty",
        "all",
    }
)
# The opening of a sentence that holds its subject (as in ``subjects``): bounded work.
_OPENING = 300
_LEADS = frozenset({"if", "only", "had", "by"})
_WORD = re.compile(r"[\w'’]+")
# Self-blame the blame rules have no reason to know: they need a subject other than oneself.
_SELF_BLAME = re.compile(
    r"\b(?:(?:my|our)\s+(?:own\s+)?(?:mistake|fault|bad|error|screw-?up|blunder|oversight|"
    r"stupidity|carelessness)"
    r"|(?:I|we)\s+(?:totally\s+|really\s+|completely\s+)?(?:messed|screwed|stuffed|mucked)\s+"
    r"(?:it\s+|this\s+|things\s+)?up"
    r"|(?:I|we)\s+blew\s+it"
    r"|(?:I|we)\s+(?:blame|blamed)\s+(?:myself|ourselves)"
    r"|(?:I|we)\s+(?:let\s+(?:everyone|everybody|the\s+team|you\s+all|people)\s+down)"
    r"|(?:I'?m|I\s+am|I\s+was|we\s+were|we'?re|we\s+are)\s+(?:the\s+one\s+)?to\s+blame"
    r"|(?:it|that|this)(?:\s+one)?(?:\s+(?:is|was)|['’]s)\s+(?:all\s+)?on\s+(?:me|us)\b"
    r"|(?:I|we)\s+(?:feel|felt)\s+(?:so\s+|really\s+|very\s+)?(?:stupid|dumb|terrible|awful|"
    r"guilty|ashamed|useless|incompetent|like\s+an?\s+idiot)"
    r"|(?:I|we)\s+(?:was|were|am|are|'m|'re)\s+(?:so\s+|really\s+|such\s+)?(?:an?\s+)?"
    r"(?:idiot|idiots|fool|fools|stupid|dumb))",
    re.I,
)


def _words(text: str) -> list[str]:
    return [w.lower().replace("’", "'") for w in _WORD.findall(text)]


def about_oneself(sentence: str, start: int, end: int) -> bool:
    """Whether the words at ``start:end`` of ``sentence`` are said of the author (I or we).

    The clause before them decides: its last word that is not a filler (a copula, an
    adverb, a modal) must be a first-person pronoun; the flagged words themselves may start
    with one ("my mistake").

    >>> about_oneself("I was careless with the flag.", 6, 15)
    True
    >>> about_oneself("My colleague was careless.", 17, 25)
    False
    """
    flagged = [w for w in _words(sentence[start:end]) if w not in _FILLER and w not in _LEADS]
    if flagged and flagged[0] in _FIRST_PERSON:
        return True  # "my mistake", "if only I had"
    clause = [w for w in _words(subject_before(sentence, start)) if w not in _FILLER]
    if not clause:
        # "… and should have known": the sentence's subject is its first word.
        clause = [w for w in _words(sentence[: min(start, _OPENING)]) if w not in _FILLER][:1]
    return bool(clause) and clause[-1] in _FIRST_PERSON


def _gentle(finding: Finding) -> Finding:
    return dataclasses.replace(
        finding,
        rule=SELF_BLAME,
        category=SELF_BLAME,
        severity="info",
        message=MESSAGE,
        suggestion=SUGGESTION,
        also=(),
        reasons=(),
    )


def _sentence_spans(text: str) -> Iterator[tuple[int, str]]:
    for sentence in sentences(text):
        yield sentence.start, text[sentence.start : sentence.start + len(sentence.text)]


def _own_findings(text: str, taken: list[Finding]) -> Iterator[Finding]:
    """Self-blame phrases no blame rule flags, outside the spans already flagged."""
    line_starts = [0, *(i + 1 for i, ch in enumerate(text) if ch == "\n")]
    # Both the flagged spans and the matches come in text order: one walk finds overlaps.
    spans = sorted((f.start, f.end) for f in taken)
    index, reach = 0, -1
    for offset, sentence in _sentence_spans(text):
        for m in _SELF_BLAME.finditer(sentence):
            start, end = offset + m.start(), offset + m.end()
            while index < len(spans) and spans[index][0] < end:
                reach = max(reach, spans[index][1])
                index += 1
            if reach > start:
                continue  # words another rule flagged, already turned into a note
            line, col = _position(line_starts, start)
            end_line, end_col = _position(line_starts, end)
            yield Finding(
                SELF_BLAME,
                SELF_BLAME,
                "info",
                start,
                end,
                line,
                col,
                end_line,
                end_col,
                sentence,
                MESSAGE,
                SUGGESTION,
            )


def _position(line_starts: list[int], offset: int) -> tuple[int, int]:
    line = bisect_right(line_starts, offset) - 1
    return line + 1, offset - line_starts[line] + 1


def review_account(
    text: str,
    *,
    names: Iterable[str] = (),
    config: ReviewConfig | None = None,
) -> list[Finding]:
    """Review one answer of a first-person account (Markdown), gently.

    The findings of the usual engine are kept, except those said of the author, which become
    one ``self-blame`` note each; self-blame phrases the engine does not know are added.
    """
    findings: list[Finding] = []
    for finding in review(text, names=names, config=config):
        local = finding.start - _sentence_start(text, finding)
        span = finding.end - finding.start
        if about_oneself(finding.sentence, local, local + span):
            findings.append(_gentle(finding))
        else:
            findings.append(finding)
    findings.extend(_own_findings(text, findings))
    return sorted(findings, key=lambda f: (f.start, f.end))


def _sentence_start(text: str, finding: Finding) -> int:
    """Where the finding's sentence starts in ``text`` (the nearest one before its words)."""
    found = text.rfind(finding.sentence, 0, finding.start + len(finding.sentence))
    while found > finding.start:
        found = text.rfind(finding.sentence, 0, found)
    return max(found, 0)
