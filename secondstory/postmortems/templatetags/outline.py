"""``{% postmortem_outline %}``: the postmortem page's table of contents, with counts.

Each entry links to a part of the page and carries what a reader looks for before going
there: how many blameless-review findings and open comments a section has, how many events,
factors and action items there are.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from django import template

from secondstory.learningcheck.templatetags.learningcheck import box_shown
from secondstory.postmortems.templatetags.review import page_comments

register = template.Library()

# Findings about an item's text count towards the part of the page that shows the item.
_ITEM_PARTS = {"factor-": "factors", "action-": "action-items", "event-": "timeline"}


@dataclass(frozen=True, slots=True)
class OutlineEntry:
    anchor: str
    label: str
    findings: int = 0
    comments: int = 0
    size: int | None = None  # events, factors or action items; None where nothing is counted
    unit: str = ""  # what ``size`` counts, singular ("event")
    sub: bool = False  # a section of the text, indented under the parts of the record


def _finding_counts(findings: list[Any]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for item in findings:
        anchor = item.anchor
        part = next((p for prefix, p in _ITEM_PARTS.items() if anchor.startswith(prefix)), anchor)
        counts[part] += 1
    return counts


def _open_comments(postmortem: Any) -> Counter[str]:
    """Open comments per section ('' for the ones about the whole postmortem), from the
    comments the page reads once for the margins and the comments panel."""
    return Counter(c.section or "" for c in page_comments(postmortem) if c.resolved_at is None)


@register.simple_tag(takes_context=True)
def postmortem_outline(context: template.Context) -> list[OutlineEntry]:
    """The entries of the outline, in page order, from what the page already computed."""
    postmortem = context["postmortem"]
    review_findings = list(context.get("review_findings") or [])
    findings = _finding_counts(review_findings)
    comments = _open_comments(postmortem)
    sections = list(context.get("sections") or [])
    entries = [
        OutlineEntry("blameless-review", "Blameless review", findings=len(review_findings)),
        OutlineEntry("accounts", "First-person accounts"),
        OutlineEntry("about", "About"),
        OutlineEntry(
            "incidents", "Incidents", size=len(context.get("incidents") or []), unit="incident"
        ),
    ]
    for section in sections:
        anchor = f"section-{section.field}"
        entries.append(
            OutlineEntry(
                anchor,
                section.heading,
                findings=findings[anchor],
                comments=comments[section.field],
                sub=True,
            )
        )
    total = context.get("timeline_total")
    entries += [
        OutlineEntry("timeline", "Timeline", findings["timeline"], size=total, unit="event"),
        OutlineEntry(
            "factors",
            "Contributing factors",
            findings["factors"],
            size=len(context["factors"]),
            unit="factor",
        ),
        OutlineEntry(
            "action-items",
            "Action items",
            findings["action-items"],
            size=len(context["action_items"]),
            unit="item",
        ),
        OutlineEntry("review-meeting", "Review meeting"),
    ]
    if box_shown():  # the same rule as the box
        entries.append(OutlineEntry("learning-check", "Learning check"))
    entries += [
        OutlineEntry("comments", "Comments", comments=sum(comments.values())),
        OutlineEntry("history", "History"),
        OutlineEntry("similar", "Similar past incidents"),
    ]
    return entries
