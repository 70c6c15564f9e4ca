from __future__ import annotations

from datetime import date

import pytest

from secondstory.core.reviews.policy import (
    add_business_days,
    business_days_between,
    default_business_days,
    review_clock,
)

FRIDAY = date(2026, 12, 4)
SATURDAY = date(2026, 12, 5)


def test_defaults_by_severity_rank() -> None:
    assert [default_business_days(r) for r in (1, 2, 3, None)] == [3, 5, 10, 10]


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (FRIDAY, 3, date(2026, 12, 9)),  # skips the weekend
        (SATURDAY, 1, date(2026, 12, 7)),  # resolved on a weekend: Monday is day one
        (date(2026, 12, 7), 5, date(2026, 12, 14)),  # a full week
        (FRIDAY, 0, FRIDAY),
    ],
)
def test_business_days_skip_weekends(start: date, days: int, expected: date) -> None:
    assert add_business_days(start, days) == expected


def test_business_days_between_counts_weekdays_only() -> None:
    assert business_days_between(FRIDAY, date(2026, 12, 7)) == 1
    assert business_days_between(date(2026, 12, 7), FRIDAY) == -1


def test_clock_states() -> None:
    # SEV1 resolved Friday: due Wednesday 9 December.
    assert review_clock(FRIDAY, 3, None, date(2026, 12, 7)).label == "review due in 2 business days"
    assert review_clock(FRIDAY, 3, None, date(2026, 12, 8)).state == "due_soon"
    assert review_clock(FRIDAY, 3, None, date(2026, 12, 9)).label == "review due today"
    overdue = review_clock(FRIDAY, 3, None, date(2026, 12, 14))
    assert (overdue.state, overdue.days, overdue.css_class) == ("overdue", 3, "clock-overdue")
    # Overdue over a weekend still reads as overdue.
    assert review_clock(date(2026, 12, 1), 3, None, SATURDAY).state == "overdue"
    met = review_clock(FRIDAY, 3, date(2026, 12, 9), date(2027, 1, 1))
    assert (met.state, met.label) == ("met", "reviewed on time")
    late = review_clock(FRIDAY, 3, date(2026, 12, 11), date(2027, 1, 1))
    assert (late.state, late.label) == ("met_late", "reviewed 2 business days late")


def test_negative_days_are_refused() -> None:
    with pytest.raises(ValueError, match="days"):
        add_business_days(FRIDAY, -1)
