"""Helpers for the sharing tests: publishing loaded postmortems and an email outbox."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from secondstory.postmortems.models import Postmortem
from secondstory.postmortems.records import load_record
from tests.apps.factories import postmortem_record
from tests.apps.notify.conftest import receiver  # noqa: F401  (a fixture used by digest tests)


def publish(postmortem: Postmortem, at: datetime) -> Postmortem:
    Postmortem.objects.filter(pk=postmortem.pk).update(status="published", published_at=at)
    postmortem.refresh_from_db()
    return postmortem


def published(
    key: str, at: datetime, *, visibility: str = "internal", title: str = ""
) -> Postmortem:
    postmortem = load_record(postmortem_record(key, visibility=visibility))
    if title:
        Postmortem.objects.filter(pk=postmortem.pk).update(title=title)
    return publish(postmortem, at)


@pytest.fixture
def outbox(settings: Any) -> list[Any]:
    """Notify's email channel on, delivering into Django's in-memory outbox; no other
    channel."""
    from django.core import mail

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.EMAIL_HOST = "localhost"
    settings.SECONDSTORY_SLACK_WEBHOOK_URL = ""
    settings.SECONDSTORY_NOTIFY_WEBHOOK_URL = ""
    settings.SECONDSTORY_BASE_URL = "https://pm.example.com"
    mail.outbox = []
    return mail.outbox


MARCH = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
