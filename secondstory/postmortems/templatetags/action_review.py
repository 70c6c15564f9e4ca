"""The blameless review of an action item's title, as the item form and list show it.

An action item is reviewed as a task under an "Action items" heading, so the rules that read
recommendations (such as ``person-targeted``: retrain, remind, be more careful) apply; its
findings are advice shown beside the item and never block saving.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import template

from secondstory.core.review import Finding, ReviewTooLargeError, UnknownRuleError, review
from secondstory.postmortems.blameless import organisation_config

register = template.Library()

_PREFIX = "## Action items\n\n- [ ] "


@dataclass(frozen=True, slots=True)
class ItemFinding:
    """One finding in an action item's title, split around the flagged words."""

    finding: Finding
    before: str
    inside: str
    after: str

    @property
    def severity(self) -> str:
        return self.finding.severity


def item_findings(title: object) -> list[ItemFinding]:
    """The reviewer's findings in an action item's title (one line, as typed)."""
    text = " ".join(str(title or "").split())
    if not text:
        return []
    try:
        found = review(f"{_PREFIX}{text}\n", config=organisation_config())
    except (ReviewTooLargeError, UnknownRuleError):
        return []  # a title over the limit or a broken setting: the form says nothing
    out = []
    for f in found:
        start, end = f.start - len(_PREFIX), f.end - len(_PREFIX)
        if start < 0:
            continue
        out.append(ItemFinding(f, text[:start], text[start:end], text[end:]))
    return out


@register.simple_tag
def action_item_review(title: object) -> list[ItemFinding]:
    """``{% action_item_review item.title as findings %}``."""
    return item_findings(title)
