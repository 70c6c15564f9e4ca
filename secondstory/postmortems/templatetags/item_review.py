"""``{% item_review postmortem obj %}``: the blameless review of a saved factor, action item
(title or "done when"), hand-written timeline event or customer summary, with its dismissals."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django import template
from django.urls import reverse

from secondstory.actions.models import ActionItem
from secondstory.incidents.models import TimelineEvent
from secondstory.postmortems.blameless import SectionFinding, people_names
from secondstory.postmortems.item_review import (
    ITEM_REVIEW_MEMO,
    ItemText,
    action_texts,
    dismissed_in,
    event_text,
    factor_text,
    findings_of,
)
from secondstory.postmortems.models import ContributingFactor, Postmortem

register = template.Library()


@dataclass(frozen=True, slots=True)
class ItemReview:
    item: ItemText | None
    back: str = ""  # where a dismissal returns to
    findings: list[SectionFinding] = field(default_factory=list)


def _text_of(postmortem: Postmortem, obj: Any, which: str) -> tuple[ItemText | None, str]:
    page = reverse("postmortems:detail", args=[postmortem.key])
    if isinstance(obj, ContributingFactor):
        item: ItemText | None = factor_text(obj)
    elif isinstance(obj, ActionItem):
        item = action_texts(obj)[1 if which == "done" else 0]
    elif isinstance(obj, TimelineEvent):
        item = event_text(obj)
    else:
        item = None
    if obj == "customer-summary":
        summary = getattr(postmortem, "customer_summary", None)
        if summary is not None:
            item = ItemText("customer-summary", "customer-summary", "Customer summary",
                            summary.text, "")  # fmt: skip
        page = reverse("sharing:edit_customer_summary", args=[postmortem.key])
    if item is None:
        return None, page
    return item, f"{page}#{item.anchor}" if item.anchor else page


@register.simple_tag
def item_review(postmortem: Postmortem, obj: Any, which: str = "") -> ItemReview:
    """``{% item_review postmortem factor as review %}`` (``"done"`` for an action item's
    "done when"; ``"customer-summary"`` as ``obj`` for the customer summary). The people's
    names and the dismissals are read once per postmortem object (one per request)."""
    if not isinstance(postmortem, Postmortem):
        return ItemReview(None)
    item, back = _text_of(postmortem, obj, which)
    if item is None:
        return ItemReview(None)
    memo = getattr(postmortem, ITEM_REVIEW_MEMO, None)
    if memo is None:
        memo = (people_names(postmortem), dismissed_in(postmortem))
        setattr(postmortem, ITEM_REVIEW_MEMO, memo)
    names, dismissed = memo
    return ItemReview(item, back, findings_of(item, names=names, dismissed=dismissed))


@register.simple_tag
def typed_review(postmortem: Postmortem, kind: str, text: Any) -> list[SectionFinding]:
    """``{% typed_review postmortem "factor" form.description.value as findings %}``: the
    findings of a text in a form (as typed, not saved; no dismissals apply)."""
    item = ItemText("", kind, "", str(text or ""), "")
    return findings_of(item, names=people_names(postmortem))
