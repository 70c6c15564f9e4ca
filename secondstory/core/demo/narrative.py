"""The Markdown sections of a postmortem, and the blame-laden drafts.

Everything here is written in a blameless voice (systems, not people), except
``BLAME_SENTENCES``: a few recent drafts get some of those, so that a
blameless-language reviewer has something to find.
"""

from __future__ import annotations

import random

from secondstory.core.demo.theme import Theme
from secondstory.core.record import ExternalReference

# Phrases that only ever appear in the deliberately blame-laden drafts.
BLAME_MARKERS: tuple[str, ...] = (
    "should have",
    "obviously",
    "human error",
    "simply forgot",
    "was ignored",
    "never have happened",
    "careless",
)

BLAME_SENTENCES: tuple[str, ...] = (
    "{oncall_first} should have checked the dashboard before acknowledging the page.",
    "It was obviously a bad idea to let this run without anyone watching it.",
    "Root cause: human error by the on-call.",
    "The on-call simply forgot to follow the runbook.",
    "The alert was ignored for {ttd}.",
    "In hindsight the warning signs were there, and the team should have acted on them "
    "much earlier.",
    "If {oncall_first} had followed the checklist this would never have happened.",
    "A careless mistake during the response made it last longer than it needed to.",
)

GENERIC_WENT_WELL: tuple[str, ...] = (
    "The page reached the on-call within a minute of the alert.",
    "Responders narrated what they were doing in the channel, which made the timeline easy "
    "to rebuild.",
    "Help arrived quickly once the incident was declared.",
)
GENERIC_WENT_POORLY: tuple[str, ...] = (
    "Early findings were shared in direct messages and reached the channel later.",
    "Two people followed the same lead in parallel without knowing it.",
    "The dashboards linked from the alert did not show the relevant graph.",
)
GENERIC_OPEN_QUESTIONS: tuple[str, ...] = (
    "Would a game day have surfaced this earlier?",
    "Is the severity we chose the right one, looking back at the impact numbers?",
)
DRAFT_NOTES: tuple[str, ...] = (
    "_Still to check: the numbers, with the data team._",
    "_Draft: the timeline is still being cleaned up._",
    "_Still to add: the graphs from the incident channel._",
)
NOT_REQUIRED_REASONS: tuple[str, ...] = (
    "Duplicate alert for the condition already covered by {prev}; no additional impact.",
    "Same cause as {prev}, whose postmortem covers it; nothing new to learn here.",
)
NOT_REQUIRED_GENERIC = "SEV4 with minimal impact; the fix is tracked in the team's backlog."
NOT_DOING_REASONS: tuple[str, ...] = (
    "Superseded by a broader item on the platform roadmap (see the linked tracker issue).",
    "Another team's planned work makes this unnecessary; agreed with them in the review.",
    "The cost outweighs the benefit with the other changes in place; revisit if it recurs.",
    "Covered by an action item from an earlier postmortem of the same kind.",
    "Decided against after review: it would add a failure mode of its own.",
)

OPTIONAL = ("background", "got_lucky", "open_questions")


def _cap(text: str) -> str:
    """Capitalise a sentence, unless it starts with an identifier such as ``orders-db``."""
    first = text.split(" ", 1)[0]
    if not first.isalpha():
        return text
    return text[:1].upper() + text[1:]


def _fill(template: str, facts: dict[str, str]) -> str:
    """Fill a template; capitalise it if it starts with a placeholder."""
    text = template.format_map(facts)
    return _cap(text) if template[:1] == "{" else text


def _bullets(rng: random.Random, pool: tuple[str, ...], k: int) -> list[str]:
    """``k`` different entries of ``pool``, starting at a random one."""
    start = int(rng.random() * len(pool))
    rotated = pool[start:] + pool[:start]
    return list(rotated[:k])


def _md_list(lines: list[str], facts: dict[str, str]) -> str:
    return "\n".join(f"- {_fill(line, facts)}" for line in lines)


