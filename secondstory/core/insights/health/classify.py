"""Whether a contributing factor only describes a person.

``describes_a_person`` says whether a factor names a person's error, attention or
carelessness rather than a condition of the system. Whether an action item aims at people
is the reviewer's judgement (``core.review.person_targeted``), not decided here.
"""

from __future__ import annotations

import re

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


def describes_a_person(text: str) -> bool:
    """Whether a contributing factor only describes a person.

    >>> describes_a_person("Human error: the engineer forgot to drain the node")
    True
    >>> describes_a_person("The deploy tool did not show which cluster was targeted")
    False
    """
    return bool(_PERSON_FACTOR.search(text))
