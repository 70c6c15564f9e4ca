"""procedure-violation: a person ignored / bypassed / did not follow the runbook."""

from __future__ import annotations

import re
from collections.abc import Iterator

from secondstory.core.review.context import SentenceContext
from secondstory.core.review.ruler import Rule, Span
from secondstory.core.review.subjects import People, is_human_phrase, is_human_subject

_VIOLATION = re.compile(
    r"\b(?:ignored|ignores|neglected|neglects|bypassed|bypasses|skipped|skips|circumvented|circumvents|"
    r"(?P<base>ignore|bypass|skip|circumvent|disregard|override|violate)|"
    r"disregarded|disregards|overrode|overrides|violated|violates|deviated from|went around|"
    r"worked around|chose to ignore|decided to ignore|chose to skip|decided to skip|"
    r"(?:did not|didn['’]t|failed to|neglected to|refused to|never) (?:follow|read|check|"
    r"consult|use|run|respect|obey|heed|adhere to|comply with|stick to|wait for)|"
    r"(?:was|were) not following)\s+"
    r"(?:the |our |a |an |this |that |his |her |their |all |every |any |both |clear |"
    r"explicit |documented |written |established |standard |required |mandatory |existing )*"
    r"(?:[\w-]+\s+){0,2}?(?:runbooks?|playbooks?|procedures?|process(?:es)?|checklists?|"
    r"polic(?:y|ies)|protocols?|guidance|guidelines?|instructions?|rules?|steps?|warnings?|"
    r"alerts?|alarms?|pages?|reviews?|approvals?|freeze|checks?|gates?|standards?|"
    r"documentation|docs|sop|advice|sign-?off|escalation path|ci|tests?|pipeline|canary|"
    r"controls?|safeguards?|guardrails?|two-person rule|peer review|code review|staging)\b",
    re.I,
)


_REASON = re.compile(r"\b(?:because|since|as the|as it|given that|so that)\b", re.I)
_MODAL_BEFORE = re.compile(
    r"\b(?:can|could|may|might|must|should|shall|will|would|to|cannot|not|n['’]t|never|"
    r"able|allowed)\s+(?:\w+ly\s+)?$"
    r"|\b(?:lets?|allow(?:s|ed)?|enables?|permits?|makes?|forces?)\s+(?:[\w-]+\s+){0,2}$",
    re.I,
)
_NOT_FOLLOWED = re.compile(
    r"\b(?:runbook|playbook|procedure|process|checklist|policy|protocol|guidance|guidelines?|"
    r"instructions|rules|steps)s?\s+(?:was|were|had been|has been)\s+(?:not|never)\s+"
    r"(?:followed|respected|obeyed|adhered to|consulted)"
    r"(?:\s+by\s+(?P<agent>(?:[\w'’-]+\s*){1,3}))?",
    re.I,
)


# How far before a verb a modal ("engineers can bypass") is looked for: a bounded window, so
# that a sentence with many matches is not searched from its start for each of them.
_MODAL_WINDOW = 200


def _find(text: str, ctx: SentenceContext, people: People) -> Iterator[Span]:
    last_reason: int | None = None
    for m in _VIOLATION.finditer(text):
        if last_reason is None:
            last_reason = max((r.start() for r in _REASON.finditer(text)), default=-1)
        if last_reason >= m.end():
            continue  # the sentence already tells the second story: why it made sense
        window_start = max(0, m.start() - _MODAL_WINDOW)
        if m.group("base") and _MODAL_BEFORE.search(text, window_start, m.start()):
            continue  # "engineers can bypass the check" describes the system
        if is_human_subject(text, m.start(), people):
            yield m.start(), m.end()
    for m in _NOT_FOLLOWED.finditer(text):
        agent = m.group("agent")
        if agent is None or is_human_phrase(agent, people):
            yield m.start(), m.end()


RULE = Rule(
    id="procedure-violation",
    category="procedure-violation",
    severity="blame",
    description="A person ignored, bypassed or did not follow the procedure, as the explanation.",
    message=(
        "'Did not follow the procedure' explains nothing until we know why the procedure did "
        "not fit the situation as it looked at the time."
    ),
    suggestion=(
        "What made the documented path hard, slow or unclear in that moment, and what made "
        "the alternative look reasonable?"
    ),
    find=_find,
    triggers=(
        "neglect",
        "ignor",
        "bypass",
        "skip",
        "circumvent",
        "disregard",
        "overr",
        "violat",
        "deviat",
        "around",
        "not",
        "n't",
        "n’t",
        "never",
        "failed",
        "neglected",
        "refused",
    ),
)