def full_sections(
    rng: random.Random,
    theme: Theme,
    facts: dict[str, str],
    *,
    public: bool,
    refs: list[ExternalReference],
) -> dict[str, str]:
    """Every section, as a complete postmortem would have them."""
    pick = rng.choice
    impact = "\n".join(line.format_map(facts) for line in theme.impact)
    impact += (
        f"\n- Impact lasted {facts['impact_dur']}, from {facts['impact_hm']} to "
        f"{facts['mitigated_hm']} UTC (source: incident milestones)."
    )
    detection = _fill(pick(theme.detection_text), facts) + (
        f" Time to detect was {facts['ttd']}; the page was acknowledged {facts['tta']} later."
    )
    sections = {
        "summary": _fill(pick(theme.summary), facts),
        "background": _fill(pick(theme.background), facts),
        "impact": impact,
        "detection": detection,
        "response": _cap(pick(theme.response_text).format_map(facts)),
        "trigger": _fill(pick(theme.trigger), facts),
        "went_well": _md_list(
            _bullets(rng, theme.went_well, 2) + _bullets(rng, GENERIC_WENT_WELL, 1), facts
        ),
        "went_poorly": _md_list(
            _bullets(rng, theme.went_poorly, 2) + _bullets(rng, GENERIC_WENT_POORLY, 1), facts
        ),
        "got_lucky": _md_list(_bullets(rng, theme.got_lucky, 1), facts),
        "surprises": _md_list(_bullets(rng, theme.surprises, 2), facts),
        "open_questions": _md_list(
            _bullets(rng, theme.open_questions, 2) + _bullets(rng, GENERIC_OPEN_QUESTIONS, 1),
            facts,
        ),
    }
    if public:
        sections["messaging"] = (
            f"The status page was opened shortly after the page was acknowledged "
            f"({facts['ack_hm']} UTC) and updated until recovery. Support had a heads-up in "
            f"#support and a prepared reply for tickets about {facts['symptom']}."
        )
    elif rng.random() < 0.3:
        sections["messaging"] = "No external messaging: no customer-visible impact was expected."
    if refs:
        sections["supporting_links"] = "\n".join(
            f"- [{ref.system}: {ref.identifier}]({ref.url})" if ref.url else f"- {ref.identifier}"
            for ref in refs
        )
    for name in OPTIONAL:
        if rng.random() < 0.3:
            del sections[name]
    return sections


def sections_for_status(
    rng: random.Random, full: dict[str, str], status: str, facts: dict[str, str], blame: bool
) -> dict[str, str]:
    """Cut a complete set of sections down to what a postmortem in ``status`` has."""
    if status in ("approved", "published"):
        return full
    if status == "in_review":
        keep = {k: v for k, v in full.items() if k == "summary" or rng.random() < 0.85}
        return keep
    if status == "not_required":
        return {
            "summary": full["summary"],
            "impact": "No further customer impact beyond what is described in the linked incident.",
        }
    # A draft: partial, sometimes with notes to self.
    chances = {"summary": 0.85, "impact": 0.7, "trigger": 0.6, "detection": 0.45}
    draft = {k: v for k, v in full.items() if rng.random() < chances.get(k, 0.25)}
    if blame:
        draft["summary"] = full["summary"]
        lines = [s.format_map(facts) for s in rng.sample(BLAME_SENTENCES, 3)]
        draft["went_poorly"] = "\n".join(f"- {line}" for line in lines[:2])
        draft["response"] = full["response"] + " " + lines[2]
    if draft and rng.random() < 0.5:
        name = rng.choice(sorted(draft))
        draft[name] += "\n\n" + rng.choice(DRAFT_NOTES)
    return draft


def has_blame(text: str) -> bool:
    lowered = text.lower()
    return any(marker in lowered for marker in BLAME_MARKERS)
