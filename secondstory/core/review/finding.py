"""The value a review produces: one remark about one span of the original text."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Finding:
    """A blameless-review remark.

    Offsets (``start``/``end``) index the original text; lines and columns are 1-based.

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
