"""judgmental-passive: "the alert was ignored", "the warning was dismissed"."""

from __future__ import annotations

import re
from collections.abc import Iterator

from secondstory.core.review.context import SentenceContext
from secondstory.core.review.ruler import Rule, Span
from secondstory.core.review.subjects import People, starts_with_human

_PASSIVE = re.compile(
    r"\b(?:alerts?|alarms?|warnings?|pages?|signals?|signs?|notifications?|tickets?|runbooks?|"
    r"procedures?|process|checklists?|polic(?:y|ies)|reviews?|escalations?|feedback|concerns?|"
    r"instructions?|guidance|advice|reports?|red flags?|symptoms?|indicators?|"
    r"recommendations?|emails?|messages? from|tests?|notices?|advisor(?:y|ies)|issues?|"
    r"tasks?|comments?|questions?|findings?|postmortems?|action items?|suggestions?|"
    r"objections?|complaints?|bugs?|reminders?|pings?|heads-up|errors? in the logs?)"
    r"(?:\s+(?:of|from|about|for|on|in)(?:\s+[\w'’-]+){1,5}?)?\s+"
    r"(?:was|were|had been|has been|have been|got|went|being)\s+(?:\w+ly\s+)?"
    r"(?:simply\s+|just\s+|completely\s+|all\s+)?"
    r"(?P<verb>ignored|dismissed|overlooked|disregarded|brushed (?:off|aside)|waved (?:off|"
    r"away|through)|neglected|missed|unheeded|unread|swept under the rug|not acted (?:on|upon)|"
    r"never acted (?:on|upon)|bypassed|skipped|circumvented|shrugged off|snoozed and forgotten)"
    r"(?:\s+by\s+(?P<agent>(?:[\w'’-]+\s*){1,3}))?",
    re.I,
)


_MISHANDLED = re.compile(
    r"\b(?:was|were|got|had been|has been)\s+(?:badly\s+|completely\s+|totally\s+)?"
    r"(?:mishandled|botched|bungled|fumbled|mismanaged|screwed up|messed up|neglected)\b",
    re.I,
)


def _find(text: str, ctx: SentenceContext, people: People) -> Iterator[Span]:
    for m in _PASSIVE.finditer(text):
        agent = m.group("agent")
        if agent and not starts_with_human(agent, people):
            continue  # "ignored by the retry logic" describes a system
        yield m.start(), m.end("verb")
    for m in _MISHANDLED.finditer(text):
        yield m.start(), m.end()


RULE = Rule(
    id="judgmental-passive",
    category="judgmental-passive",
    severity="blame",
    description="Judgmental passive: 'the alert was ignored', 'the warning was dismissed'.",
    message=(
        "The passive hides who and why while still implying negligence: alerts compete "
        "with other signals and their meaning is clear only afterwards."
    ),
    suggestion=(
        "What did the alert look like among the others firing then, and what made it look "
        "safe to defer: noise, ownership, or wording?"
    ),
    find=_find,
    triggers=(
        "ignored",
        "dismissed",
        "overlooked",
        "disregarded",
        "brushed",
        "waved",
        "neglected",
        "missed",
        "unheeded",
        "unread",
        "swept",
        "acted",
        "bypassed",
        "skipped",
        "circumvented",
        "shrugged",
        "snoozed",
        "mishandled",
        "botched",
        "bungled",
        "fumbled",
        "mismanaged",
        "screwed",
        "messed",
    ),
)
