"""The learning check: the survey's items and how its answers are summarised.

At the end of a review each attendee answers a few statements on a 7-point scale
(1 strongly disagree … 7 strongly agree). Three items ask about the review itself
(did you learn something that changes your work, would you come again, did it feel
safe to speak); six are Westrum's organisational-culture items as the DORA research
measures them (Westrum 2004, "A typology of organisational cultures", BMJ Quality &
Safety 13(suppl 2):ii22–ii27). docs/learning-check.md documents the wording and the
scoring.

Pure Python: the app stores answers and hands plain dictionaries to ``summarise``.
Nothing is ever summarised per person, and a group of fewer than ``MIN_ANSWERS``
answers is not summarised at all.

>>> s = summarise([{"safe_to_speak": 6}, {"safe_to_speak": 2}, {"safe_to_speak": 7}])
>>> s.item("safe_to_speak").counts
(0, 1, 0, 0, 0, 1, 1)
>>> summarise([{"safe_to_speak": 6}]) is None
True
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

SCALE: tuple[tuple[int, str], ...] = (
    (1, "Strongly disagree"),
    (2, "Disagree"),
    (3, "Somewhat disagree"),
    (4, "Neither agree nor disagree"),
    (5, "Somewhat agree"),
    (6, "Agree"),
    (7, "Strongly agree"),
)
LOWEST, HIGHEST = 1, 7
AGREE_FROM = 5  # 5, 6 and 7 agree
DISAGREE_UP_TO = 3  # 1, 2 and 3 disagree
#: Results of fewer answers are never shown: with one or two, an answer is a person's.
MIN_ANSWERS = 3

REVIEW = "review"
WESTRUM = "westrum"


@dataclass(frozen=True, slots=True)
class Item:
    """One statement of the survey: ``code`` (a stored column), its wording and its group."""

    code: str
    statement: str
    group: str
    short: str


ITEMS: tuple[Item, ...] = (
    Item(
        "learned",
        "I learned something in this review that changes how I work.",
        REVIEW,
        "learned something",
    ),
    Item("come_again", "I would come to a review like this one again.", REVIEW, "would come again"),
    Item(
        "safe_to_speak",
        "It felt safe to speak openly in this review.",
        REVIEW,
        "felt safe to speak",
    ),
    Item(
        "info_sought", "On my team, information is actively sought.", WESTRUM, "information sought"
    ),
    Item(
        "messengers",
        "On my team, people who bring news of failures or other bad news are not punished for it.",
        WESTRUM,
        "messengers not punished",
    ),
    Item(
        "shared_responsibility",
        "On my team, responsibilities are shared.",
        WESTRUM,
        "responsibilities shared",
    ),
    Item(
        "collaboration",
        "On my team, working across teams and functions is encouraged and rewarded.",
        WESTRUM,
        "collaboration rewarded",
    ),
    Item(
        "failure_inquiry",
        "On my team, a failure leads to inquiry, not to a search for someone to blame.",
        WESTRUM,
        "failure causes inquiry",
    ),
    Item("new_ideas", "On my team, new ideas are welcomed.", WESTRUM, "new ideas welcomed"),
)
CODES: tuple[str, ...] = tuple(item.code for item in ITEMS)
WESTRUM_CODES: tuple[str, ...] = tuple(i.code for i in ITEMS if i.group == WESTRUM)
SAFE = "safe_to_speak"
_BY_CODE = {item.code: item for item in ITEMS}


def item(code: str) -> Item:
    """The item called ``code`` (KeyError for an unknown one)."""
    return _BY_CODE[code]


def check_answer(scores: Mapping[str, object]) -> dict[str, int]:
    """The answer as ``{code: score}``, every item present and on the scale; a ValueError
    naming the item otherwise.

    >>> check_answer({c: 4 for c in CODES})["learned"]
    4
    """
    unknown = sorted(set(scores) - set(CODES))
    if unknown:
        raise ValueError(f"{unknown[0]}: not an item of the learning check")
    checked: dict[str, int] = {}
    for code in CODES:
        value = scores.get(code)
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{code}: choose an answer from {LOWEST} to {HIGHEST}")
        if not LOWEST <= value <= HIGHEST:
            raise ValueError(f"{code}: {value} is not on the scale {LOWEST} to {HIGHEST}")
        checked[code] = value
    return checked


@dataclass(frozen=True, slots=True)
class ItemSummary:
    """The distribution of one item's answers: ``counts[i]`` answered ``i + 1``."""

    code: str
    counts: tuple[int, ...]

    @property
    def answers(self) -> int:
        return sum(self.counts)

    @property
    def mean(self) -> float | None:
        n = self.answers
        return sum((i + 1) * c for i, c in enumerate(self.counts)) / n if n else None

    @property
    def agree(self) -> int:
        return sum(self.counts[AGREE_FROM - 1 :])

    @property
    def disagree(self) -> int:
        return sum(self.counts[:DISAGREE_UP_TO])

    def share(self, count: int) -> float | None:
        return count / self.answers if self.answers else None


@dataclass(frozen=True, slots=True)
class Summary:
    """Every item's distribution over a group of at least ``MIN_ANSWERS`` answers, and the
    Westrum score (each answer's mean over the six Westrum items) as a distribution too."""

    answers: int
    items: tuple[ItemSummary, ...]
    westrum_scores: tuple[float, ...]

    def item(self, code: str) -> ItemSummary:
        return next(s for s in self.items if s.code == code)

    @property
    def westrum_mean(self) -> float | None:
        scores = self.westrum_scores
        return sum(scores) / len(scores) if scores else None

    @property
    def learned_by_someone(self) -> bool:
        """The learning check of the Etsy and Google guides: at least one person learned."""
        return self.item("learned").agree >= 1

    @property
    def half_would_come_again(self) -> bool:
        """… and at least half would come to such a review again."""
        come = self.item("come_again")
        return 2 * come.agree >= come.answers


def summarise(answers: Sequence[Mapping[str, int]], minimum: int = MIN_ANSWERS) -> Summary | None:
    """The distributions of ``answers`` (each ``{code: score}``; a missing item is not
    counted for it), or None for fewer than ``minimum`` answers."""
    if len(answers) < minimum:
        return None
    items = tuple(ItemSummary(code, _counts(a.get(code) for a in answers)) for code in CODES)
    westrum = tuple(
        round(sum(a[c] for c in WESTRUM_CODES) / len(WESTRUM_CODES), 2)
        for a in answers
        if all(c in a for c in WESTRUM_CODES)
    )
    return Summary(len(answers), items, westrum)


def _counts(values: Iterable[int | None]) -> tuple[int, ...]:
    counts = [0] * HIGHEST
    for value in values:
        if value is not None and LOWEST <= value <= HIGHEST:
            counts[value - 1] += 1
    return tuple(counts)


def unsafe(score: int) -> bool:
    """An answer to "it felt safe to speak" at or below 3 (some disagreement or more)."""
    return score <= DISAGREE_UP_TO
