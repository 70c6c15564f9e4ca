"""Finding one's way through a long timeline: key events, jumps and collapsed chatter.

- **Key events**: the starred ones, the decisions and milestones, and each incident's first
  alert and first page: the moments a reader of a 20,000-event timeline looks for first.
- **Jumps**: to one event (``?event=<id>``, so an ``#event-<id>`` link from elsewhere reaches
  it) or to a time (``?from=2026-03-04T14:00`` in the display zone): both resolve the window
  that starts there.
- **Chatter**: consecutive chat messages of one participant within one minute show as the
  first message and a "N more" line that opens the rest.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from itertools import groupby
from zoneinfo import ZoneInfo

from django.db.models import Q, QuerySet

from secondstory.incidents.models import TimelineEvent

#: Kinds that always belong to the key events.
KEY_KINDS = ("decision", "milestone")
#: Kinds whose first event per incident is a key event.
FIRST_OF_KINDS = ("alert", "page")
#: Consecutive chat messages of one participant in one minute that collapse into one line.
CHATTER_MIN = 3

ORDER = ("at", "source", "source_ref", "pk")


def key_events_filter(events: QuerySet[TimelineEvent]) -> Q:
    """Which of ``events`` are key events (two small queries per kind, on the order index)."""
    firsts: list[int] = []
    incident_ids = events.order_by().values_list("incident_id", flat=True).distinct()
    for incident_id in incident_ids:
        for kind in FIRST_OF_KINDS:
            first = (
                events.filter(incident_id=incident_id, kind=kind)
                .order_by(*ORDER)
                .values_list("pk", flat=True)
                .first()
            )
            if first is not None:
                firsts.append(first)
    return Q(starred=True) | Q(kind__in=KEY_KINDS) | Q(pk__in=firsts)


def _before(event: TimelineEvent) -> Q:
    """Events before ``event`` in the timeline's order."""
    at, source, ref = event.at, event.source, event.source_ref
    return (
        Q(at__lt=at)
        | Q(at=at, source__lt=source)
        | Q(at=at, source=source, source_ref__lt=ref)
        | Q(at=at, source=source, source_ref=ref, pk__lt=event.pk)
    )


def _last_pk(events: QuerySet[TimelineEvent]) -> str:
    last = events.order_by("-at", "-source", "-source_ref", "-pk").values_list("pk", flat=True)
    pk = last.first()
    return "" if pk is None else str(pk)


@dataclass(frozen=True, slots=True)
class Jump:
    """Where a window starts: ``after`` (an event id, "" for the first window), the event
    jumped to, and a message when the jump could not be made as asked."""

    after: str
    target: int | None = None
    problem: str = ""


def resolve_jump(
    events: QuerySet[TimelineEvent], *, event: str, moment: datetime | None, after: str
) -> Jump:
    """The window to show: the one starting at ``event`` (an id), else at the first event
    at or after ``moment``, else the one after ``after``."""
    if event:
        target = events.filter(pk=int(event)).first() if event.isdigit() else None
        if target is None:
            return Jump(
                after,
                problem="That event is not on this timeline (or not among the "
                "events these filters show).",
            )
        return Jump(_last_pk(events.filter(_before(target))), target=target.pk)
    if moment is not None:
        first = events.filter(at__gte=moment).order_by(*ORDER).first()
        if first is None:
            return Jump(_last_pk(events), problem="No event at or after that time.")
        return Jump(_last_pk(events.filter(_before(first))), target=first.pk)
    return Jump(after)


@dataclass(slots=True)
class Chatter:
    """A run of chat messages of one participant in one minute: ``first`` is shown, the
    ``rest`` collapse into one line (``open`` when the run holds the event jumped to)."""

    first: TimelineEvent
    rest: list[TimelineEvent] = field(default_factory=list)
    open: bool = False

    @property
    def hidden(self) -> int:
        return 0 if self.open else len(self.rest)


def _chatter_key(event: TimelineEvent, zone: ZoneInfo) -> tuple[str, str, str] | tuple[int]:
    if event.kind != "chat" or not event.actor:
        return (event.pk,)  # never merged with its neighbours
    minute = event.at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
    return ("chat", event.actor, minute)


def collapse_chatter(
    events: list[TimelineEvent], zone: ZoneInfo, *, target: int | None = None
) -> list[Chatter]:
    """``events`` (in order) as runs: a run of at least ``CHATTER_MIN`` chat messages of one
    participant within one minute of ``zone`` collapses; every other event stands alone."""
    runs: list[Chatter] = []
    for _, group in groupby(events, key=lambda event: _chatter_key(event, zone)):
        items = list(group)
        if len(items) < CHATTER_MIN:
            runs.extend(Chatter(item) for item in items)
            continue
        holds_target = target is not None and any(item.pk == target for item in items)
        runs.append(Chatter(items[0], items[1:], open=holds_target))
    return runs
