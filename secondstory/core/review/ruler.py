"""The ordered chain of rules, enabled and disabled by id, with presets.

Shaped like markdown-it-py's ``Ruler``: each rule is a named object in one module; the chain
keeps their order; a preset names the rules it turns on, and ``enable``/``disable`` adjust it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from secondstory.core.review.context import SentenceContext
from secondstory.core.review.subjects import People

SEVERITIES = ("blame", "hindsight", "tone", "info")

# A match is a span (start, end) relative to the sentence, optionally with its own message.
Span = tuple[int, int]
Finder = Callable[[str, SentenceContext, People], Iterator[Span]]


@dataclass(frozen=True, slots=True)
class Rule:
    """One blameless-review rule.

    ``in_quotes``/``in_recommendations``/``in_meta``/``in_headings`` say whether it still runs
    in quoted text, in action items, in sentences about the review practice itself, and in
    headings and emphasised labels.
    """

    id: str
    category: str
    severity: str
    description: str
    message: str
    suggestion: str
    find: Finder
    # Lower-case fragments of which one must occur for the rule to run at all: a cheap
    # substring test that keeps the reviewer fast. Empty means "always run".
    triggers: tuple[str, ...] = ()
    in_quotes: bool = False
    in_recommendations: bool = False
    in_meta: bool = False
    in_headings: bool = False

    def applies_to(self, ctx: SentenceContext) -> bool:
        """Whether the rule runs at all for a sentence in this context."""
        if ctx.is_heading and not self.in_headings:
            return False
        if ctx.is_quote and not self.in_quotes:
            return False
        if ctx.is_recommendation and not self.in_recommendations:
            return False
        return not (ctx.is_meta and not self.in_meta)


_WORDS = re.compile(r"[a-z0-9'’-]+")
_CACHE_LIMIT = 200_000


class TriggerIndex:
    """Which rules may match a sentence, from its words, in one pass.

    Each distinct word is checked against every rule's trigger fragments once and remembered,
    so a sentence costs a handful of dictionary lookups instead of one scan per rule.
    """

    def __init__(self, rules: Iterable[Rule]) -> None:
        chain = list(rules)
        self._always = frozenset(r.id for r in chain if not r.triggers)
        self._word = [(r.id, tuple(t for t in r.triggers if " " not in t)) for r in chain]
        # A phrase is looked for only in sentences that have its first word, so a sentence
        # costs one dictionary lookup per distinct word however many phrases the rules have.
        self._phrase: dict[str, list[tuple[str, str]]] = {}
        for rule in chain:
            for phrase in (t for t in rule.triggers if " " in t):
                first = phrase.split(" ", 1)[0]
                self._phrase.setdefault(first, []).append((rule.id, phrase))
        self._cache: dict[str, frozenset[str]] = {}

    def _rules_for_word(self, word: str) -> frozenset[str]:
        if len(self._cache) > _CACHE_LIMIT:
            self._cache.clear()
        ids = frozenset(rid for rid, ts in self._word if any(t in word for t in ts))
        self._cache[word] = ids
        return ids

    def candidates(self, lowered: str) -> set[str]:
        """Ids of the rules whose triggers occur in a lower-cased sentence."""
        hits = set(self._always)
        cache = self._cache
        phrases = self._phrase
        for word in set(_WORDS.findall(lowered)):
            ids = cache.get(word)
            hits |= ids if ids is not None else self._rules_for_word(word)
            for rid, phrase in phrases.get(word, ()):
                if rid not in hits and phrase in lowered:
                    hits.add(rid)
        return hits


class UnknownRuleError(ValueError):
    """A rule id or preset name that the chain does not know."""


class Ruler:
    """An ordered, named chain of rules."""

    def __init__(self, rules: Iterable[Rule] = ()) -> None:
        self._rules: list[Rule] = []
        self.index = TriggerIndex(())
        for rule in rules:
            self.push(rule)

    def push(self, rule: Rule) -> None:
        """Append a rule; its id must be new and its severity known."""
        if rule.severity not in SEVERITIES:
            raise ValueError(f"rule {rule.id!r}: unknown severity {rule.severity!r}")
        if any(r.id == rule.id for r in self._rules):
            raise ValueError(f"rule {rule.id!r} is already in the chain")
        self._rules.append(rule)
        self.index = TriggerIndex(self._rules)

    def __iter__(self) -> Iterator[Rule]:
        return iter(self._rules)

    def ids(self) -> tuple[str, ...]:
        """Rule ids in chain order."""
        return tuple(r.id for r in self._rules)

    def active(
        self, base: Iterable[str], enable: Iterable[str], disable: Iterable[str]
    ) -> list[Rule]:
        """The rules of ``base`` plus ``enable`` minus ``disable``, in chain order."""
        known = set(self.ids())
        wanted = set(base) | set(enable)
        unknown = (wanted | set(disable)) - known
        if unknown:
            raise UnknownRuleError(f"unknown review rule(s): {', '.join(sorted(unknown))}")
        wanted -= set(disable)
        return [r for r in self._rules if r.id in wanted]
