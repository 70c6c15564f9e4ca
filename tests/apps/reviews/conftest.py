"""A review meeting of PM-1 with invites going out by email."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from secondstory.accounts.models import User
from secondstory.postmortems.models import Postmortem
from secondstory.reviews import services
from secondstory.reviews.models import ReviewMeeting

START = datetime(2026, 3, 12, 14, 0, tzinfo=UTC)


@pytest.fixture
def email(settings: Any) -> None:
    settings.EMAIL_HOST = "smtp.example.com"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SECONDSTORY_SLACK_WEBHOOK_URL = ""
    settings.SECONDSTORY_NOTIFY_WEBHOOK_URL = ""


def plan(attendees: list[User], facilitator: User | None = None, **changes: Any) -> services.Plan:
    values: dict[str, Any] = {
        "starts_at": START,
        "time_zone": "Europe/Paris",
        "duration_minutes": 60,
        "location": "https://meet.example.com/pm-1",
        "facilitator": facilitator,
        "attendees": attendees,
    }
    values.update(changes)
    return services.Plan(**values)


@pytest.fixture
def meeting(postmortem: Postmortem, alice: User, bob: User, email: None) -> ReviewMeeting:
    return services.schedule(postmortem, plan([alice, bob], facilitator=bob), by=alice)
