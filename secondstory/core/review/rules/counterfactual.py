"""counterfactual: a person should/could have, failed to, neglected to, "if only they had".

Only a human subject counts: "the lock should have expired" is a design observation.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from secondstory.core.review.context import SentenceContext
from secondstory.core.review.ruler import Rule, Span
from secondstory.core.review.rules._words import PARTICIPLE, alternation, inflections
from secondstory.core.review.subjects import (
    People,
    is_human_phrase,
    is_human_subject,
    is_name,
    starts_with_human,
)

_MODAL_HAVE = re.compile(
    r"\b(?:should|could|must|ought to|might)(?:\s+not|n['’]t)?\s+(?:\w+ly\s+)?(?:have|['’]ve)\s+"
    + PARTICIPLE
    + r"|\b(?:should|could|must)['’]ve\s+"
    + PARTICIPLE
    + r"|\bwould(?:\s+not|n['’]t)?\s+have\s+(?:\w+ly\s+)?(?:caught|noticed|prevented|avoided|"
    r"spotted|seen|known|stopped)\b",
    re.I,
)
_FAILED_TO = re.compile(
    r"\b(?:"
    + alternation(inflections("fail", "neglect", "forget", "omit"))
    + r"|(?:didn['’]t|did not|never|not)\s+(?:bother|think|remember|manage|get\s+(?:round|around))"
    r"|never\s+(?:bothered|thought|remembered|managed|got\s+(?:round|around))|bothered)"
    r"\s+to\b"
    r"|\bfailed\s+in\s+(?:his|her|their|the|its)\s+(?:duty|job|responsibilit(?:y|ies))"
    r"|\b(?:missed|passed up|let slip)\s+(?:the|a|an|every|several)\s+(?:\w+\s+)?"
    r"(?:chance|opportunity|window)\s+to\b",
    re.I,
)
# A duty that was not done: "was supposed to rotate it but let it slip", "it was up to the DBA
# to verify the backup, and that never happened".
_DUTY = re.compile(
    r"\b(?:was|were)\s+(?:supposed|expected|meant|required|asked|told)\s+to\b"
    r"|\b(?:it\s+)?(?:was|were)\s+up\s+to\s+(?P<who>(?:[\w'’-]+\s+){1,3}?)to\b",
    re.I,
)
_UNDONE = re.compile(
    r"\b(?:but|and|yet)\b[^.;]{0,40}?\b(?:did\s+not|didn['’]t|never|not|let\s+it\s+slip|"
    r"forgot|failed)\b",
    re.I,
)
# "A quick look at the graphs by the on-call would have prevented …": a person's omitted act,
# named as a noun, as what would have saved the day.
_BY_WOULD = re.compile(
    r"\bby\s+(?P<who>(?:[\w'’-]+\s+){1,3}?)(?:\w+\s+){0,3}?(?:would|could|might)\s+have\s+"
    r"(?:\w+ly\s+)?(?:prevented|caught|avoided|stopped|saved|spotted|found|shown|revealed)\b",
    re.I,
)
_FAILURE_OF = re.compile(
    r"\b(?:([\w-]+)['’]s|his|her|their)\s+(?:\w+\s+)?(?:failure|refusal|inability|neglect|"
    r"unwillingness)\s+to\b",
    re.I,
)
_IF_ONLY = re.compile(r"\bif only\s+((?:[\w'’-]+\s+){1,4}?)had\b", re.I)
_HAD_CLAUSE = re.compile(
    r"(?:^|[,;]\s*)had\s+(?P<subj>(?:[\w'’-]+\s+){1,4}?)(?:only\s+|just\s+)?(?:not\s+)?"
    + PARTICIPLE
    + r"|\bif\s+(?P<subj2>(?:[\w'’-]+\s+){1,4}?)had\s+(?:only\s+|just\s+)?(?:not\s+)?"
    + PARTICIPLE
    # "… would have been avoided had the developer tested it" (the condition comes last).
    + r"|\bhave\s+(?:been\s+)?\w+(?:\s+[\w'’-]+){0,6}?\s+had\s+"
    r"(?P<subj3>(?:the|a|an|our|their|his|her|(?-i:[A-Z])[\w'’-]*)\s+(?:[\w'’-]+\s+){0,3}?)"
    r"(?:only\s+|just\s+)?(?:not\s+)?" + PARTICIPLE,
    re.I,
)
_AS_DESIGNED = re.compile(r"\s+as\s+(?:intended|designed|expected|configured|documented)\b", re.I)
_PASSIVE_NEXT = re.compile(r"\s+(?:\w+ly\s+)?" + PARTICIPLE)
_BY_AGENT = re.compile(r"(?:\s+[\w'’-]+){0,4}?\s+by\s+((?:[\w'’-]+\s*){1,3})", re.I)
_NEGATED = re.compile(r"^\w+(?:\s+not|n['’]t)\b")
_CONDITION = re.compile(r"\b(?:if|had|with|without|unless)\b", re.I)
_CONSEQUENCE = re.compile(r"\b(?:would|could|might)\b", re.I)


def _first_start(pattern: re.Pattern[str], text: str) -> int:
    m = pattern.search(text)
    return m.start() if m else len(text) + 1


def _last_start(pattern: re.Pattern[str], text: str) -> int:
    return max((m.start() for m in pattern.finditer(text)), default=-1)


def _find(text: str, ctx: SentenceContext, people: People) -> Iterator[Span]:
    # Where the first condition and the last consequence word are, found once per sentence
    # rather than searched again around every match.
    first_condition: int | None = None
    for m in _MODAL_HAVE.finditer(text):
        modal = m.group(0).lower()
        if modal.startswith("would"):
            if first_condition is None:
                first_condition = _first_start(_CONDITION, text)
            if first_condition < m.start():
                continue  # the consequence of a (design) condition, judged by that condition
        if modal.startswith(("could", "might")) and _NEGATED.match(modal):
            continue  # "could not have known" says the information was not available
        passive = _PASSIVE_NEXT.match(text, m.end()) if modal.endswith("been") else None
        if passive is not None:
            # "the on-call should have been paged": the person is not the actor, unless a
            # person is named after "by" ("should have been caught by the reviewer").
            agent = _BY_AGENT.match(text, passive.end())
            if agent and starts_with_human(agent.group(1), people):
                yield m.start(), agent.end()
            continue
        if is_human_subject(text, m.start(), people):
            yield m.start(), m.end()
    for m in _FAILED_TO.finditer(text):
        if is_human_subject(text, m.start(), people):
            yield m.start(), m.end()
    for m in _DUTY.finditer(text):
        who = m.group("who")
        human = is_human_phrase(who, people) if who else is_human_subject(text, m.start(), people)
        if human and _UNDONE.search(text, m.end(), m.end() + 160):
            yield m.start(), m.end()
    for m in _BY_WOULD.finditer(text):
        if starts_with_human(m.group("who"), people):
            yield m.start(), m.end()
    for m in _FAILURE_OF.finditer(text):
        owner = m.group(1)
        if owner is None or is_name(owner + "'s", people) or is_human_phrase(owner, people):
            yield m.start(), m.end()
    for m in _IF_ONLY.finditer(text):
        if is_human_phrase(m.group(1), people):
            yield m.start(), m.end()
    last_consequence: int | None = None
    for m in _HAD_CLAUSE.finditer(text):
        subject = m.group("subj3") or m.group("subj2") or m.group("subj") or ""
        if not (subject.strip() and is_human_phrase(subject, people)):
            continue
        if _AS_DESIGNED.match(text, m.end()):
            continue  # "had any of them performed as intended": how things work, not people
        if last_consequence is None:
            last_consequence = _last_start(_CONSEQUENCE, text)
        # "Had Tomasz checked, it would have …" and "It would have …, had Tomasz checked".
        if last_consequence >= 0:
            if m.group("subj3"):
                start = text.rfind("had", m.start(), m.start("subj3"))  # "…, had the developer"
            else:
                start = m.start() + len(m.group(0)) - len(m.group(0).lstrip(",; "))
            yield start, m.end()


RULE = Rule(
    id="counterfactual",
    category="counterfactual",
    severity="blame",
    description="A person should/could have, failed to, neglected to, 'if only they had'.",
    message=(
        "Counterfactuals about what a person should have done judge them against knowledge "
        "they did not have at the time."
    ),
    suggestion=(
        "What did they know and see at that moment, and what made the action they took "
        "look reasonable?"
    ),
    find=_find,
    triggers=(
        "have",
        "'ve",
        "’ve",
        "failed",
        "fails to",
        "fail to",
        "failing to",
        "neglect",
        "forg",
        "omit",
        "bother",
        "failure",
        "refusal",
        "inability",
        "unwillingness",
        "if",
        "had",
        "supposed to",
        "expected to",
        "meant to",
        "required to",
        "asked to",
        "told to",
        "up to",
        "chance to",
        "opportunity to",
        "window to",
        "think to",
        "thought to",
        "remember to",
        "remembered to",
        "manage to",
        "managed to",
        "round to",
        "around to",
    ),
)
