"""Blameless review of what people write outside the sections: contributing factors'
descriptions, action items' titles and "done when" criteria, timeline events written by hand
(never imported chat or alerts) and the customer summary.

Each text is a *part* with a stable name (``factor:F2``, ``action:A1:title``,
``action:A1:done``, ``event:manual-3f2a9c01b7de``, ``customer-summary``). Its findings are
shown like a section's and dismissed like a section's: a :class:`ReviewDismissal` keyed by the
part, the rule and the flagged words, so a dismissal survives edits elsewhere in the
postmortem and even in the same text, as long as the same words are flagged again.

Item texts are short, so they are reviewed when shown rather than stored in the review cache.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ObjectDoesNotExist
from django.urls import reverse
from django.utils import timezone

from secondstory.accounts.models import User
from secondstory.actions.models import ActionItem
from secondstory.core.review import (
    Finding,
    ReviewConfig,
    ReviewTooLargeError,
    UnknownRuleError,
    review,
)
from secondstory.incidents.models import TimelineEvent
from secondstory.postmortems.blameless import (
    SectionFinding,
    organisation_config,
    people_names,
    record_dismissal,
    shown_findings,
)
from secondstory.postmortems.models import ContributingFactor, Postmortem, ReviewDismissal
from secondstory.postmortems.services import timeline_events

#: The source of timeline events typed in the editor or by quick capture.
HAND_WRITTEN_SOURCE = "manual"

# Each kind of text is reviewed under a heading that gives the rules its context: action
# items read as tasks (recommendations), hand-written events as timeline entries.
PREFIXES = {
    "factor": "## Contributing factors\n\n",
    "action-title": "## Action items\n\n- [ ] ",
    "action-done": "## Action items\n\n- [ ] ",
    "event": "## Timeline\n\n",
    "customer-summary": "## Customer summary\n\n",
    "comment": "## Comment\n\n",
}
# The form field that holds each kind's text (the live review in the editors posts it).
FORM_FIELDS = {
    "factor": "description",
    "action-title": "title",
    "action-done": "done_criterion",
    "event": "text",
    "customer-summary": "text",
    "comment": "body",
}
# The attribute of a postmortem object where a page keeps the people's names and the
# dismissals once read, so that every item on the page reuses them.
ITEM_REVIEW_MEMO = "_item_review_memo"
_PART = re.compile(
    r"^(?:factor:F\d+|action:A\d+:(?:title|done)|event:[\w.-]{1,34}|customer-summary)$"
)


@dataclass(frozen=True, slots=True)
class ItemText:
    """One text a person wrote, outside the sections, and where it is shown."""

    part: str
    kind: str
    label: str
    text: str
    anchor: str  # the fragment of the postmortem page where it is shown


def is_part(part: str) -> bool:
    """Whether ``part`` names an item text (as stored in a dismissal's ``section``)."""
    return bool(_PART.match(part))


def factor_text(factor: ContributingFactor) -> ItemText:
    return ItemText(
        f"factor:{factor.key}",
        "factor",
        f"Contributing factor {factor.key}",
        factor.description,
        f"factor-{factor.key}",
    )


def action_texts(item: ActionItem) -> list[ItemText]:
    anchor = f"action-{item.key}"
    return [
        ItemText(f"action:{item.key}:title", "action-title", f"Action item {item.key}",
                 item.title, anchor),
        ItemText(f"action:{item.key}:done", "action-done", f"Action item {item.key}, done when",
                 item.done_criterion, anchor),
    ]  # fmt: skip


def event_text(event: TimelineEvent) -> ItemText | None:
    """A hand-written event's text; None for imported ones (chat, alerts: quoted, not ours)."""
    if event.source != HAND_WRITTEN_SOURCE:
        return None
    return _event_item(event.pk, event.source_ref, event.text, event.at, event.utc_offset_minutes)


def _event_item(pk: int, ref: str, text: str, at: datetime, offset_minutes: int) -> ItemText:
    # Keyed by the event's source reference, which an export and a load keep (its id is not).
    local = timezone.localtime(at, timezone.get_fixed_timezone(offset_minutes))
    label = f"Timeline event at {local:%d %b %H:%M}"
    return ItemText(f"event:{ref}", "event", label, text, f"event-{pk}")


def _hand_written_events(postmortem: Postmortem) -> list[ItemText]:
    """The hand-written events' texts, read as values: a long timeline's events are never
    built as objects (only the page's window of them is)."""
    rows = (
        timeline_events(postmortem)
        .filter(source=HAND_WRITTEN_SOURCE)
        .order_by("at", "id")
        .values_list("pk", "source_ref", "text", "at", "utc_offset_minutes")
    )
    return [_event_item(*row) for row in rows]


def customer_summary_text(postmortem: Postmortem) -> ItemText | None:
    try:
        summary = postmortem.customer_summary  # type: ignore[attr-defined]
    except ObjectDoesNotExist:
        return None
    return ItemText("customer-summary", "customer-summary", "Customer summary", summary.text, "")


def item_texts(postmortem: Postmortem) -> list[ItemText]:
    """Every item text of the postmortem, in page order (factors and action items from what
    was prefetched, when the page did)."""
    texts = [factor_text(f) for f in postmortem.factors.all()]
    for item in postmortem.action_items.all():
        texts.extend(action_texts(item))
    texts.extend(_hand_written_events(postmortem))
    summary = customer_summary_text(postmortem)
    if summary is not None:
        texts.append(summary)
    return texts


def live_review_attrs(postmortem: Postmortem, kind: str) -> dict[str, str]:
    """htmx attributes for a form field whose text is reviewed as it is typed; the findings go
    to the next ``.item-review-live`` element after it."""
    return {
        "hx-post": reverse("postmortems:item_review", args=[postmortem.key, kind]),
        "hx-trigger": "input changed delay:500ms",
        "hx-target": "next .item-review-live",
        "hx-swap": "innerHTML",
    }


def dismissed_in(postmortem: Postmortem) -> set[tuple[str, str, str]]:
    """(part, rule, flagged words) of every dismissal, sections and items alike."""
    rows = postmortem.review_dismissals.values_list("section", "rule", "text")
    return {(s, r, t) for s, r, t in rows}


def findings_of(
    item: ItemText,
    *,
    names: Iterable[str] = (),
    dismissed: set[tuple[str, str, str]] | None = None,
) -> list[SectionFinding]:
    """The undismissed findings of one item text (advice: an error in the settings or a text
    over the engine's limit shows nothing rather than failing the page)."""
    text = item.text.replace("\r\n", "\n").replace("\r", "\n")
    if item.kind.startswith("action"):
        text = " ".join(text.split())  # one line, as a task-list item
    if not text.strip():
        return []
    prefix = PREFIXES[item.kind]
    try:
        found = _reviewed(f"{prefix}{text}\n", tuple(sorted(set(names))), organisation_config())
    except (ReviewTooLargeError, UnknownRuleError):
        return []
    lines_before = prefix.count("\n")
    return shown_findings(
        item.part, item.label, len(prefix), lines_before, text, found, dismissed or set(),
        item.anchor,
    )  # fmt: skip


@functools.lru_cache(maxsize=4096)
def _reviewed(text: str, names: tuple[str, ...], config: ReviewConfig) -> tuple[Finding, ...]:
    """The engine's findings, remembered per process: the same short texts (a long timeline's
    hand-written events) are shown on every view of the page and reviewed once."""
    return tuple(review(text, names=names, config=config))


def postmortem_item_findings(postmortem: Postmortem) -> list[SectionFinding]:
    """Undismissed findings of every item text of the postmortem, in page order."""
    names = people_names(postmortem)
    dismissed = dismissed_in(postmortem)
    return list(_each(item_texts(postmortem), names, dismissed))


def _each(
    items: Iterable[ItemText], names: list[str], dismissed: set[tuple[str, str, str]]
) -> Iterator[SectionFinding]:
    for item in items:
        yield from findings_of(item, names=names, dismissed=dismissed)


def item_findings_for_page(
    postmortem: Postmortem, names: list[str], dismissed: set[tuple[str, str, str]]
) -> list[SectionFinding]:
    """Undismissed findings of the item texts, for a page that has the names and dismissals."""
    return list(_each(item_texts(postmortem), names, dismissed))


def part_label(part: str) -> str:
    """How a dismissal's part is named to people: "Contributing factor F2", …"""
    kind, _, rest = part.partition(":")
    key, _, which = rest.partition(":")
    if kind == "factor":
        return f"Contributing factor {key}"
    if kind == "action":
        return f"Action item {key}" + (", done when" if which == "done" else "")
    if kind == "event":
        return "A timeline event"
    return "Customer summary" if kind == "customer-summary" else part


def dismiss_item(
    postmortem: Postmortem, part: str, rule: str, text: str, sentence: str, reason: str, by: User
) -> ReviewDismissal:
    """Record that ``by`` dismissed a finding of an item text (``reason`` required)."""
    if not is_part(part):
        raise ValueError(f"unknown part {part!r}")
    return record_dismissal(postmortem, part, rule, text, sentence, reason, by)
