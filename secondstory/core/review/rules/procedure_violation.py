"""procedure-violation: a person ignored / bypassed / did not follow the runbook."""

from __future__ import annotations

import re
from collections.abc import Iterator

from secondstory.core.review.context import SentenceContext
from secondstory.core.review.ruler import Rule, Span
from secondstory.core.review.rules._words import alternation, inflections
from secondstory.core.review.subjects import (
    People,
    is_human_phrase,
    is_human_subject,
    sentence_subject_is_human,
)

# The rules, checks and steps a person can be said to have broken.
_POLICY = (
    r"(?:runbooks?|playbooks?|procedures?|process(?:es)?|checklists?|"
    r"polic(?:y|ies)|protocols?|guidance|guidelines?|instructions?|rules?|steps?|warnings?|"
    r"alerts?|alarms?|pages?|reviews?|approvals?|freeze|checks?|gates?|standards?|"
    r"documentation|docs|sop|advice|sign-?off|escalation path|ci|tests?|pipeline|canary|"
    r"controls?|safeguards?|guardrails?|two-person rule|peer review|code review|staging|"
    r"change management|change request|change control|stages?|requirements?)"
)
_DETERMINERS = (
    r"(?:the |our |a |an |this |that |his |her |their |all |every |any |both |clear |"
    r"explicit |documented |written |established |standard |required |mandatory |existing |"
    r"usual |normal |agreed |prescribed |necessary |needed |proper |formal |prior )*"
)
# Verbs of going around a rule, every inflection.
_AROUND = alternation(
    [
        *inflections(
            "ignore",
            "bypass",
            "skip",
            "circumvent",
            "sidestep",
            "disregard",
            "override",
            "overrule",
            "violate",
            "breach",
            "flout",
            "contravene",
            "evade",
            "dodge",
            "skirt",
            "defy",
            "shortcut",
            "short-circuit",
            "neglect",
            "deviate from",
            "depart from",
            "work around",
            "go around",
            "get around",
        ),
        "chose to ignore",
        "decided to ignore",
        "chose to skip",
        "decided to skip",
    ]
)
_BASES = (
    r"ignore|bypass|skip|circumvent|sidestep|disregard|override|overrule|violate|breach|flout|"
    r"contravene|evade|dodge|skirt|defy|shortcut|short-circuit|neglect|deviate from|"
    r"depart from|work around|go around|get around"
)
_VIOLATION = re.compile(
    r"\b(?:(?P<base>(?:" + _BASES + r"))\b|" + _AROUND + r"|"
    r"(?:did not|didn['’]t|failed to|neglected to|refused to|never|(?:chose|decided|opted|elected)"
    r" not to|did not bother to|didn['’]t bother to|never bothered to) (?:follow|read|check|"
    r"consult|use|run|respect|obey|heed|adhere to|comply with|stick to|wait for|go through|"
    r"get|obtain|request|seek)|"
    r"(?:did not|didn['’]t|never) bother(?:ed)? with|"
    r"(?:was|were) not following)\s+" + _DETERMINERS + r"(?:[\w-]+\s+){0,2}?" + _POLICY + r"\b",
    re.I,
)
# Named as a noun: "non-compliance with the release process", "in breach of the change policy",
# "against explicit guidance", "without the required approval".
_NOMINAL = re.compile(
    r"\b(?:(?:non-?compliance|noncompliance)\s+with|"
    r"failure to (?:follow|comply with|adhere to|observe)|"
    r"disregard (?:for|of)|violation of|breach of|deviation from|departure from|"
    r"circumvention of|contrary to|in defiance of)\s+"
    + _DETERMINERS
    + r"(?:[\w-]+\s+){0,2}?"
    + _POLICY
    + r"\b",
    re.I,
)
_NOMINAL_HINT = re.compile(
    r"complian|failure to|disregard|violation|breach|deviation|departure|"
    r"circumvention|contrary|defiance"
)
_AGAINST = re.compile(
    r"\bagainst\s+(?:explicit |clear |written |documented |our |the |company |established |"
    r"standing |team )*(?:polic(?:y|ies)|guidance|advice|instructions|the\s+runbook|procedure|"
    r"protocol|the\s+rules|rules)\b",
    re.I,
)
# "validated against the policy" is a check, not a breach.
_CHECKED = re.compile(
    r"\b(?:check|validat|test|compar|measur|evaluat|match|audit|review|verif|lint|enforc|"
    r"protect|guard|defen|insur|hedg|appl|weigh|scor|benchmark)\w*\s+(?:[\w-]+\s+){0,3}$",
    re.I,
)
_WITHOUT = re.compile(
    r"\bwithout\s+(?:(?:following|using|waiting\s+for|getting|obtaining|going\s+through|"
    r"consulting|requesting|asking\s+for|seeking)\s+"
    + _DETERMINERS
    + r"(?:[\w-]+\s+){0,2}?"
    + _POLICY
    + r"|(?:the\s+|a\s+|any\s+)?(?:required|mandatory|necessary|needed|prior|formal|usual|"
    r"documented)\s+(?:[\w-]+\s+)?(?:approvals?|sign-?offs?|reviews?|change\s+requests?|"
    r"tickets?|checks?|tests?))\b",
    re.I,
)


# Fragments of which every word of _POLICY contains one.
_POLICY_HINTS = (
    "runbook", "playbook", "procedure", "process", "checklist", "polic", "protocol", "guid",
    "instruction", "rule", "step", "warning", "alert", "alarm", "page", "review", "approval",
    "freeze", "check", "gate", "standard", "doc", "sop", "advice", "sign", "escalation", "ci",
    "test", "pipeline", "canar", "control", "safeguard", "guardrail", "staging", "change",
    "stage", "requirement", "ticket",
)  # fmt: skip
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
    lowered = text.lower()
    # Every pattern below ends in a rule, a check or a step: without one, nothing can match.
    if not any(word in lowered for word in _POLICY_HINTS):
        return
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
    if _NOMINAL_HINT.search(lowered):
        for m in _NOMINAL.finditer(text):
            yield m.start(), m.end()
    if "against" in lowered:
        for m in _AGAINST.finditer(text):
            if not _CHECKED.search(text, max(0, m.start() - 60), m.start()):
                yield m.start(), m.end()
    if "without" in lowered:
        for m in _WITHOUT.finditer(text):
            if is_human_subject(text, m.start(), people) or sentence_subject_is_human(text, people):
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
        "refused",
        "sidestep",
        "breach",
        "flout",
        "contraven",
        "evad",
        "dodg",
        "skirt",
        "defied",
        "defy",
        "defies",
        "defying",
        "defiance",
        "shortcut",
        "short-circuit",
        "depart",
        "bother",
        "compliance",
        "contrary",
        "against",
        "without",
    ),
)
