"""Per-sentence context, so the rules do not cry wolf.

A sentence knows its section heading, whether it is quoted (block quote or a chat-shaped line
such as ``14:02 <dana> …`` or ``[14:02] dana: …``), whether it is a recommendation (in an
action-item / follow-up / recommendations section, or a task-list item), and whether it talks
about the blameless process itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from secondstory.core.review.segment import Sentence

_RECOMMENDATION_HEADING = re.compile(
    r"action|follow[- ]?up|recommend|what we will|what we'll|next step|remediation|todo|to do"
    r"|improvement|prevent|mitigation|lessons? learn|going forward|proposal|tasks?\b",
    re.I,
)
_TIMELINE_HEADING = re.compile(r"timeline|chronolog|sequence of events|log\b", re.I)
_TIME = r"\[?\d{1,2}:\d{2}(?::\d{2})?\]?"
_CHAT_LINE = re.compile(
    rf"^\s*(?:{_TIME}\s*(?!UTC\b)(?:<[@\w.-]+>|@?[\w.-]+:\s|\*\*[\w. -]+\*\*:)|<[@\w.-]+>\s)"
)
_ALERT_LINE = re.compile(
    rf"^\s*(?:{_TIME}\s*)?\[?(?:FIRING|RESOLVED|ALERT|PAGE|WARN|CRIT\w*|ERROR)\b"
)
# Statements about the review practice, e.g. "we avoid 'human error' as a cause".
_META = re.compile(
    r"\bblameless\b|\bblame-?free\b"
    r"|\b(?:not|never|no|avoid\w*|rather than|instead of|without|refus\w*|don't|do not)\b[^.]{0,50}"
    r"\b(?:blam\w*|human error|root cause|fault|who (?:should|could))"
    r"|[\"“'‘](?:human error|operator error|root cause|should have)[\"”'’]"
    r"|\b(?:human error|blam\w*|root causes?|hindsight|counterfactuals?)\b[^.]{0,40}\b(?:is|are)\s+"
    r"(?:a |the |an |only )?(?:starting point|symptom|label|not\b|never\b|rarely\b|no\b|unhelpful|"
    r"misleading)"
    r"|^\W*(?:asking|saying|writing|calling|labell?ing|blaming|framing)\b",
    re.I,
)


_META_HINT = re.compile(
    r"blam|fault|human error|operator error|root cause|should have|who (?:should|could)|"
    r"hindsight|counterfactual|^\W*(?:asking|saying|writing|calling|label)",
    re.I,
)


# A sentence that is nothing but an emphasised label: "**Root causes:**", "*What went wrong?*",
# "__Trigger__".
_LABEL_ONLY = re.compile(r"^\s*(?:(\*\*|__|\*|_)[^*_\n]{1,80}?\1\s*[:?.]?\s*$|title:\s)", re.I)


@dataclass(frozen=True, slots=True)
class SentenceContext:
    """What the rules may know about a sentence besides its words."""

    heading: str
    is_quote: bool
    is_recommendation: bool
    is_timeline: bool
    is_meta: bool
    # A heading, or a line that is only a bold or italic label ("**Root causes:**"): the
    # structure of the document, not a claim about anyone.
    is_heading: bool = False


def context_of(sentence: Sentence) -> SentenceContext:
    """Derive the context of one sentence from its block and its text."""
    block = sentence.block
    text = sentence.text
    lead = text.lstrip()[:1]
    quoted = block.in_quote or (
        (lead.isdigit() or lead in "[<" or lead.isupper())
        and (bool(_CHAT_LINE.match(text)) or bool(_ALERT_LINE.match(text)))
    )
    heading = block.heading
    recommendation = block.is_task or bool(heading and _RECOMMENDATION_HEADING.search(heading))
    return SentenceContext(
        heading=heading,
        is_quote=quoted,
        is_recommendation=recommendation,
        is_timeline=bool(heading and _TIMELINE_HEADING.search(heading)),
        is_meta=_META_HINT.search(text) is not None and _META.search(text) is not None,
        is_heading=block.is_heading or _LABEL_ONLY.match(text) is not None,
    )
