"""What to probe next: the (service, category) pairs that keep recurring in postmortems and
the action items marked done whose factor came back anyway.

Each suggestion carries what a new game day is prefilled with (title, services, categories,
hypothesis), so a team starts from the evidence instead of a blank page.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

RECURRING = "recurring"
RECURRED_ITEM = "recurred-item"


@dataclass(frozen=True, slots=True)
class RecurredItem:
    """A done action item whose factor recurred in later postmortems."""

    postmortem: str
    item: str
    title: str
    services: tuple[str, ...]
    categories: tuple[str, ...]
    recurred_in: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Suggestion:
    """One game day worth running, and why."""

    kind: str
    title: str
    reason: str
    hypothesis: str
    services: tuple[str, ...]
    categories: tuple[str, ...]
    evidence: tuple[str, ...]  # postmortem keys the reader may read
    source: str  # "service:category" or "PM-1/A1": identifies the suggestion in a link

    @property
    def weight(self) -> int:
        return len(self.evidence)


def from_recurring_pair(
    service: str, category: str, postmortems: int, keys: Iterable[str], *, category_name: str
) -> Suggestion:
    """A game day probing a (service, category) pair seen in ``postmortems`` postmortems.

    >>> s = from_recurring_pair("api", "detection", 3, ["PM-3"], category_name="Detection")
    >>> s.title, s.services, s.categories
    ('Probe api for detection factors', ('api',), ('detection',))
    """
    return Suggestion(
        kind=RECURRING,
        title=f"Probe {service} for {category_name.lower()} factors",
        reason=f"{category_name} factors on {service} in {postmortems} postmortems",
        hypothesis=(
            f"When a {category_name.lower()} condition seen in past incidents of {service} "
            "recurs, the steady state holds or the problem is detected and contained "
            "within the blast radius."
        ),
        services=(service,),
        categories=(category,),
        evidence=tuple(keys),
        source=f"{service}:{category}",
    )


def from_recurred_item(item: RecurredItem) -> Suggestion:
    """A game day checking that a done action item really works, since its factor came back.

    >>> r = RecurredItem("PM-1", "A1", "Add a pool alert", ("api",), ("detection",), ("PM-4",))
    >>> from_recurred_item(r).source
    'PM-1/A1'
    """
    return Suggestion(
        kind=RECURRED_ITEM,
        title=f"Verify: {item.title}",
        reason=(
            f"{item.postmortem}/{item.item} was marked done, yet its factor recurred in "
            + (", ".join(item.recurred_in) or "a later postmortem")
        ),
        hypothesis=(
            f"With “{item.title}” in place, injecting the condition it addresses leaves the "
            "steady state within its expected range."
        ),
        services=item.services,
        categories=item.categories,
        evidence=(item.postmortem, *item.recurred_in),
        source=f"{item.postmortem}/{item.item}",
    )


def ranked(suggestions: Iterable[Suggestion]) -> list[Suggestion]:
    """Recurred items first (a fix that did not hold), then by evidence, then by title.

    >>> a = Suggestion(RECURRING, "b", "", "", (), (), ("PM-1",), "x:y")
    >>> b = Suggestion(RECURRED_ITEM, "a", "", "", (), (), ("PM-2",), "PM-2/A1")
    >>> [s.kind for s in ranked([a, b])]
    ['recurred-item', 'recurring']
    """
    return sorted(suggestions, key=lambda s: (s.kind != RECURRED_ITEM, -s.weight, s.title))
