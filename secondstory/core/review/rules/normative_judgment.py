"""normative-judgment: careless, negligent, sloppy, reckless, lazy, "dropped the ball"."""

from __future__ import annotations

import re
from collections.abc import Iterator

from secondstory.core.review.context import SentenceContext
from secondstory.core.review.ruler import Rule, Span
from secondstory.core.review.subjects import (
    People,
    is_human_phrase,
    is_human_subject,
    subject_before,
)

_JUDGMENT = re.compile(
    r"\b(?:careless(?:ly|ness)?|negligen(?:t|ce|tly)|sloppy|sloppi(?:ness|ly)|"
    r"reckless(?:ly|ness)?|laziness|"
    r"complacen(?:t|cy|ce)|incompeten(?:t|ce|tly)|irresponsib(?:le|ly|ility)|inattentive|"
    r"inattention|unprofessional|cavalier|cowboy|half-assed|boneheaded|rookie mistake|"
    r"(?:a\s+)?lack of (?:attention|care|diligence|discipline|rigou?r|ownership|focus|"
    r"professionalism|due diligence)|"
    r"dropp(?:ed|ing) the ball|asleep at the (?:wheel|switch)|"
    r"(?:was|were|wasn['’]t|weren['’]t|not|isn['’]t)\s+paying attention|"
    r"(?:should|could|ought to) have known better|didn['’]t care|did not care|"
    r"stupid(?:ly|ity)?|foolish(?:ly)?|dumb mistake|silly mistake|sheer (?:carelessness|"
    r"incompetence|negligence|laziness)|inexcusabl[ey]|unforgivabl[ey]|"
    r"should be ashamed|no excuse for|rubber[- ]stamp(?:ed|ing|s)?|"
    r"without (?:even |bothering to )?(?:reading|looking at|opening|glancing at) "
    r"(?:it|the (?:diff|change|pull request|pr|runbook|alert|page))|"
    # Adverbs and adjectives of manner that judge how someone worked.
    r"slapdash|slipshod|shoddy|shoddily|haphazard(?:ly)?|thoughtless(?:ly|ness)?|heedless(?:ly)?|"
    r"half-hearted(?:ly)?|lackadaisical(?:ly)?|perfunctor(?:y|ily)|unprofessional(?:ly)?|"
    r"incompetently|negligently|blithely|cavalierly|recklessness|"
    r"without\s+(?:due|proper|enough|sufficient|any|much|a\s+second)\s+(?:care|caution|thought|"
    r"attention|diligence)|"
    r"cut(?:ting)?\s+corners|corner-cutting|(?:poor|bad|questionable)\s+judge?ment|"
    r"(?:lapse|error)\s+(?:in|of)\s+judge?ment|"
    r"(?:did|does|do)\s+(?:a\s+)?(?:poor|bad|lousy|terrible|sloppy|careless)\s+job)",
    re.I,
)
# Words that judge conduct only when they describe people or their work ("the night shift were
# lax", "handled lazily"), not software ("lax input validation", "lazy queue").
_PERSONAL = re.compile(
    r"\b(?:lax(?:ity)?|lazy|lazily|hast(?:y|ily)|rushed\s+through)\b",
    re.I,
)
_TECHNICAL_AFTER = re.compile(
    r"\s+(?:(?!(?:about|in|with|on|at|for|when|while|to)\b)[\w-]+\s+)?(?:load\w*|evaluat\w*|initiali[sz]\w*|comput\w*|instantiat\w*|"
    r"fetch\w*|creat\w*|import\w*|render\w*|bound|allocat\w*|resolv\w*|validation|"
    r"parsing|checks?|polic(?:y|ies)|permissions?|rules?|settings?|security|defaults?|quorum|"
    r"counters?|consistency|matching|mode|queues?|mount|init|iterators?|sequences?|val|"
    r"propert(?:y|ies)|lists?|streams?|objects?|singletons?|fields?|columns?|relations?|"
    r"associations?|instances?|modules?|images?|segments?|deletion|expiry|eviction|replication|"
    r"writes?|reads?|updates?|sync\w*|gc|garbage)\b",
    re.I,
)
_CONDUCT_AFTER = re.compile(
    r"\s+(?:about|in|with|approach|attitude|work|handling|review|reviews|fix|job|effort|"
    r"engineers?|developers?|operators?|on-?call|admins?|people|team|staff|reviewers?|person)\b",
    re.I,
)
_WORK_VERB_BEFORE = re.compile(
    r"\b(?:handled|done|carried\s+out|reviewed|tested|written|done|performed|made|run|executed|"
    r"deployed|approved|investigated|managed|treated|implemented)\s+$",
    re.I,
)


_COPULA = re.compile(
    r"(?:\s+(?:was|were|is|are|been|being|seemed|seems|became|got|so|very|too|quite|rather|"
    r"really|extremely|a\s+bit|somewhat|simply|just|being))+\s*$",
    re.I,
)


def _predicate_of_person(text: str, pos: int, people: People) -> bool:
    """Whether the word at ``pos`` is said of a person: "he was lazy", "the team seemed lax"."""
    phrase = subject_before(text, pos)
    bare = _COPULA.sub("", phrase)
    return bare != phrase and is_human_phrase(bare, people)


def _find(text: str, ctx: SentenceContext, people: People) -> Iterator[Span]:
    for m in _JUDGMENT.finditer(text):
        if m.group(0).lower().startswith("sloppy") and _TECHNICAL_AFTER.match(text, m.end()):
            continue  # "sloppy quorum", "sloppy counters"
        yield m.start(), m.end()
    for m in _PERSONAL.finditer(text):
        if _TECHNICAL_AFTER.match(text, m.end()):
            continue
        if (
            _CONDUCT_AFTER.match(text, m.end())
            or _WORK_VERB_BEFORE.search(text, max(0, m.start() - 30), m.start())
            or is_human_subject(text, m.start(), people)
            or _predicate_of_person(text, m.start(), people)
        ):
            yield m.start(), m.end()


RULE = Rule(
    id="normative-judgment",
    category="normative-judgment",
    severity="blame",
    description="Judgments of people: careless, negligent, sloppy, 'dropped the ball'.",
    message=(
        "A judgment of character explains nothing about the conditions that made the action "
        "likely and discourages people from sharing what they saw."
    ),
    suggestion=(
        "Describe what the person did and what the situation looked like to them: what "
        "pressures, tools or signals shaped that choice?"
    ),
    find=_find,
    triggers=(
        "slapdash",
        "slipshod",
        "shoddy",
        "shoddily",
        "haphazard",
        "thoughtless",
        "heedless",
        "half-hearted",
        "lackadaisical",
        "perfunctor",
        "blithely",
        "corner",
        "judgment",
        "judgement",
        "job",
        "lax",
        "lazily",
        "hast",
        "rushed",
        "rubber",
        "without",
        "careless",
        "negligen",
        "sloppy",
        "sloppi",
        "reckless",
        "lazy",
        "lazi",
        "complacen",
        "incompeten",
        "irresponsib",
        "inattent",
        "unprofessional",
        "cavalier",
        "cowboy",
        "half-assed",
        "boneheaded",
        "rookie",
        "lack",
        "dropp",
        "asleep",
        "attention",
        "better",
        "care",
        "stupid",
        "foolish",
        "dumb",
        "silly",
        "sheer",
        "inexcusab",
        "unforgivab",
        "ashamed",
        "excuse",
    ),
)
