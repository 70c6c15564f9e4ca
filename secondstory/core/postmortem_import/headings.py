"""What a heading of a free-form postmortem is about.

Headings are compared without case, numbering ("1.", "2)", "IV."), emoji, Markdown emphasis,
"(s)" plurals and trailing punctuation; the first rule whose pattern matches wins, so more
specific names ("summary of impact", "root cause and mitigation") come before general ones.
"""

from __future__ import annotations

import re

# Targets other than the section fields of taxonomy.SECTIONS.
TIMELINE = "timeline"
FACTORS = "factors"
ACTIONS = "action_items"
LESSONS = "lessons"

_RULES: tuple[tuple[str, str], ...] = (
    (TIMELINE, r"time ?line|chronology|chain of events|sequence of events|event log"),
    ("went_well", r"went (?:well|right)|worked well|good things"),
    (
        "went_poorly",
        r"went (?:poorly|wrong|badly|bad)|didn'?t go well|did not go well|could have gone better"
        r"|could be improved|to improve|what (?:was|went) hard",
    ),
    ("got_lucky", r"\blucky\b|\bluck\b"),
    ("impact", r"\bimpact|affected users|blast radius|customer effect"),
    (
        ACTIONS,
        r"action items?|actions? taken to prevent|follow[- ]?ups?|next steps|remediation"
        r"|corrective actions?|preventive actions?|recommendations|\btodos?\b|\bactions\b",
    ),
    (
        FACTORS,
        r"root ?causes?|contributing factors?|\bcauses?\b|\bwhy\b|\bwhys\b|what caused"
        r"|underlying (?:issue|problem)|analysis|process breakdowns?",
    ),
    ("trigger", r"\btriggers?\b"),
    ("detection", r"detect"),
    (LESSONS, r"lessons?(?: learned| learnt)?|learnings|takeaways|what we learned"),
    ("surprises", r"surprises?|surprising"),
    ("open_questions", r"open questions|unanswered|questions"),
    ("messaging", r"messaging|communications?|comms\b|status page|customer notice"),
    (
        "response",
        r"resolution|recovery|\bresponse\b|mitigation|how (?:it|we) (?:was |were )?fixed|the fix",
    ),
    (
        "summary",
        r"summary|overview|tl;? ?dr|description|what happened|\babstract\b|incident report"
        r"|about the incident|synopsis",
    ),
    ("background", r"background|context|\bsetting\b"),
    (
        "supporting_links",
        r"supporting|\blinks?\b|references?|appendix|appendices|related|further reading"
        r"|\bdocuments\b|\bsources\b",
    ),
)
_COMPILED = tuple((target, re.compile(pattern)) for target, pattern in _RULES)
_NUMBERING = re.compile(r"^(?:\d+(?:\.\d+)*[.)]?|[ivxlc]+[.)]|[a-z][.)])\s+")
_NOISE = re.compile(r"[^\w\s;'/&-]+")


def normalize(heading: str) -> str:
    """A heading reduced to its words.

    >>> normalize("2. 🔥 Root Cause(s):"), normalize("**TL;DR**")
    ('root causes', 'tl;dr')
    """
    text = heading.replace("(s)", "s").replace("(S)", "S").casefold()
    text = _NOISE.sub(" ", text)
    text = " ".join(text.split())
    text = _NUMBERING.sub("", text).strip(" ;-'/&")
    return text


def classify(heading: str) -> str | None:
    """The section field, or TIMELINE / FACTORS / ACTIONS / LESSONS, or None if unknown.

    >>> classify("Summary of impact"), classify("Root cause and mitigation")
    ('impact', 'factors')
    >>> classify("What went well?"), classify("Resolution"), classify("Attendees") is None
    ('went_well', 'response', True)
    """
    text = normalize(heading)
    if not text or len(text) > 80:
        return None
    for target, pattern in _COMPILED:
        if pattern.search(text):
            return target
    return None
