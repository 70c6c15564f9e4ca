"""Blameless-language review of a postmortem's sections, for the editor, the page and the
submission checklist (the engine is :mod:`secondstory.core.review`; this adds the
postmortem's people, the section headings and the dismissals recorded for it).

The saved text of a section is reviewed once per version: the engine's findings are stored in
:class:`ReviewCache` under a fingerprint of the text and everything else they depend on, so
every app server reuses them. The postmortem page spends at most
``SECONDSTORY_REVIEW_BUDGET_MS`` on sections not reviewed yet and leaves the rest to a
fragment it fetches afterwards (see docs/review.md).
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from secondstory.accounts import permissions
from secondstory.accounts.models import User
from secondstory.core.review import Finding, ReviewConfig, fingerprint, load_config, review
from secondstory.postmortems.models import Postmortem, ReviewCache, ReviewDismissal
from secondstory.postmortems.services import timeline_events
from secondstory.postmortems.writing_services import HEADINGS, page_sections

logger = logging.getLogger(__name__)

SEVERITIES = ("blame", "hindsight", "tone", "info")
# Flagged words that can simply be left out: "Apply" deletes them (the draft is empty).
_DROPPABLE = frozenset({"obviously", "clearly", "simply", "just", "of course", "trivially"})
# A conservative speed of the engine, to tell whether a section fits in what is left of the
# page's budget before starting on it (the engine is linear; it reviews pathological input such
# as 50,000 very short lines at about 75,000 characters a second, prose several times faster).
_CHARS_PER_SECOND = 50_000


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
    place: str = ""  # where the page shows an item's text (a factor, action item or event)

    @property
    def rule(self) -> str:
        return self.finding.rule

    @property
    def severity(self) -> str:
        return self.finding.severity

    @property
    def anchor(self) -> str:
        """Where the postmortem page shows the text: a section, factor, item or event."""
        if ":" in self.field or self.field == "customer-summary":
            return self.place
        return f"section-{self.field}"


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


def _prefixed(field: str, text: str) -> str:
    return f"## {HEADINGS[field]}\n\n{text}"


def _engine(field: str, text: str, names: Iterable[str]) -> list[Finding]:
    """The engine's findings for a section, under its heading (the heading's offsets kept)."""
    return review(_prefixed(field, text), names=names, config=organisation_config())


def _fingerprint(field: str, text: str, names: Iterable[str]) -> str:
    return fingerprint(_prefixed(field, text), names=names, config=organisation_config())


def _cache_of(postmortem: Postmortem) -> dict[str, ReviewCache]:
    return {entry.section: entry for entry in ReviewCache.objects.filter(postmortem=postmortem)}


def _cached(entry: ReviewCache | None, key: str) -> list[Finding] | None:
    if entry is None or entry.fingerprint != key:
        return None
    return [Finding.from_record(item) for item in entry.findings]


def _store(postmortem: Postmortem, reviewed: dict[str, tuple[str, list[Finding]]]) -> None:
    """Keep the findings of sections' current texts, replacing those of older texts, in one
    statement (an upsert, so two servers storing the same section at once do not clash)."""
    if not reviewed:
        return
    now = timezone.now()
    entries = [
        ReviewCache(
            postmortem=postmortem,
            section=field,
            fingerprint=key,
            findings=[dataclasses.asdict(f) for f in findings],
            reviewed_at=now,
        )
        for field, (key, findings) in reviewed.items()
    ]
    ReviewCache.objects.bulk_create(
        entries,
        update_conflicts=True,
        unique_fields=["postmortem", "section"],
        update_fields=["fingerprint", "findings", "reviewed_at"],
    )


def _saved_findings(
    postmortem: Postmortem,
    field: str,
    text: str,
    names: Iterable[str],
    cache: dict[str, ReviewCache],
) -> list[Finding]:
    """The findings of a section's saved text: from the cache, or reviewed now and stored."""
    key = _fingerprint(field, text, names)
    found = _cached(cache.get(field), key)
    if found is None:
        found = _engine(field, text, names)
        _store(postmortem, {field: (key, found)})
    return found


def _shown(
    field: str,
    text: str,
    findings: Iterable[Finding],
    dismissed: set[tuple[str, str, str]],
) -> list[SectionFinding]:
    """The engine's findings as the section shows them: offsets into the section text, the
    dismissed ones left out."""
    prefix = len(_prefixed(field, ""))
    return shown_findings(field, HEADINGS[field], prefix, 2, text, findings, dismissed)


def shown_findings(
    part: str,
    heading: str,
    prefix: int,
    lines_before: int,
    text: str,
    findings: Iterable[Finding],
    dismissed: set[tuple[str, str, str]],
    place: str = "",
) -> list[SectionFinding]:
    """Findings of ``text`` reviewed after a ``prefix`` of that many characters and lines
    (its heading), as offsets into ``text``; those dismissed for ``part`` left out."""
    out: list[SectionFinding] = []
    for f in findings:
        start, end = f.start - prefix, f.end - prefix
        if start < 0:
            continue
        flagged = text[start:end]
        if (part, f.rule, flagged) in dismissed:
            continue
        sentence = f.sentence
        at = sentence.find(flagged)
        if at < 0:
            before, inside, after = sentence, "", ""
        else:
            before, inside, after = sentence[:at], flagged, sentence[at + len(flagged) :]
        draft = "" if flagged.lower() in _DROPPABLE else None
        shifted = dataclasses.replace(
            f,
            start=start,
            end=end,
            line=f.line - lines_before,
            end_line=f.end_line - lines_before,
        )
        out.append(
            SectionFinding(part, heading, shifted, flagged, before, inside, after, draft, place)
        )
    return out


