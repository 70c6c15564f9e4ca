"""Template tags for action-item follow-through: "did it work?" on the postmortem page.

The page shows many items and factors; the first tag call computes the answer for the whole
postmortem and the reader, and later calls reuse it, so the page costs a constant number of
queries however many items and factors it has.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template import Context

from secondstory.actions.recurrence_evidence import (
    Evidence,
    Shown,
    factor_recurrences,
    item_evidence,
)
from secondstory.postmortems.models import Postmortem

register = template.Library()

_CACHE = "_followup_recurrence"


def _reader(context: Context) -> Any:
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    return user if getattr(user, "is_authenticated", False) else None


def _cached(context: Context, postmortem: Postmortem, what: str) -> dict[int, Any]:
    """One computation per postmortem, reader and kind, kept on the request of this page."""
    request = context.get("request")
    holder: Any = request if request is not None else postmortem
    cache: dict[tuple[str, int, int | None], dict[int, Any]] = getattr(holder, _CACHE, None) or {}
    reader = _reader(context)
    slot = (what, postmortem.pk, reader.pk if reader is not None else None)
    if slot not in cache:
        if what == "items":
            cache[slot] = item_evidence(postmortem, reader)
        else:
            cache[slot] = factor_recurrences(postmortem, reader)
        setattr(holder, _CACHE, cache)
    return cache[slot]


@register.simple_tag(takes_context=True)
def item_recurrence(context: Context, item: Any, postmortem: Postmortem) -> Evidence | None:
    """The recurrence evidence of a done action item; None for items that are not done."""
    evidence: Evidence | None = _cached(context, postmortem, "items").get(item.pk)
    return evidence


@register.simple_tag(takes_context=True)
def factor_recurrence(context: Context, factor: Any, postmortem: Postmortem) -> list[Shown]:
    """The done action items of earlier postmortems that this factor recurred after."""
    shown: list[Shown] = _cached(context, postmortem, "factors").get(factor.pk, [])
    return shown
