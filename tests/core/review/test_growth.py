"""The reviewer's work grows linearly with its input.

No clocks: every compiled pattern of the engine is wrapped so that each call adds the number
of characters it was handed (``len(text[pos:endpos])``) to a counter for its module. A rule
that searches the sentence again around each of its matches, a table row read once per cell,
or a sentence prefix copied for every match makes these counts grow with the square of the
input; doubling the input must grow each module's count by about two.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections import Counter
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

import pytest

import secondstory.core.review
import secondstory.core.review.rules
from secondstory.core.review import RULES, review
from secondstory.core.review.first_person import review_account


def _modules_with_patterns() -> tuple[ModuleType, ...]:
    """Every module of the engine and every rule module that compiles a pattern, found by
    walking the packages, so that a new rule module cannot be left out of the count."""
    found: list[ModuleType] = []
    for package in (secondstory.core.review, secondstory.core.review.rules):
        for info in pkgutil.iter_modules(package.__path__, prefix=package.__name__ + "."):
            module = importlib.import_module(info.name)
            if any(isinstance(v, re.Pattern) for v in vars(module).values()):
                found.append(module)
    return tuple(found)


MODULES = _modules_with_patterns()
RATIO = 2.5


class CountingPattern:
    """A compiled pattern that counts the characters each call is given."""

    def __init__(self, pattern: re.Pattern[str], counter: Counter[str], key: str) -> None:
        self._pattern = pattern
        self._counter = counter
        self._key = key

    def _count(self, text: str, pos: int = 0, endpos: int | None = None) -> None:
        end = len(text) if endpos is None else min(endpos, len(text))
        self._counter[self._key] += max(0, end - pos)

    def search(self, text: str, pos: int = 0, endpos: int = 2**62) -> re.Match[str] | None:
        self._count(text, pos, endpos)
        return self._pattern.search(text, pos, endpos)

    def match(self, text: str, pos: int = 0, endpos: int = 2**62) -> re.Match[str] | None:
        self._count(text, pos, endpos)
        return self._pattern.match(text, pos, endpos)

    def finditer(self, text: str, pos: int = 0, endpos: int = 2**62) -> Iterator[re.Match[str]]:
        self._count(text, pos, endpos)
        return self._pattern.finditer(text, pos, endpos)

    def findall(self, text: str, pos: int = 0, endpos: int = 2**62) -> list[Any]:
        self._count(text, pos, endpos)
        return self._pattern.findall(text, pos, endpos)

    def sub(self, repl: Any, text: str, count: int = 0) -> str:
        self._count(text)
        return self._pattern.sub(repl, text, count)


@pytest.fixture()
def work(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], Counter[str]]:
    counter: Counter[str] = Counter()
    for module in MODULES:
        key = module.__name__.rsplit(".", 1)[-1]
        for name, value in vars(module).items():
            if isinstance(value, re.Pattern):
                monkeypatch.setattr(module, name, CountingPattern(value, counter, key))

    def measure(text: str) -> Counter[str]:
        counter.clear()
        review(text, preset="strict")
        review_account(text)  # the first-person profile over the same text
        return Counter(counter)

    return measure


def _table(rows: int, columns: int) -> str:
    head = "| " + " | ".join(f"Column {c}" for c in range(columns)) + " |\n"
    rule = "|" + "---|" * columns + "\n"
    cell = "the engineer should have checked it and obviously ignored the runbook"
    body = "".join(
        "| " + " | ".join(cell if c % 2 else f"{r}.{c}" for c in range(columns)) + " |\n"
        for r in range(rows)
    )
    return "## Timeline\n\n" + head + rule + body


# One phrase per rule that it flags, joined without sentence ends into one long line.
PHRASES = {
    "counterfactual": "Dana would have caught it, the engineer should have checked and failed to",
    "hindsight": "obviously and clearly the signs were all there, of course he should have",
    "human-error": "human error, accidentally a mistake by the operator who mistyped",
    "judgmental-passive": "the alert was ignored by Dana and the warnings were dismissed",
    "minimisation": "all the on-call had to do was simply restart it",
    "normative-judgment": "a careless mistake and sloppy work by a lazy engineer",
    "person-as-cause": "Dana's change took down checkout because of Dana, her fault",
    "person-root-cause": "the root cause was Dana and Dana was the root cause",
    "procedure-violation": "the operator did not follow the runbook and skipped the checks",
    "single-root-cause": "the root cause",
    "person-targeted": "- [ ] remind everyone to be more careful and retrain the on-call",
}


def _long_line(rule: str, repeats: int) -> str:
    return " and ".join([PHRASES[rule]] * repeats) + "\n"


def _assert_linear(small: Counter[str], large: Counter[str]) -> None:
    assert sum(small.values()) > 0
    ratios = {key: large[key] / small[key] for key in small if small[key]}
    too_fast = {key: round(r, 2) for key, r in ratios.items() if r >= RATIO}
    assert not too_fast, f"work grew faster than the input: {too_fast}"


@pytest.mark.parametrize("rule", sorted(PHRASES))
def test_a_long_line_of_one_rules_pattern_is_linear(
    work: Callable[[str], Counter[str]], rule: str
) -> None:
    _assert_linear(work(_long_line(rule, 60)), work(_long_line(rule, 120)))


@pytest.mark.parametrize("rule", sorted(PHRASES))
def test_many_short_lines_are_linear(work: Callable[[str], Counter[str]], rule: str) -> None:
    def lines(n: int) -> str:
        return "".join(f"{PHRASES[rule]} {i}\n" for i in range(n))

    _assert_linear(work(lines(300)), work(lines(600)))


def test_a_long_table_is_linear(work: Callable[[str], Counter[str]]) -> None:
    _assert_linear(work(_table(100, 4)), work(_table(200, 4)))


def test_a_wide_table_is_linear(work: Callable[[str], Counter[str]]) -> None:
    _assert_linear(work(_table(4, 60)), work(_table(4, 120)))


def test_every_rule_has_a_phrase_and_every_rule_module_is_counted() -> None:
    assert set(PHRASES) == set(RULES)
    names = {m.__name__.rsplit(".", 1)[-1] for m in MODULES}
    rule_modules = {
        info.name
        for info in pkgutil.iter_modules(secondstory.core.review.rules.__path__)
        if not info.name.startswith("_")
    }
    assert rule_modules - {"person_targeted", "single_root_cause"} <= names
    assert {"segment", "context", "subjects", "ruler", "person_targeted"} <= names


def test_the_counting_sees_every_module(work: Callable[[str], Counter[str]]) -> None:
    text = "".join(f"{phrase}.\n\n" for phrase in PHRASES.values())
    counted = work("## Summary\n\n" + text)
    assert {m.__name__.rsplit(".", 1)[-1] for m in MODULES} <= set(counted)
