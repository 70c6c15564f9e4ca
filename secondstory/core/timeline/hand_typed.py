"""An alert someone typed by hand during the incident, met again in an import.

During an incident people note "HighErrorRate firing on checkout" in the quick-capture box; a
minute later the Alertmanager export brings the same alert with its exact time and payload.
The reference keys cannot match (one was typed, one was exported), so the merge would keep
both. :func:`matches` pairs each imported alert-like event with the hand-typed note that names
its signal within :data:`WINDOW`, for the user to confirm; a confirmed pair keeps the note and
records the import as another sighting of it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from secondstory.core.timeline.event import TimelineEvent
from secondstory.core.timeline.sources.base import folded

MANUAL_SOURCE = "manual"  # the source of events people add on the page (quick capture, add event)
WINDOW = timedelta(minutes=10)
MIN_SIGNAL = 4  # shorter signal keys ("db", "cpu") name too much to be evidence


@dataclass(frozen=True, slots=True)
class HandTyped:
    """An event on the timeline that a person typed."""

    ref: str  # source:source_ref
    at: datetime
    text: str


def matches(
    imported: Iterable[TimelineEvent], typed: Iterable[HandTyped], window: timedelta = WINDOW
) -> dict[str, HandTyped]:
    """For each imported event with a signal, the closest hand-typed note naming that signal.

    A note is offered to one imported event at most: the nearest in time wins, so the firing
    and the resolution of the same alert do not both claim the note about the firing.
    """
    notes = [(note, folded(note.text)) for note in typed]
    candidates: list[tuple[timedelta, str, HandTyped]] = []
    for event in imported:
        if len(event.signal) < MIN_SIGNAL:
            continue
        for note, words in notes:
            distance = abs(event.utc - note.at)
            if distance <= window and event.signal in words:
                candidates.append((distance, event.ref, note))
    chosen: dict[str, HandTyped] = {}
    taken: set[str] = set()
    for _distance, ref, note in sorted(candidates, key=lambda c: (c[0], c[1], c[2].ref)):
        if ref in chosen or note.ref in taken:
            continue
        chosen[ref] = note
        taken.add(note.ref)
    return chosen
