"""Whether a later contributing factor is the same kind of failure as an earlier one.

Two factors of the same category on the same service are the same kind when their
descriptions share specific terms: words left after removing stop words, the category's own
vocabulary (its name and description) and the names of the services involved, reduced to a
crude stem. They must share at least ``MIN_SHARED`` such terms (all of them when the shorter
description has only two; a description with one specific term matches nothing), and the shared
terms must be at least ``MIN_OVERLAP`` of the shorter description's terms (so a long
description does not match everything by sheer size). The shared terms are the evidence shown
on the pages.

On the demo organisation two shared terms still paired different failures ("replica" and
"primary" in a read-load factor and a failover factor); three did not.

No Django here: the callers pass plain strings.

Example:
    >>> a = terms("The connections alert fires at 95% of the limit, too late to act.")
    >>> b = terms("The connection-count alert fires at 95% of the pool limit.")
    >>> shared_terms(a, b)
    ('alert', 'connection', 'fire', 'limit')
    >>> shared_terms(a, terms("Nobody watched the disk usage graph."))
    ()
"""

from __future__ import annotations

import re
from collections.abc import Iterable

MIN_SHARED = 3
MIN_OVERLAP = 0.25

_WORD = re.compile(r"[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*")
_STOP_WORDS = """
    a about above across after again against all almost also although always am among an and
    another any anyone anything are around as at away back be became because been before being
    below between both but by can cannot could did do does doing done down during each either
    else enough even ever every few first for from further get gets got had has have having he
    her here hers him his how however i if in into is it its itself just last least less like
    made make makes many may might more most much must my near nearly need needed needs neither
    never new next no nobody none nor not nothing now of off often on once one only onto or other
    others our out over own part per rather same several she should since so some someone
    something still such than that the their them then there these they thing things this those
    though through thus to too two under until up upon us used uses using very via was way we
    well were what when where whether which while who whom whose why will with within without
    would yet you your
    day days hour hours minute minutes second seconds week weeks month months year years time
    times today yesterday incident incidents postmortem problem problems issue issues outage
    failure failures factor factors cause caused causes system systems service services team
    teams people person someone anyone because result resulted led lead work worked working
    change changed changes look looked still already only three four five six seven eight nine
    ten hundred thousand
"""
_STOP = frozenset(_STOP_WORDS.split())
_SUFFIXES = ("ings", "ing", "ies", "ed", "es", "s")


def _stem(word: str) -> str:
    """A crude stem, enough to make "alerts"/"alerting" and "connections" meet."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= (3 if suffix == "s" else 4):
            stem = word[: -len(suffix)]
            return stem + "y" if suffix == "ies" else stem
    return word


def _words(text: str) -> list[str]:
    found: list[str] = []
    for token in _WORD.findall(text.lower()):
        found.append(token)
        if "-" in token or "_" in token:
            found.extend(re.split(r"[-_]", token))
    return [w for w in found if len(w) > 2 and w not in _STOP]


def generic_terms(texts: Iterable[str]) -> frozenset[str]:
    """Stems of ``texts`` (a category's name and description, service names) to ignore."""
    return frozenset(_stem(w) for text in texts for w in _words(text))


def terms(text: str, generic: frozenset[str] = frozenset()) -> frozenset[str]:
    """The specific terms of a factor description: stems minus stop words and ``generic``."""
    return frozenset(s for s in (_stem(w) for w in _words(text)) if s not in generic)


def shared_terms(a: frozenset[str], b: frozenset[str]) -> tuple[str, ...]:
    """The terms ``a`` and ``b`` share when they are the same kind, else ``()``; sorted."""
    shared = a & b
    shorter = min(len(a), len(b))
    need = min(MIN_SHARED, max(2, shorter))
    if len(shared) < need or len(shared) < MIN_OVERLAP * shorter:
        return ()
    return tuple(sorted(shared))
