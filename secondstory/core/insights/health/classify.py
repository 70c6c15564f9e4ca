"""Small text classifiers the data layer uses when no richer one is available.

``targets_people`` says whether an action item aims at people (retrain, remind,
tell someone to be careful, re-read the guidelines) instead of changing the
system. ``describes_a_person`` says whether a contributing factor only
describes a person (their error, attention or carelessness) rather than a
condition of the system. Both are deliberately conservative: a title that also
names a system change ("Add a confirmation step and brief the team") is not
counted as person-targeted.
"""

from __future__ import annotations

import re

_PEOPLE = (
    r"(?:engineers?|developers?|operators?|on-?call(?:\s+engineers?)?|staff|team(?:s|mates?)?|"
    r"everyone|people|the\s+author|interns?|dbas?|sres?|responders?|him|her|them|"
    r"[A-Z][a-z]+)"
)
_PERSON_ACTION = re.compile(
    r"""
    ^\s*(?:re-?train|train|retraining|coach|educate|discipline|reprimand|warn|remind|
           counsel|talk\s+to|speak\s+(?:to|with)|tell)\b
    | \b(?:re-?train(?:ing)?|remind(?:er)?s?\s+(?:to\s+)?"""
    + _PEOPLE
    + r"""|
          (?:be|being)\s+(?:more\s+)?(?:careful|vigilant|attentive|diligent)|
          pay\s+(?:more\s+)?attention|more\s+attention|
          re-?read\s+(?:the\s+)?(?:guidelines?|runbooks?|docs?|documentation|procedures?|policy)|
          (?:additional|more|extra|refresher)\s+training|
          double[-\s]check\s+(?:their|his|her)\s+work|
          follow\s+the\s+(?:runbook|procedure|process)\s+(?:more\s+)?(?:carefully|strictly)|
          not\s+to\s+(?:do\s+)?(?:it|that)\s+again)\b
    """,
    re.IGNORECASE | re.VERBOSE,
)
# A title that changes the system as well is not person-targeted.
_SYSTEM_CHANGE = re.compile(
    r"^\s*(?:add|automate|build|block|enforce|alert|monitor|migrate|replace|remove|fix|"
    r"implement|introduce|require|validate|limit|rate-limit|deploy|configure|instrument|"
    r"upgrade|patch|refactor|gate|create|write|document|update\s+the\s+(?:runbook|tool|script))\b",
    re.IGNORECASE,
)

_PERSON_FACTOR = re.compile(
    r"""
    \b(?:human|operator|user|engineer|developer|manual)\s+error\b
    | \b(?:careless(?:ness)?|negligen(?:t|ce)|sloppy|lazy|complacen(?:t|cy)|inattentive|
          lack\s+of\s+(?:attention|care|diligence|focus)|did\s+not\s+pay\s+attention|
          fat[-\s]finger(?:ed)?|forgot|misread|mistake\s+by|was\s+not\s+careful|
          (?:engineer|operator|developer|on-?call|intern|dba|he|she|they)\s+
          (?:failed|neglected|forgot|should\s+have|did\s+not|didn't|ignored|mistyped))\b
    """,
    re.IGNORECASE | re.VERBOSE,
)


def targets_people(text: str) -> bool:
    """Whether an action item's title aims at people rather than at the system.

    >>> targets_people("Retrain the on-call engineers on the failover runbook")
    True
    >>> targets_people("Remind everyone to be careful with production deploys")
    True
    >>> targets_people("Add a confirmation step to the failover script")
    False
    >>> targets_people("Alert on replica lag above 30 s")
    False
    """
    if _SYSTEM_CHANGE.search(text):
        return False
    return bool(_PERSON_ACTION.search(text))


def describes_a_person(text: str) -> bool:
    """Whether a contributing factor only describes a person.

    >>> describes_a_person("Human error: the engineer forgot to drain the node")
    True
    >>> describes_a_person("The deploy tool did not show which cluster was targeted")
    False
    """
    return bool(_PERSON_FACTOR.search(text))
