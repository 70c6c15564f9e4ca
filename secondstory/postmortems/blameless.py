"""Blameless-language review of a postmortem's sections, for the editor, the page and the
submission checklist (the engine is :mod:`secondstory.core.review`; this adds the
postmortem's people, the section headings and the dismissals recorded for it).
"""

from __future__ import annotations

import functools
import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from secondstory.accounts.models import User
from secondstory.core.review import Finding, ReviewConfig, load_config, review
from secondstory.postmortems.models import Postmortem, ReviewDismissal
from secondstory.postmortems.services import timeline_events
from secondstory.postmortems.writing_services import HEADINGS, page_sections

logger = logging.getLogger(__name__)

SEVERITIES = ("blame", "hindsight", "tone", "info")
# Flagged words that can simply be left out: "Apply" deletes them (the draft is empty).
_DROPPABLE = frozenset({"obviously", "clearly", "simply", "just", "of course", "trivially"})


@dataclass(frozen=True, slots=True)
class SectionFinding:
    """A finding of one section, its offsets into the section text."""

    field: str
    heading: str
    finding: Finding
    text: str  # the flagged words
    before: str  # the sentence before, inside and after the flagged span
    inside: str
    after: str
    draft: str | None  # a replacement for the flagged words, when one is safe to offer

    @property
    def rule(self) -> str:
        return self.finding.rule

    @property
    def severity(self) -> str:
        return self.finding.severity


def people_names(postmortem: Postmortem) -> list[str]:
    """Display names and usernames of the postmortem's people, and its timeline actors."""
    users: list[User] = [u for u in (postmortem.owner, postmortem.facilitator) if u is not None]
    users.extend(postmortem.collaborators.all())
    users.extend(postmortem.reviewers.all())
    names = {n for u in users for n in (u.name, u.username) if n}
    names.update(a for a in timeline_actors(postmortem) if a)
    return sorted(names)


def timeline_actors(postmortem: Postmortem) -> list[str]:
    """Each actor named on the timeline once (the database removes the repeats)."""
    events = timeline_events(postmortem).order_by()
    return list(events.values_list("actor", flat=True).distinct())


def _dismissed(postmortem: Postmortem) -> set[tuple[str, str, str]]:
    rows = postmortem.review_dismissals.values_list("section", "rule", "text")
    return {(s, r, t) for s, r, t in rows}


@functools.cache
def organisation_config() -> ReviewConfig:
    """The organisation's review settings (extra names and teams, rules on or off, preset)
    from a ``secondstory.toml`` in ``SECONDSTORY_HOME`` or above it; read once per process.
    A broken file is logged and ignored here; ``secondstory check`` reports it."""
    try:
        return load_config(Path(settings.HOME))
    except ValueError as exc:
        logger.warning("review settings ignored: %s", exc)
        return ReviewConfig()


def _section_findings(
    field: str,
    text: str,
    names: Iterable[str],
    dismissed: set[tuple[str, str, str]],
) -> list[SectionFinding]:
    heading = HEADINGS[field]
    prefix = f"## {heading}\n\n"
    out: list[SectionFinding] = []
    for f in review(prefix + text, names=names, config=organisation_config()):
        start, end = f.start - len(prefix), f.end - len(prefix)
        if start < 0:
            continue
        flagged = text[start:end]
        if (field, f.rule, flagged) in dismissed:
            continue
        sentence = f.sentence
        at = sentence.find(flagged)
        if at < 0:
            before, inside, after = sentence, "", ""
        else:
            before, inside, after = sentence[:at], flagged, sentence[at + len(flagged) :]
        draft = "" if flagged.lower() in _DROPPABLE else None
        shifted = Finding(
            f.rule,
            f.category,
            f.severity,
            start,
            end,
            f.line - 2,
            f.column,
            f.end_line - 2,
            f.end_column,
            f.sentence,
            f.message,
            f.suggestion,
        )
        out.append(SectionFinding(field, heading, shifted, flagged, before, inside, after, draft))
    return out


def section_findings(
    postmortem: Postmortem, field: str, text: str | None = None
) -> list[SectionFinding]:
    """Findings in one section (its saved text, or ``text`` as being edited), undismissed."""
    if text is None:
        text = getattr(postmortem, field)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        return []
    return _section_findings(field, text, people_names(postmortem), _dismissed(postmortem))


def postmortem_findings(postmortem: Postmortem) -> list[SectionFinding]:
    """Undismissed findings of every section with text, in page order."""
    names = people_names(postmortem)
    dismissed = _dismissed(postmortem)
    found: list[SectionFinding] = []
    for section in page_sections(postmortem):
        if section.text.strip():
            found.extend(_section_findings(section.field, section.text, names, dismissed))
    return found


def counts_by_severity(findings: Iterable[SectionFinding]) -> list[tuple[str, int]]:
    """(severity, count) for each severity present, most serious first."""
    counts = Counter(f.severity for f in findings)
    return [(s, counts[s]) for s in SEVERITIES if counts[s]]


def blame_count(postmortem: Postmortem) -> int:
    return sum(1 for f in postmortem_findings(postmortem) if f.severity == "blame")


def review_blocks_publishing() -> bool:
    return bool(getattr(settings, "SECONDSTORY_REVIEW_BLOCKS_PUBLISHING", False))


def blameless_context(user: User, postmortem: Postmortem) -> dict[str, object]:
    """What the postmortem page shows of the review: counts, findings, and (for the people
    who edit or review it) the dismissals with their reasons.

    Uses the people the page prefetched; two queries of its own (timeline actors, dismissals).
    """
    collaborators = list(postmortem.collaborators.all())
    reviewers = list(postmortem.reviewers.all())
    users = [u for u in (postmortem.owner, postmortem.facilitator) if u is not None]
    names = {n for u in (*users, *collaborators, *reviewers) for n in (u.name, u.username) if n}
    names.update(a for a in timeline_actors(postmortem) if a)
    people = sorted(names)
    rows: list[ReviewDismissal] = []
    if getattr(postmortem, "has_review_dismissals", True):  # annotated by the page's query
        rows = list(postmortem.review_dismissals.select_related("by"))
    dismissed = {(d.section, d.rule, d.text) for d in rows}
    findings: list[SectionFinding] = []
    for section in page_sections(postmortem):
        if section.text.strip():
            found = _section_findings(section.field, section.text, people, dismissed)
            findings.extend(found)
    sees_dismissals = user.is_staff or user in (postmortem.owner, *collaborators, *reviewers)
    dismissals = rows if sees_dismissals else []
    for d in dismissals:
        d.heading = HEADINGS.get(d.section, d.section)  # type: ignore[attr-defined]
    return {
        "review_findings": findings,
        "review_counts": counts_by_severity(findings),
        "review_dismissals": dismissals,
    }


def dismiss(
    postmortem: Postmortem,
    field: str,
    rule: str,
    text: str,
    sentence: str,
    reason: str,
    by: User,
) -> ReviewDismissal:
    """Record that ``by`` dismissed a finding (``reason`` required)."""
    if field not in HEADINGS:
        raise ValueError(f"unknown section {field!r}")
    if not reason.strip():
        raise ValueError("say why this finding does not apply")
    return ReviewDismissal.objects.create(
        postmortem=postmortem,
        section=field,
        rule=rule[:80],
        text=text[:500],
        sentence=sentence,
        reason=reason.strip(),
        by=by,
        at=timezone.now(),
    )
