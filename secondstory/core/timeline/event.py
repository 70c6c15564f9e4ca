"""The timeline event: one instant of an incident, as plain data."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any


def offset_minutes(moment: datetime) -> int:
    """The UTC offset of an aware datetime in whole minutes.

    >>> from datetime import timezone, timedelta
    >>> offset_minutes(datetime(2026, 3, 4, 14, 2, tzinfo=timezone(timedelta(hours=5, minutes=30))))
    330
    """
    delta = moment.utcoffset()
    if delta is None:
        raise ValueError("the datetime has no UTC offset")
    return int(delta.total_seconds() // 60)


def offset_text(minutes: int) -> str:
    """A UTC offset in minutes as text.

    >>> offset_text(330), offset_text(-480), offset_text(0)
    ('+05:30', '-08:00', '+00:00')
    """
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}:{rest:02d}"


def with_offset(utc_moment: datetime, minutes: int) -> datetime:
    """Show a UTC instant at a given UTC offset (in minutes)."""
    return utc_moment.astimezone(timezone(timedelta(minutes=minutes)))


@dataclass(slots=True)
class TimelineEvent:
    """What happened at one instant, from one source.

    ``at`` is aware and carries the offset it was recorded in; the database
    stores the UTC instant plus that offset. ``source`` and ``source_ref``
    together identify the event, so re-imports never duplicate it.
    """

    at: datetime
    kind: str
    source: str
    source_ref: str
    text: str
    actor: str = ""
    actor_role: str = ""
    starred: bool = False
    known_at_the_time: bool = True
    evidence_url: str = ""
    raw: dict[str, Any] | None = field(default=None)
    # Set by importers of alerts, pages and status updates (not stored as such):
    # the same happening seen through two sources shares ``signal`` (see
    # ``sources.base.signal_key``); ``state`` is "firing", "acknowledged" or
    # "resolved" and feeds the milestone suggestions of a merge.
    signal: str = field(default="", compare=False)
    state: str = field(default="", compare=False)

    @property
    def utc(self) -> datetime:
        return self.at.astimezone(UTC)

    @property
    def utc_offset_minutes(self) -> int:
        return offset_minutes(self.at)

    @property
    def ref(self) -> str:
        """The event's identity within an incident: ``source:source_ref``."""
        return f"{self.source}:{self.source_ref}"


def event_json(event: TimelineEvent) -> dict[str, Any]:
    """The event as printed by ``secondstory parse --format jsonl`` (and read back by the
    ``jsonl`` importer): ``at`` in ISO 8601 UTC, the original ``offset``, then the fields."""
    return {
        "at": event.utc.isoformat().replace("+00:00", "Z"),
        "offset": offset_text(event.utc_offset_minutes),
        "kind": event.kind,
        "source": event.source,
        "source_ref": event.source_ref,
        "actor": event.actor,
        "actor_role": event.actor_role,
        "text": event.text,
    }
