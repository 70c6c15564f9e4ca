"""Held review meetings and learning-check answers for the demo organisation.

The last few reviewed postmortems of the last two quarters get a held meeting, attended by
the people named on them, and anonymous answers to their learning check: most reviews with
3 answers or more (so the insights' learning-check section and the health check
``unsafe-reviews`` have figures), one with only 2 (so "results hidden" shows too), and one
review that felt tense to some of its attendees. Deterministic for a seed; pure data.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from secondstory.core import learningcheck
from secondstory.core.record import PostmortemRecord

#: How many reviews get a meeting and answers, most recent first.
REVIEWS = 6
#: Reviews held within this many days before today (the health check's two quarters).
WINDOW_DAYS = 170
#: Which of them (most recent first) has fewer answers than the results need.
FEW_ANSWERS = 2
#: Which of them felt tense: two answers in three disagree that it felt safe to speak.
TENSE = 1


@dataclass(frozen=True, slots=True)
class DemoReview:
    postmortem: str
    held_at: datetime
    facilitator: str
    attended: tuple[str, ...]
    answered: tuple[str, ...]  # who answered (kept apart from the answers, as the app does)
    answers: tuple[dict[str, int], ...]


def _reviewed_at(record: PostmortemRecord) -> datetime | None:
    moves = [t.at for t in record.transitions if t.to_status == "in_review"]
    return moves[-1] if moves else None


def _people(record: PostmortemRecord) -> tuple[str, ...]:
    named = [record.owner, record.facilitator, *record.collaborators, *record.reviewers]
    return tuple(dict.fromkeys(p for p in named if p))


def _score(rng: random.Random, low: int, high: int) -> int:
    return rng.randint(low, high)


def _answer(rng: random.Random, tense: bool, position: int) -> dict[str, int]:
    unsafe = tense and position % 3 != 2  # two answers in three
    safe = _score(rng, 2, 3) if unsafe else _score(rng, 5, 7)
    answer = {
        "learned": _score(rng, 4, 7),
        "come_again": _score(rng, 4, 7) if not tense else _score(rng, 3, 6),
        "safe_to_speak": safe,
    }
    culture = _score(rng, 4, 6)  # how this person sees their team
    for code in learningcheck.WESTRUM_CODES:
        answer[code] = max(
            learningcheck.LOWEST, min(learningcheck.HIGHEST, culture + rng.choice((-1, 0, 0, 1)))
        )
    return answer


def demo_reviews(
    records: Sequence[PostmortemRecord], *, today: date, seed: int = 7
) -> list[DemoReview]:
    """The held reviews and their learning checks, most recent first."""
    since = today - timedelta(days=WINDOW_DAYS)
    candidates = []
    for record in records:
        at = _reviewed_at(record)
        internal = all(i.visibility == "internal" for i in record.incidents)
        if record.status not in ("approved", "published") or at is None or not internal:
            continue
        if since <= at.date() <= today - timedelta(days=2) and len(_people(record)) >= 3:
            candidates.append((at, record))
    candidates.sort(key=lambda c: (c[0], c[1].key), reverse=True)
    found = []
    for index, (at, record) in enumerate(candidates[:REVIEWS]):
        rng = random.Random(f"{seed}:{record.key}")
        people = _people(record)
        count = 2 if index == FEW_ANSWERS else min(len(people), 3 + rng.randint(0, 2))
        answered = tuple(sorted(rng.sample(people, count)))
        answers = tuple(_answer(rng, index == TENSE, n) for n in range(len(answered)))
        found.append(
            DemoReview(
                postmortem=record.key,
                held_at=at + timedelta(days=1),
                facilitator=record.facilitator or record.owner,
                attended=people,
                answered=answered,
                answers=answers,
            )
        )
    return found
