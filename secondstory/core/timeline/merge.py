"""Merging imported events onto one timeline.

Events from several sources meet on one UTC axis. An event whose reference (``source:ref``)
was already seen (in this import or on the incident) is a duplicate and adds nothing. The
same alert seen through two tools (Alertmanager and PagerDuty, say) arrives as two events
with the same ``signal`` and ``state`` a few seconds apart: the later one is *grouped* into
the earlier, keeping its own reference and payload, so nothing is lost and a re-import of
either source is still recognised.

Only events that carry a ``signal`` are held in memory until the end (alerts, pages and
status changes are few); everything else streams through, so an import of millions of chat
messages runs in constant memory.

The merge also suggests milestones from the alert states it saw: the first firing alert is
when the incident was *detected*, the first acknowledgement when it was *acknowledged*, the
last resolution when it was *resolved*. They are suggestions, shown to the user to confirm.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from secondstory.core.timeline.event import TimelineEvent

GROUP_WINDOW = timedelta(minutes=5)

NEW, DUPLICATE, GROUPED = "new", "duplicate", "grouped"

# milestone kind -> (alert state, which occurrence)
SUGGESTED_MILESTONES: tuple[tuple[str, str, str], ...] = (
    ("detected", "firing", "first"),
    ("acknowledged", "acknowledged", "first"),
    ("resolved", "resolved", "last"),
)
_SUGGESTION_WORDS = {
    "firing": "first firing alert",
    "acknowledged": "first acknowledgement",
    "resolved": "last resolution",
}


@dataclass(frozen=True, slots=True)
class Anchor:
    """An alert-like event already on the timeline that new events may be grouped into."""

    ref: str
    at: datetime
    source: str
    signal: str
    state: str


@dataclass(slots=True)
class Outcome:
    """What the merge made of one imported event."""

    event: TimelineEvent
    status: str  # NEW, DUPLICATE or GROUPED
    into: str = ""  # for GROUPED: the reference of the event it was grouped into
    also: list[str] = field(default_factory=list)  # for NEW: references grouped into it


@dataclass(frozen=True, slots=True)
class MilestoneSuggestion:
    kind: str
    at: datetime
    ref: str
    reason: str


class Merger:
    """Feed events with :meth:`add`; held alert-like events come out of :meth:`finish`.

    ``known_refs`` are references already on the incident (events and grouped references);
    ``anchors`` the incident's existing alert-like events. Pass ``track_refs=False`` for
    imports too big to remember every reference; duplicates among events without a signal
    are then left to the store (which refuses a second copy of a reference).
    """

    def __init__(
        self,
        known_refs: Iterable[str] = (),
        anchors: Iterable[Anchor] = (),
        *,
        window: timedelta = GROUP_WINDOW,
        track_refs: bool = True,
    ) -> None:
        self.window = window
        self.track_refs = track_refs
        self._known: set[str] = set(known_refs)
        self._anchors = list(anchors)
        self._held: list[TimelineEvent] = []
        self._held_refs: set[str] = set()
        self.seen = 0
        self.duplicates = 0

    def add(self, event: TimelineEvent) -> Outcome | None:
        """An outcome for a streaming event; None when the event is held until ``finish``."""
        self.seen += 1
        ref = event.ref
        if event.signal and event.state:
            if ref in self._known or ref in self._held_refs:
                self.duplicates += 1
                return Outcome(event, DUPLICATE)
            self._held_refs.add(ref)
            self._held.append(event)
            return None
        if self.track_refs:
            if ref in self._known:
                self.duplicates += 1
                return Outcome(event, DUPLICATE)
            self._known.add(ref)
        return Outcome(event, NEW)

    def finish(self) -> list[Outcome]:
        """Group the held events and return their outcomes in time order."""
        outcomes: list[Outcome] = []
        groups: dict[tuple[str, str], list[tuple[datetime, str, str, Outcome | None]]] = {}
        for anchor in self._anchors:
            groups.setdefault((anchor.signal, anchor.state), []).append(
                (anchor.at, anchor.source, anchor.ref, None)
            )
        for event in sorted(self._held, key=lambda e: (e.utc, e.source, e.source_ref)):
            members = groups.setdefault((event.signal, event.state), [])
            leader = _leader_for(members, event, self.window)
            if leader is None:
                outcome = Outcome(event, NEW)
                members.append((event.utc, event.source, event.ref, outcome))
            else:
                _, _, leader_ref, leader_outcome = leader
                outcome = Outcome(event, GROUPED, into=leader_ref)
                if leader_outcome is not None:
                    leader_outcome.also.append(event.ref)
            outcomes.append(outcome)
        self._held = []
        return outcomes

    def suggestions(self, outcomes: Iterable[Outcome]) -> list[MilestoneSuggestion]:
        """Suggestions from new events (a grouped copy speaks through its group's first)."""
        return suggest_milestones(o.event for o in outcomes if o.status == NEW)


def _leader_for(
    members: list[tuple[datetime, str, str, Outcome | None]],
    event: TimelineEvent,
    window: timedelta,
) -> tuple[datetime, str, str, Outcome | None] | None:
    """The group leader this event joins: same signal and state, another source, near in time."""
    for member in members:
        at, source, _, _ = member
        if source != event.source and abs(event.utc - at) <= window:
            return member
    return None


def suggest_milestones(events: Iterable[TimelineEvent]) -> list[MilestoneSuggestion]:
    """Milestones the alert states suggest (see the module's doc)."""
    firsts: dict[str, TimelineEvent] = {}
    lasts: dict[str, TimelineEvent] = {}
    for event in events:
        if not event.state:
            continue
        first = firsts.get(event.state)
        if first is None or event.utc < first.utc:
            firsts[event.state] = event
        last = lasts.get(event.state)
        if last is None or event.utc > last.utc:
            lasts[event.state] = event
    suggestions = []
    for kind, state, which in SUGGESTED_MILESTONES:
        chosen = (firsts if which == "first" else lasts).get(state)
        if chosen is None:
            continue
        what = _headline(chosen.text) or chosen.source
        suggestions.append(
            MilestoneSuggestion(
                kind=kind,
                at=chosen.at,
                ref=chosen.ref,
                reason=f"{_SUGGESTION_WORDS[state]}: {what} ({chosen.source})",
            )
        )
    return suggestions


def _headline(text: str, limit: int = 60) -> str:
    """The first line of ``text``, cut at a word boundary."""
    line = text.strip().splitlines()[0] if text.strip() else ""
    if len(line) <= limit:
        return line
    return line[:limit].rsplit(" ", 1)[0].rstrip(" ,;:—-") + "…"


def merge(
    events: Iterable[TimelineEvent], known_refs: Iterable[str] = (), anchors: Iterable[Anchor] = ()
) -> tuple[list[Outcome], list[MilestoneSuggestion]]:
    """Merge a whole (small) set of events: every outcome, in time order, and suggestions."""
    merger = Merger(known_refs, anchors)
    outcomes = [o for o in (merger.add(e) for e in events) if o is not None]
    outcomes.extend(merger.finish())
    outcomes.sort(key=lambda o: (o.event.utc, o.event.source, o.event.source_ref))
    return outcomes, merger.suggestions(outcomes)


def streamed(merger: Merger, events: Iterable[TimelineEvent]) -> Iterator[Outcome]:
    """The outcomes of a stream, then those of the held events."""
    for event in events:
        outcome = merger.add(event)
        if outcome is not None:
            yield outcome
    yield from merger.finish()
