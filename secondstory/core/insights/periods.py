"""Calendar periods (months and quarters) that the insights group figures by."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class DateRange:
    """The days ``start`` to ``end``, both included."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"the range ends ({self.end}) before it starts ({self.start})")


def month_label(day: date) -> str:
    """The month of a day.

    >>> month_label(date(2026, 3, 9))
    '2026-03'
    """
    return f"{day.year:04d}-{day.month:02d}"


def quarter_label(day: date) -> str:
    """The quarter of a day.

    >>> quarter_label(date(2026, 11, 2))
    '2026-Q4'
    """
    return f"{day.year:04d}-Q{(day.month - 1) // 3 + 1}"


def months(span: DateRange) -> list[str]:
    """Every month the range touches, in order.

    >>> months(DateRange(date(2025, 11, 20), date(2026, 2, 1)))
    ['2025-11', '2025-12', '2026-01', '2026-02']
    """
    labels: list[str] = []
    year, month = span.start.year, span.start.month
    while (year, month) <= (span.end.year, span.end.month):
        labels.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return labels


def quarters(span: DateRange) -> list[str]:
    """Every quarter the range touches, in order.

    >>> quarters(DateRange(date(2025, 11, 20), date(2026, 4, 1)))
    ['2025-Q4', '2026-Q1', '2026-Q2']
    """
    labels: list[str] = []
    for label in months(span):
        quarter = quarter_label(date(int(label[:4]), int(label[5:]), 1))
        if not labels or labels[-1] != quarter:
            labels.append(quarter)
    return labels
