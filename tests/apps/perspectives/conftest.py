"""Accounts personas: alice owns, dana facilitates, bob reviews, charlie reads (internal
postmortems only), erin is an admin named on nothing, vera a viewer."""

from __future__ import annotations

import pytest

from secondstory.accounts.models import User
from secondstory.postmortems.models import Postmortem


@pytest.fixture
def dana(db: None) -> User:
    return User.objects.create(username="dana", display_name="Dana Facilitator")


@pytest.fixture
def erin(db: None) -> User:
    return User.objects.create(username="erin", display_name="Erin Admin", role="admin")


@pytest.fixture
def vera(db: None) -> User:
    return User.objects.create(username="vera", display_name="Vera Viewer", role="viewer")


@pytest.fixture
def facilitated(postmortem: Postmortem, dana: User) -> Postmortem:
    postmortem.facilitator = dana
    postmortem.save(update_fields=["facilitator"])
    return postmortem


@pytest.fixture
def email(settings: object) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # type: ignore[attr-defined]
    settings.EMAIL_HOST = "mail.example.com"  # type: ignore[attr-defined]


ANSWERS = {
    "saw": "The checkout error rate graph at 12% and a page at 02:10.",
    "did": "I rolled back the config because it was the only change that night.",
}
