"""normative-judgment: careless, negligent, sloppy, reckless, lazy, "dropped the ball"."""

from __future__ import annotations

import re
from collections.abc import Iterator

from secondstory.core.review.context import SentenceContext
from secondstory.core.review.ruler import Rule, Span
from secondstory.core.review.subjects import People

_JUDGMENT = re.compile(
    r"\b(?:careless(?:ly|ness)?|negligen(?:t|ce|tly)|sloppy|sloppi(?:ness|ly)|"
    r"reckless(?:ly|ness)?|lazy(?![- ](?:load|loading|loaded|evaluation|evaluated|init|"
    r"initiali[sz]\w*|import|iterator|sequence|val\b|property))|laziness|"
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
    r"(?:it|the (?:diff|change|pull request|pr|runbook|alert|page)))",
    re.I,
)


def _find(text: str, ctx: SentenceContext, people: People) -> Iterator[Span]:
    for m in _JUDGMENT.finditer(text):
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
