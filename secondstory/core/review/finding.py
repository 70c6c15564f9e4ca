"""The value a review produces: one remark about one span of the original text."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Finding:
    """A blameless-review remark.

    Offsets (``start``/``end``) index the original text; lines and columns are 1-based.
    Findings of several rules on overlapping words are merged into one (see ``merge``): the
    strongest rule is ``rule``, the others are in ``also`` with their messages in ``reasons``.

    Example:
        >>> f = Finding("hindsight", "hindsight", "hindsight", 0, 9, 1, 1, 1, 10,
        ...             "Obviously it broke.", "Hindsight.", "What was known then?")
        >>> f.severity
        'hindsight'
    """

    rule: str
    category: str
    severity: str  # "blame" | "hindsight" | "tone" | "info"
    start: int
    end: int
    line: int
    column: int
    end_line: int
    end_column: int
    sentence: str
    message: str
    suggestion: str
    also: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()

    @property
    def rules(self) -> tuple[str, ...]:
        """Every rule that flagged these words, the strongest first."""
        return (self.rule, *self.also)

    @property
    def all_reasons(self) -> tuple[str, ...]:
        """Every explanation of these words, the strongest rule's first."""
        return (self.message, *self.reasons)

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Finding:
        """A finding from ``dataclasses.asdict(finding)`` (JSON turns tuples into lists)."""
        values = dict(record)
        for name in ("also", "reasons"):
            values[name] = tuple(values.get(name) or ())
        return cls(**values)
