"""person-as-cause: a person or team singled out as the cause.

Example of the pattern: "Bob's change took down checkout".
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from secondstory.core.review.context import SentenceContext
from secondstory.core.review.ruler import Rule, Span
from secondstory.core.review.rules._words import ACTION_NOUNS, PROBLEM_NOUNS
from secondstory.core.review.subjects import (
    People,
    human_prefix,
    is_human_phrase,
    is_human_subject,
    is_name,
)

_HARM = (
    r"(?:caused|causes|took down|takes down|brought down|brings down|knocked (?:over|out)|"
    r"took out|broke|breaks|crashed|wiped(?: out)?|corrupted|destroyed|killed|nuked|locked|"
    r"deleted|dropped|emptied|overloaded|overwhelmed|exhausted|filled|blocked|stalled|froze|"
    r"introduced (?:the|a|an|this) (?:[\w-]+ )?(?:bug|leak|regression|error|defect|outage|"
    r"problem|issue|race)|"
    r"(?:started|led to|resulted in|triggered|kicked off) (?:the|this|an|our) (?:outage|incident|"
    r"failure|downtime|disruption)|(?:is|was|were|are) (?:solely |directly |entirely )?"
    r"(?:responsible for|to blame|at fault|the reason|the cause|culpable|guilty))"
)
_POSSESSIVE_HARM = re.compile(
    r"\b([\w-]+)['’]s\s+(?:[\w-]+\s+){0,2}?"
    + ACTION_NOUNS
    + r"\s+(?:that\s+|which\s+|is what\s+|was what\s+)?(?:\w+ly\s+)?"
    + _HARM
    + r"\b"
    r"|\b(?:his|her|their)\s+(?:[\w-]+\s+){0,2}?"
    + ACTION_NOUNS
    + r"\s+(?:\w+ly\s+)?"
    + _HARM
    + r"\b",
    re.I,
)
_DIRECT_HARM = re.compile(
    r"\b(?:caused|causes|took down|brought down|knocked over|took out|broke|crashed|corrupted|"
    r"(?:took|brought|knocked) (?:the \w+|it|prod|production|everything) (?:down|over|out)|"
    # Harm verbs that name damage whoever the object is ("Olu overloaded the database").
    r"(?:overloaded|overwhelmed|crippled|hosed|wrecked|bricked|trashed|nuked|knocked\s+out|"
    r"knocked\s+offline|took\s+offline|blew\s+away)\b|"
    # A phrasal verb with its object inside: "brought the cluster to its knees".
    r"(?:took|takes|taken|taking|brought|brings|bringing|knocked|knocks|knocking)\s+"
    r"(?:[\w'’-]+\s+){1,4}?(?:down|offline|to\s+(?:its|their)\s+knees)\b|"
    r"(?:is|was|were|are)\s+(?:solely\s+|directly\s+|entirely\s+)?accountable\s+for\s+"
    r"(?:the|this|that|these)\s+(?:[\w-]+\s+){0,2}?(?:outage|incident|failure|breakage|downtime|"
    r"loss|broken|failed|bad|damage|disruption|regression|bug|release|problem)|"
    r"(?:deleted|dropped|wiped|destroyed|truncated) (?:the )?(?:production|prod|live)\b|"
    r"(?:is|was|were|are) (?:solely |directly |entirely )?(?:responsible for|to blame|at fault|"
    r"culpable|guilty))\b",
    re.I,
)
_BY_PERSON = re.compile(
    r"\b(?:caused|broken|triggered|started|created|introduced|taken\s+(?:down|offline|out)|"
    r"brought\s+down|knocked\s+(?:out|over|offline)|crashed|corrupted|wiped(?:\s+out)?|"
    r"destroyed|overloaded|overwhelmed|crippled|nuked)\s+(?:entirely\s+|solely\s+|"
    r"directly\s+|accidentally\s+|inadvertently\s+)?by\s+((?:[\w'’-]+\s*){1,4})",
    re.I,
)
# "The outage is down to the mobile team", "it was all down to Dana".
_DOWN_TO = re.compile(
    r"\b(?:is|was|are|were|it['’]s)\s+(?:all\s+|entirely\s+|squarely\s+|largely\s+|purely\s+)?"
    r"down\s+to\s+((?:[\w'’-]+\s*){1,4})",
    re.I,
)
_FAULT = re.compile(
    r"\b(?:(?:the\s+)?(?:(?:blame|fault)(?:\s+for\s+[^,.;]{1,40}?)?|(?:responsibility|accountability)"
    r"\s+for\s+(?:the\s+|this\s+|that\s+)?(?:[\w-]+\s+){0,2}?" + PROBLEM_NOUNS + r")\s+"
    r"(?:lies|lay|falls|fell|rests|rested|sits|sat|is|was)\s+(?:\w+ly\s+)?(?:with|on|upon)|"
    r"(?:the )?fault of)\s+((?:[\w'’-]+\s*){1,3})|\b([\w-]+)['’]s fault\b"
    r"|\b(?:his|her|their) fault\b",
    re.I,
)
_BECAUSE = re.compile(
    r"\b(?:happened|occurred|started|began|failed|broke|went down|went wrong)\s+(?:only\s+)?"
    r"because\s+(?P<who>(?:[\w'’-]+\s+){1,3}?)(?:\w+ed|ran|made|forgot|took|broke|did|"
    r"didn['’]t|did not|wrote|put|set|left|chose)\b"
    r"|\b(?:because of|thanks to|due to)\s+(?P<who2>[\w'’-]+(?:\s+[\w'’-]+)?)\s*(?:[,.;]|$)",
    re.I,
)
# "The fault is entirely the on-call's", "the mistake was Dana's".
_FAULT_OWNER = re.compile(
    r"\b(?:fault|blame|mistake|error)\s+(?:is|was)\s+(?:\w+ly\s+)?"
    r"(?P<who>(?:the\s+|our\s+)?[\w-]+(?:\s+[\w-]+)?['’]s?)(?=\s*(?:[.,;!)]|$))",
    re.I,
)
_OBJECT_PRONOUNS = {"him", "her", "them", "me", "us", "you"}


_AGENT_END = frozenset(
    (  # noqa: SIM905
        "while who whom that which when after before during in on at with for to and or as "
        "because since testing running using trying working who's"
    ).split()
)


def _human_agent(phrase: str, people: People) -> bool:
    """Whether the noun phrase after "by", "to" or "of" names a person ("the on-call
    engineer while …"), judged by its head ("a valid customer configuration change" is not)."""
    words = [w.strip(",.;:()") for w in phrase.split()]
    if not words or not words[0]:
        return False
    first = words[0].lower()
    if first in _OBJECT_PRONOUNS or first in {"his", "her", "their"}:
        return True
    if words[0].endswith(("'s", "’s")) and is_human_phrase(words[0][:-2], people):
        return True
    noun_phrase: list[str] = []
    for word in words:
        if word.lower() in _AGENT_END or not word:
            break
        if (
            word.lower().endswith("ing")
            and noun_phrase
            and is_human_phrase(" ".join(noun_phrase), people)
        ):
            return True  # "the on-call deleting the wrong pods"
        noun_phrase.append(word)
    return bool(noun_phrase) and is_human_phrase(" ".join(noun_phrase), people)


# Taking something down on purpose is mitigation, not harm.
_DELIBERATE = re.compile(
    r"[^.;]*?\b(?:(?:in\s+order\s+)?to\s+(?:prevent|restore|stop|protect|contain|fix|repair|"
    r"limit|mitigate|allow|perform|run|apply|upgrade|migrate|recover|investigate|isolate|drain|"
    r"avoid|reduce|halt)|while\s+(?:the|a|an)\s+(?:upgrade|migration|maintenance|fix|repair|"
    r"restore)|for\s+(?:maintenance|the\s+upgrade|the\s+migration)|as\s+a\s+precaution|"
    r"deliberately|intentionally|on\s+purpose|allowing)\b",
    re.I,
)
# "broke the dependency between …", "broke the deadlock": undoing a link is a fix.
_UNDONE_LINK = re.compile(
    r"\s+(?:the\s+|a\s+|this\s+|that\s+)?(?:[\w-]+\s+)?(?:dependency|dependencies|cycle|loop|"
    r"deadlock|tie|link|coupling|chain|glass|silence|news|record|logjam|impasse)\b",
    re.I,
)
_POSSESSIVE_HINT = re.compile(r"['’]s\b|\b(?:his|her|their)\b", re.I)


def _find(text: str, ctx: SentenceContext, people: People) -> Iterator[Span]:
    lowered = text.lower()
    if _POSSESSIVE_HINT.search(text):
        yield from _possessive(text, people)
    for m in _DIRECT_HARM.finditer(text):
        if _DELIBERATE.match(text, m.end(), m.end() + 120) or _UNDONE_LINK.match(text, m.end()):
            continue  # "engineers took the site offline to restore it", "broke the dependency"
        if is_human_subject(text, m.start(), people):
            yield m.start(), m.end()
    if " by " in lowered:
        for m in _BY_PERSON.finditer(text):
            if _human_agent(m.group(1), people):
                length = human_prefix(m.group(1), people)
                yield m.start(), m.start(1) + length if length else m.end(1)
    if "down to" in lowered:
        for m in _DOWN_TO.finditer(text):
            if _human_agent(m.group(1), people):
                yield m.start(), m.end(1)
    if "because" in lowered or " to " in lowered:
        for m in _BECAUSE.finditer(text):
            who = m.group("who") or m.group("who2") or ""
            if is_human_phrase(who, people) or _human_agent(who, people):
                yield m.start(), m.end()
    if "fault" in lowered or "blame" in lowered or "responsib" in lowered or "accountab" in lowered:
        yield from _fault(text, people)


def _possessive(text: str, people: People) -> Iterator[Span]:
    for m in _POSSESSIVE_HARM.finditer(text):
        owner = m.group(1)
        if owner is None or is_name(owner + "'s", people) or is_human_phrase(owner, people):
            yield m.start(), m.end()


def _fault(text: str, people: People) -> Iterator[Span]:
    for m in _FAULT_OWNER.finditer(text):
        who = m.group("who")
        if who.endswith(("'s", "’s", "s'")) and is_human_phrase(who, people):
            yield m.start(), m.end()
    for m in _FAULT.finditer(text):
        agent = m.group(1)
        if agent is None and m.group(2) is not None and not is_name(m.group(2) + "'s", people):
            continue
        if agent is None or _human_agent(agent, people):
            yield m.start(), m.end()


RULE = Rule(
    id="person-as-cause",
    category="person-as-cause",
    severity="blame",
    description="A person or team singled out as the cause of the incident.",
    message=(
        "Naming a person as the cause stops the search for the conditions that let one "
        "action have this much impact."
    ),
    suggestion=(
        "Which conditions let this change reach production and cause this much harm: what "
        "checks, safeguards or signals were missing?"
    ),
    find=_find,
    triggers=(
        "overwhelm",
        "crippl",
        "hosed",
        "wreck",
        "brick",
        "trash",
        "offline",
        "knees",
        "accountab",
        "taken",
        "took",
        "brought",
        "knock",
        "blew",
        "caus",
        "down",
        "broke",
        "crash",
        "wiped",
        "corrupt",
        "destroy",
        "kill",
        "nuke",
        "lock",
        "delet",
        "dropp",
        "emptied",
        "overload",
        "overwhelm",
        "exhaust",
        "fill",
        "block",
        "stall",
        "froze",
        "introduc",
        "responsib",
        "blame",
        "fault",
        "reason",
        "culpab",
        "guilty",
        "out",
        "because",
        "thanks",
        "due",
        "trigger",
        "start",
        "creat",
        "kicked",
        "led",
        "resulted",
        "truncat",
        "over",
        "began",
        "failed",
        "occurred",
        "happened",
        "wrong",
    ),
)
