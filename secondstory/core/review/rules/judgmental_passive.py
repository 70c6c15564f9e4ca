"""judgmental-passive: "the alert was ignored", "the warning was dismissed"."""

from __future__ import annotations

import re
from collections.abc import Iterator

from secondstory.core.review.context import SentenceContext
from secondstory.core.review.ruler import Rule, Span
from secondstory.core.review.rules._words import alternation, inflections
from secondstory.core.review.subjects import People, starts_with_human

# Things that carry a warning, a request or a duty to someone.
_SIGNALS = (
    r"(?:alerts?|alarms?|warnings?|pages?|signals?|signs?|notifications?|tickets?|runbooks?|"
    r"procedures?|process|checklists?|polic(?:y|ies)|reviews?|escalations?|feedback|concerns?|"
    r"instructions?|guidance|advice|reports?|red flags?|symptoms?|indicators?|"
    r"recommendations?|emails?|messages? from|tests?|notices?|advisor(?:y|ies)|issues?|"
    r"tasks?|comments?|questions?|findings?|postmortems?|action items?|suggestions?|"
    r"objections?|complaints?|bugs?|reminders?|pings?|heads-up|errors? in the logs?|notes|"
    r"handover|hand-off|handoff|requests? for help|approval step|steps?|sign-?offs?|"
    r"dashboards?|canary|canaries|documentation|docs|playbooks?|memos?|calls?)"
)
# Verbs of neglect, every inflection a passive can take ("was ignored", "went unheeded").
# Silencing or muting an alert is routine on its own; only "silenced and forgotten" or "muted
# instead of investigated" judge it.
_NEGLECT = alternation(
    [
        *inflections(
            "ignore",
            "dismiss",
            "overlook",
            "disregard",
            "neglect",
            "miss",
            "bypass",
            "skip",
            "circumvent",
            "shelve",
            "forget",
            "brush off",
            "brush aside",
            "wave off",
            "wave away",
            "wave through",
            "shrug off",
            "sweep under the rug",
            "sweep under the carpet",
            "put on the back burner",
            forms="participle",
        ),
        "unheeded",
        "unread",
        "unanswered",
        "unacknowledged",
        "unaddressed",
        "unattended",
    ]
)
_NOT_DONE = (
    r"(?:not|never)\s+(?:once\s+)?(?:acted\s+(?:on|upon)|looked\s+at|read|consulted|checked|"
    r"opened|answered|acknowledged|escalated|taken\s+seriously|followed\s+up(?:\s+on)?|"
    r"investigated|heeded|passed\s+on)"
)
_PASSIVE = re.compile(
    r"\b" + _SIGNALS + r"(?:['’]s\s+[\w-]+)?"
    r"(?:\s+(?:of|from|about|for|on|in|the|that|which|we|they|he|she)(?:\s+[\w'’-]+){1,5}?)?\s+"
    r"(?:was|were|had been|has been|have been|got|went|being|sat|lay|remained|stayed|"
    r"was left|were left|had been left|went|were all|was all)\s+(?:\w+ly\s+)?"
    r"(?:simply\s+|just\s+|completely\s+|all\s+|then\s+)?"
    r"(?P<verb>" + _NEGLECT + r"|" + _NOT_DONE + r"|deleted\s+without\s+being\s+read|"
    r"closed\s+without\s+(?:anyone\s+|anybody\s+)?(?:looking|reading|checking|answering)|"
    r"muted\s+instead\s+of\s+\w+|silenced\s+and\s+(?:then\s+)?forgotten(?:\s+about)?|"
    r"left\s+(?:unread|unanswered|unattended|unacknowledged|to\s+rot|sitting))"
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
        "unanswered",
        "unacknowledged",
        "unaddressed",
        "unattended",
        "shelved",
        "silenced",
        "muted",
        "forgotten",
        "burner",
        "rug",
        "carpet",
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
        "looked at",
        "read",
        "consulted",
        "checked",
        "opened",
        "answered",
        "escalated",
        "seriously",
        "followed up",
        "investigated",
        "heeded",
        "passed on",
        "deleted without",
        "closed without",
    ),
)
