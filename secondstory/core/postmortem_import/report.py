"""What an import noticed: warnings that lose nothing, each at FILE:LINE: FIELD."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

MAX_NOTES = 200

# Warning kinds, for the per-kind counts of a report.
NO_ZONE = "no-zone"
ZONE_FROM_TEXT = "zone-from-text"
SUMMER_TIME = "summer-time"
NO_DATE = "no-date"
UNTIMED = "untimed-entry"
UNKNOWN_HEADING = "unrecognised-heading"
NO_OWNER = "no-owner"
NO_DUE = "no-due-date"
COMPLETED_AT = "completed-at-assumed"
SEVERITY = "severity"
CATEGORY = "factor-category-assumed"
FRONT_MATTER = "front-matter"
LONG_VALUE = "clipped"
OWNERS = "several-owners"
LOCAL_TIME = "local-time"
MILESTONE = "milestone"
PREAMBLE = "text-before-headings"


@dataclass(frozen=True, slots=True)
class Note:
    kind: str
    line: int
    field: str
    message: str

    def render(self, file: str) -> str:
        return f"{file}:{self.line or 1}: {self.field}: {self.message}"


@dataclass(slots=True)
class Notes:
    """The warnings of one file, kept up to MAX_NOTES and all counted by kind."""

    items: list[Note] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    _once: set[str] = field(default_factory=set)

    def add(self, kind: str, line: int, field: str, message: str) -> None:
        self.counts[kind] += 1
        if len(self.items) < MAX_NOTES:
            self.items.append(Note(kind, line, field, message))

    def once(self, kind: str, line: int, field: str, message: str) -> None:
        """Add a warning only the first time its kind appears in the file."""
        if kind not in self._once:
            self._once.add(kind)
            self.add(kind, line, field, message)

    @property
    def total(self) -> int:
        return sum(self.counts.values())
