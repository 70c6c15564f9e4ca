"""Blameless writing: review findings per 1,000 words, by team and quarter."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class WritingSample:
    """Reviewed words and findings of postmortems (one, unless ``postmortems`` says how many,
    summed), counted for one team in one quarter."""

    team: str
    period: str
    words: int
    findings: int
    postmortems: int = 1


@dataclass(frozen=True, slots=True)
class WritingRate:
    team: str
    period: str
    postmortems: int
    words: int
    findings: int

    @property
    def per_thousand_words(self) -> float | None:
        """Findings per 1,000 words (None without words): a long postmortem is not penalised."""
        return self.findings * 1000 / self.words if self.words else None


def writing_rates(
    samples: Iterable[WritingSample], teams: Sequence[str], periods: Sequence[str]
) -> list[WritingRate]:
    """Sum words and findings per (team, period): the rate is total findings / total words.

    >>> rates = writing_rates([WritingSample("web", "2026-Q1", 500, 2)], ["web"], ["2026-Q1"])
    >>> rates[0].per_thousand_words
    4.0
    """
    sums: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for sample in samples:
        entry = sums[(sample.team, sample.period)]
        entry[0] += sample.postmortems
        entry[1] += sample.words
        entry[2] += sample.findings
    rates = []
    for team in teams:
        for period in periods:
            n, words, findings = sums.get((team, period), [0, 0, 0])
            rates.append(WritingRate(team, period, n, words, findings))
    return rates