def section_findings(
    postmortem: Postmortem, field: str, text: str | None = None
) -> list[SectionFinding]:
    """Findings in one section (its saved text, or ``text`` as being edited), undismissed."""
    saved = _normalised(getattr(postmortem, field))
    text = saved if text is None else _normalised(text)
    if not text.strip():
        return []
    names = people_names(postmortem)
    if text == saved:
        found = _saved_findings(postmortem, field, text, names, _cache_of(postmortem))
    else:
        found = _engine(field, text, names)  # a draft being typed: not stored
    return _shown(field, text, found, _dismissed(postmortem))


def _normalised(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def postmortem_findings(postmortem: Postmortem) -> list[SectionFinding]:
    """Undismissed findings of every section with text, in page order."""
    names = people_names(postmortem)
    dismissed = _dismissed(postmortem)
    cache = _cache_of(postmortem)
    reviewed: dict[str, tuple[str, list[Finding]]] = {}
    found: list[SectionFinding] = []
    for section in page_sections(postmortem):
        if section.text.strip():
            key = _fingerprint(section.field, section.text, names)
            raw = _cached(cache.get(section.field), key)
            if raw is None:
                raw = _engine(section.field, section.text, names)
                reviewed[section.field] = (key, raw)
            found.extend(_shown(section.field, section.text, raw, dismissed))
    _store(postmortem, reviewed)
    return found


def counts_by_severity(findings: Iterable[SectionFinding]) -> list[tuple[str, int]]:
    """(severity, count) for each severity present, most serious first."""
    counts = Counter(f.severity for f in findings)
    return [(s, counts[s]) for s in SEVERITIES if counts[s]]


def review_budget() -> float:
    """Seconds the postmortem page may spend reviewing sections not reviewed yet."""
    return max(0, int(getattr(settings, "SECONDSTORY_REVIEW_BUDGET_MS", 300))) / 1000


def blameless_context(
    user: User, postmortem: Postmortem, budget: float | None = None
) -> dict[str, object]:
    """What the postmortem page shows of the review: counts, findings, and (for the people
    who edit or review it) the dismissals with their reasons.

    Sections reviewed before come from the cache. The others are reviewed in page order while
    ``budget`` seconds allow (None: no limit); those left are listed in ``review_pending`` for
    the page to fetch afterwards. Uses the people the page prefetched; the timeline's actors
    and the dismissals are queries of its own.
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
    cache = _cache_of(postmortem)
    started = time.monotonic()
    reviewed: dict[str, tuple[str, list[Finding]]] = {}
    findings: list[SectionFinding] = []
    pending: list[str] = []
    for section in page_sections(postmortem):
        if not section.text.strip():
            continue
        key = _fingerprint(section.field, section.text, people)
        found = _cached(cache.get(section.field), key)
        if found is None:
            cost = len(section.text) / _CHARS_PER_SECOND
            if budget is not None and time.monotonic() - started + cost > budget:
                pending.append(section.heading)
                continue
            found = _engine(section.field, section.text, people)
            reviewed[section.field] = (key, found)
        findings.extend(_shown(section.field, section.text, found, dismissed))
    _store(postmortem, reviewed)
    # Factors, action items, hand-written events and the customer summary: short texts
    # reviewed here (item_review builds on this module, hence the late import).
    from secondstory.postmortems.item_review import (
        ITEM_REVIEW_MEMO,
        item_findings_for_page,
        part_label,
    )

    setattr(postmortem, ITEM_REVIEW_MEMO, (people, dismissed))
    findings.extend(item_findings_for_page(postmortem, people, dismissed))
    sees_dismissals = permissions.may_see_dismissals(user, postmortem)
    dismissals = rows if sees_dismissals else []
    for d in dismissals:
        d.heading = HEADINGS.get(d.section) or part_label(d.section)  # type: ignore[attr-defined]
    return {
        "review_findings": findings,
        "review_counts": counts_by_severity(findings),
        "review_dismissals": dismissals,
        "review_pending": pending,
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
    return record_dismissal(postmortem, field, rule, text, sentence, reason, by)


def record_dismissal(
    postmortem: Postmortem, part: str, rule: str, text: str, sentence: str, reason: str, by: User
) -> ReviewDismissal:
    """Store a dismissal of a finding in ``part`` (a section or an item text) with its reason."""
    if not reason.strip():
        raise ValueError("say why this finding does not apply")
    return ReviewDismissal.objects.create(
        postmortem=postmortem,
        section=part,
        rule=rule[:80],
        text=text[:500],
        sentence=sentence,
        reason=reason.strip(),
        by=by,
        at=timezone.now(),
    )
