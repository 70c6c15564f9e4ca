"""Helpers for audit tests: the events written since a mark, newest last."""

from __future__ import annotations

from typing import Any

import pytest

from secondstory.accounts.models import Role, User
from secondstory.audit.models import AuditEvent
from tests.apps.conftest import PASSWORD


def events_since(mark: int, **filters: Any) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(pk__gt=mark, **filters).order_by("id"))


def mark() -> int:
    last = AuditEvent.objects.order_by("-id").first()
    return last.pk if last is not None else 0


@pytest.fixture
def dana(db: None) -> User:
    """An organisation admin (not staff, not superuser)."""
    user = User(username="dana", display_name="Dana Admin", role=Role.ADMIN)
    user.set_password(PASSWORD)
    user.save()
    return user
