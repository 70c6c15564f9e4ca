"""Blameless-language review: flags blame, counterfactual, hindsight and minimising language.

Example:
    >>> from secondstory.core.review import review
    >>> [f.rule for f in review("The on-call engineer should have checked the dashboard.")]
    ['counterfactual']
    >>> review("The health check failed to detect the stuck worker.")
    []
"""

from __future__ import annotations

import hashlib
import json
from bisect import bisect_right
from collections.abc import Iterable

from secondstory.core.review.config import (
    ConfigError,
    ReviewConfig,
    load_config,
    load_plugins,
)
from secondstory.core.review.context import context_of
from secondstory.core.review.finding import Finding
from secondstory.core.review.merge import merge_overlapping
from secondstory.core.review.ruler import Rule, Ruler, UnknownRuleError
from secondstory.core.review.rules import BUILTIN_RULES
from secondstory.core.review.segment import sentences
from secondstory.core.review.subjects import People

__all__ = [
    "ENGINE_VERSION",
    "MAX_REVIEW_CHARS",
    "PRESETS",
    "RULES",
    "ConfigError",
    "Finding",
    "ReviewConfig",
    "ReviewTooLargeError",
    "Rule",
    "UnknownRuleError",
    "fingerprint",
    "load_config",
    "review",
]

# Bumped whenever a change to the engine can change its findings: stored reviews made by
# another version are then done again (see fingerprint()).
ENGINE_VERSION = "4"
# The most text one review call reads. The engine is linear, but a caller that must answer
# quickly needs a bound it can rely on; a postmortem section is at most 100,000 characters.
MAX_REVIEW_CHARS = 1_000_000


class ReviewTooLargeError(ValueError):
    """Text longer than MAX_REVIEW_CHARS: the message says how long it is and the limit."""


_CHAIN = Ruler(BUILTIN_RULES)
RULES: dict[str, Rule] = {rule.id: rule for rule in _CHAIN}
_DEFAULT = tuple(r.id for r in BUILTIN_RULES if r.id != "single-root-cause")
PRESETS: dict[str, tuple[str, ...]] = {
    "default": _DEFAULT,
    "strict": (*_DEFAULT, "single-root-cause"),
}
_plugins_loaded = False


def _load_plugins_once() -> None:
    global _plugins_loaded
    if _plugins_loaded:
        return
    plugins = load_plugins()  # raises ConfigError naming a broken plugin; retried next call
    _plugins_loaded = True
    for rule in plugins:
        _CHAIN.push(rule)
        RULES[rule.id] = rule
        PRESETS["default"] = (*PRESETS["default"], rule.id)
        PRESETS["strict"] = (*PRESETS["strict"], rule.id)


def _active_rules(preset: str, enable: Iterable[str], disable: Iterable[str]) -> list[Rule]:
    if preset not in PRESETS:
        raise UnknownRuleError(f"unknown review preset {preset!r} (known: {', '.join(PRESETS)})")
    return _CHAIN.active(PRESETS[preset], enable, disable)


def review(
    text: str,
    *,
    names: Iterable[str] = (),
    preset: str = "default",
    disable: Iterable[str] = (),
    enable: Iterable[str] = (),
    config: ReviewConfig | None = None,
) -> list[Finding]:
    """Review Markdown text and return findings in document order, one per problem
    (findings of several rules on overlapping words are merged: see ``merge``).

    ``names`` are people known for this postmortem (participants, timeline actors); settings
    in ``config`` add names, teams and enabled/disabled rules; an explicit ``preset`` other
    than "default" wins over the configured one.
    """
    if len(text) > MAX_REVIEW_CHARS:
        raise ReviewTooLargeError(
            f"too long to review: {len(text):,} characters (the limit is {MAX_REVIEW_CHARS:,})"
        )
    _load_plugins_once()
    cfg = config or ReviewConfig()
    chosen = preset if preset != "default" else cfg.preset
    rules = _active_rules(chosen, (*cfg.enable, *enable), (*cfg.disable, *disable))
    people = People.of((*cfg.names, *names), cfg.teams)
    line_starts = [0]
    line_starts.extend(i + 1 for i, ch in enumerate(text) if ch == "\n")
    findings: list[Finding] = []
    seen: set[tuple[str, int, int]] = set()
    for sentence in sentences(text):
        ctx = context_of(sentence)
        original = text[sentence.start : sentence.start + len(sentence.text)]
        candidates = _CHAIN.index.candidates(sentence.text.lower())
        for rule in rules:
            if rule.id not in candidates or not rule.applies_to(ctx):
                continue
            for a, b in rule.find(sentence.text, ctx, people):
                start, end = sentence.start + a, sentence.start + b
                if (rule.id, start, end) in seen:
                    continue
                seen.add((rule.id, start, end))
                line, col = _position(line_starts, start)
                end_line, end_col = _position(line_starts, end)
                findings.append(
                    Finding(
                        rule.id,
                        rule.category,
                        rule.severity,
                        start,
                        end,
                        line,
                        col,
                        end_line,
                        end_col,
                        original,
                        rule.message,
                        rule.suggestion,
                    )
                )
    return merge_overlapping(findings)


def fingerprint(
    text: str,
    *,
    names: Iterable[str] = (),
    preset: str = "default",
    config: ReviewConfig | None = None,
) -> str:
    """A hash of everything a review's findings depend on: the text, the people's names, the
    settings in force, the engine version and the rules in the chain (plugins included).

    Equal fingerprints mean equal findings, so a stored review can be reused.

    Example:
        >>> fingerprint("It broke.") == fingerprint("It broke.")
        True
        >>> fingerprint("It broke.") == fingerprint("It broke.", names=["Dana"])
        False
    """
    _load_plugins_once()
    cfg = config or ReviewConfig()
    settings = [cfg.names, cfg.teams, cfg.disable, cfg.enable, cfg.preset, preset]
    state = [ENGINE_VERSION, _CHAIN.ids(), settings, sorted(set(names))]
    digest = hashlib.sha256(json.dumps(state).encode("utf-8"))
    digest.update(b"\0")
    digest.update(text.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def _position(line_starts: list[int], offset: int) -> tuple[int, int]:
    """1-based (line, column) of a character offset."""
    index = bisect_right(line_starts, offset) - 1
    return index + 1, offset - line_starts[index] + 1
