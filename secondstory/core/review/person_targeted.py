"""Whether an action item aims at people (retrain, remind, be careful) rather than the system.

An item that asks people to try harder — retrain someone, remind everyone, tell someone to be
careful, have the team re-read the guidelines, discipline — leaves the conditions that made the
mistake easy exactly as they were. An item that changes the system — a check, an alert,
automation, a runbook or a document, a game day, a model — does not.

Borderline, decided here: changing a document ("update the onboarding docs to cover X") is
systemic; telling people to read it is not. Training a model or a classifier is systemic.
Changing a rotation or staffing ("add a third person to the rotation") is systemic.

Example:
    >>> targets_people("Remind everyone to double-check the cluster before deploying")
    True
    >>> targets_people("Add a pre-deploy check that the cluster matches the branch")
    False
    >>> targets_people("Train the anomaly model on last quarter's traffic")
    False
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from secondstory.core.review.vocabulary import FIRST_NAMES, NOT_NAMES, PRONOUNS, ROLES

__all__ = ["PEOPLE_PATTERN", "people_spans", "targets_people"]

# Who an item can be aimed at.
_WHO = (
    r"(?:every(?:one|body)|all\s+(?:staff|engineers|developers|operators|hands)|"
    r"(?:the\s+|all\s+|our\s+|new\s+|junior\s+|senior\s+){0,3}"
    r"(?:on-?call(?:\s+(?:engineers?|staff|person|sres?))?|engineers?|developers?|devs|staff|"
    r"people|operators?|sres?|ops|reviewers?|team(?:\s+leads?)?|teams|support(?:\s+agents?)?|"
    r"contractors?|new\s+hires?|new\s+joiners?|joiners|hires|dbas?|admins?|release\s+managers?|"
    r"whoever\b[\w\s]{0,30}|the\s+person\b[\w\s]{0,30}|"
    r"the\s+(?:[\w-]+\s+){1,2}(?:team|engineers?|staff|on-?call|shift|rotation|agents?)|"
    r"(?-i:[A-Z][a-z]+)(?:'s)?))"
)
# Training and discipline aimed at people; a model, classifier or dataset is systemic.
_TRAINING = (
    r"\b(?:re-?train(?:ing)?|train(?:ing)?\s+(?:session|course|for|on|:)|training\b(?!\s+(?:data|"
    r"set|job|pipeline|run|corpus|labels?))|refresher|workshop|lunch-and-learn|brown-?bag|"
    r"re-?educat\w*|educate\w*|coach\w*|counsel\w*|mentor\w*|re-?certif\w*|awareness|"
    r"disciplin\w*|reprimand\w*|performance\s+review|accountable|"
    r"shadow\s+an?\s+(?:experienced|senior)|pair\s+the\s+(?:junior|new))"
)
_NOT_PEOPLE_OBJECT = re.compile(
    r"\W*(?:the\s+|our\s+|a\s+|an\s+)?(?:[\w-]+\s+){0,2}?(?:model|classifier|detector|ranker|"
    r"network|embeddings?|algorithm|dataset|data)\b",
    re.I,
)
# Telling people something: remind, warn, ask, emphasise ...
_TELL = (
    r"\b(?:(?:remind\w*|tell|ask|instruct|warn|encourage|brief)\s+" + _WHO + r"|"
    r"(?:emphasi[sz]e\w*|stress|reiterate|reinforce|communicate)\s+(?:(?:to|with)\s+)?"
    r"(?:" + _WHO + r"|the\s+importance|the\s+need|that)|"
    r"reminders?|talk\s+to|have\s+a\s+word|circulate|"
    r"make\s+(?:sure\s+)?" + _WHO + r"\s+(?:is\s+|are\s+)?aware)\b"
)
# Asking for care and attention.
_CARE = (
    r"\b(?:be\s+(?:more\s+|extra\s+)?(?:careful|vigilant|diligent|cautious|thorough|mindful)|"
    r"(?:take|pay|with)\s+(?:more\s+|extra\s+|closer\s+|greater\s+|better\s+)?(?:care|attention)|"
    r"more\s+(?:carefully|thoroughly|diligently|careful|closely)|attention\s+to\s+detail|"
    r"carefulness|next\s+time|double-?check|stop\s+ignoring|be\s+more\b|increase\s+focus)"
)
# People being made to read, know or follow something.
_READ = (
    r"\b(?:re-?read|familiari[sz]e|(?:make\s+sure|ensure)\s+" + _WHO + r"\s+(?:are\s+|is\s+)?"
    r"(?:follow|know|read|understand|familiar|aware|remember|use|check|verify)|"
    + _WHO
    + r"\s+(?:must|should|need\s+to|needs\s+to|have\s+to|has\s+to|to)\s+(?:always\s+)?"
    r"(?:be(?!\s+able)|pay|take|read|remember|follow|familiari[sz]e|stop|check|verify|confirm|emphasi[sz]e|"
    r"double-?check|know|learn|review)|so\s+(?:that\s+)?(?:people|everyone|engineers)\s+"
    r"(?:learn|understand|know|remember)|have\s+" + _WHO + r"\s+(?:acknowledge|sign|read|re-?read|"
    r"confirm|attend|complete))"
)
PEOPLE_PATTERN = re.compile("|".join((_TRAINING, _TELL, _CARE, _READ)), re.I)

# A title that starts by changing the system: its people words describe the change
# ("Add a reminder to the deploy tool", "Write a runbook so the on-call knows ...").
_SYSTEMIC_LEAD = re.compile(
    r"^\W*(?:add|automate|build|create|write|document|update|rewrite|fix|migrate|implement|"
    r"introduce|configure|set\s+up|block|require|replace|remove|move|store|publish|provide|"
    r"give|page|alert|cap|limit|split|switch|upgrade|tune|version|expire|record|track|teach\s+"
    r"the\s+\w+\s+(?:bot|tool)|make\s+the\s+(?:\w+\s+){0,3}(?:tool|console|script|job|bot|"
    r"check|alert|pipeline|ui|prompt)|clarify|simplify|rework|reduce|stop\s+the|handle|change)\b",
    re.I,
)


def _training_ok(text: str, m: re.Match[str]) -> bool:
    """Training words count unless what is trained is a model or a dataset."""
    word = m.group(0).lower()
    if word.startswith(("train", "re-train", "retrain")):
        return _NOT_PEOPLE_OBJECT.match(text, m.end()) is None
    return True


_CAPITALISED = re.compile(r"(?-i:\b[A-Z][a-z]+\b)")
_INSTRUCTION = re.compile(
    r"(?:emphasi[sz]e|stress|communicate|talk|reiterate|reinforce|remind|tell|ask|instruct|warn|"
    r"encourage|brief|explain|make|ensure|have|get|send|speak|write|reach)$"
)
_AS_WHO = re.compile(r"\s+(?:must|should|need|needs|has|have|to)\b", re.I)


def _names_a_thing(text: str, m: re.Match[str]) -> bool:
    """Whether the capitalised word a match took for a person is a product or an opening
    word: "Ask Grafana support", "Difficult to verify"."""
    for word in _CAPITALISED.finditer(m.group(0)):
        lower = word.group(0).lower()
        if lower in FIRST_NAMES or lower in ROLES or lower in PRONOUNS:
            continue
        if word.start() == 0:
            # The item's first word is its verb ("Remind …"), unless it stands where the
            # people would ("Difficult to verify …").
            if _AS_WHO.match(m.group(0), word.end()) and not _INSTRUCTION.match(lower):
                return True
        elif lower in NOT_NAMES:
            return True
    return False


def people_spans(text: str) -> Iterator[tuple[int, int]]:
    """Spans of ``text`` that aim the item at people (empty for a systemic item)."""
    if _SYSTEMIC_LEAD.match(text):
        return
    for m in PEOPLE_PATTERN.finditer(text):
        if _training_ok(text, m) and not _names_a_thing(text, m):
            yield m.start(), m.end()


def targets_people(text: str) -> bool:
    """Whether an action item's text asks people to change rather than the system."""
    return next(people_spans(text), None) is not None
