"""Shared fixtures for the demo generator tests."""

from __future__ import annotations

from datetime import date

import pytest

from secondstory.core.demo import demo_postmortems
from secondstory.core.record import PostmortemRecord

TODAY = date(2025, 6, 1)


@pytest.fixture(scope="session")
def today() -> date:
    return TODAY


@pytest.fixture(scope="session")
def records() -> list[PostmortemRecord]:
    return demo_postmortems(today=TODAY)
