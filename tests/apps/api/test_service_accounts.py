"""Service accounts: admin-only, never sign in, act through scoped tokens; suspending stops them."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import time_machine
from django.test import Client

from secondstory.accounts.models import ApiToken, User
from secondstory.audit.models import AuditEvent
from secondstory.postmortems.models import Postmortem
from tests.apps.conftest import client_for

PAGE = "/account/service-accounts/"


def _admin() -> User:
    return User.objects.create(username="ada", role="admin")


def test_only_admins_see_the_page(alice: User) -> None:
    assert client_for(alice).get(PAGE).status_code == 403
    assert client_for(_admin()).get(PAGE).status_code == 200


def test_an_admin_creates_an_account_and_a_token_that_works(postmortem: Postmortem) -> None:
    admin = client_for(_admin())
    made = admin.post(PAGE + "new/", {"username": "deploy-bot", "role": "viewer"})
    assert made.status_code == 302
    bot = User.objects.get(username="deploy-bot")
    assert bot.is_service_account and not bot.has_usable_password()
    # Creating it is a change of people's rights in the audit log, by the admin.
    created = AuditEvent.objects.filter(object_label="deploy-bot").first()
    assert created is not None and created.actor == "ada"
    page = admin.post(
        PAGE + f"{bot.pk}/tokens/", {"name": "ci", "scopes": ["postmortems:read"], "lifetime": "30"}
    )
    raw = re.search(r'value="(ss_[^"]+)"', page.content.decode())
    assert raw is not None
    api = Client()
    headers = {"Authorization": f"Bearer {raw.group(1)}"}
    assert api.get("/api/postmortems/", headers=headers).json()["count"] == 1
    # Its scopes stop at postmortems; a viewer role never changes anything.
    assert api.get("/api/actions/", headers=headers).status_code == 403
    assert api.post("/api/postmortems/", {}, headers=headers).status_code == 403
    # Suspending the account refuses its tokens at once; revoking one refuses it for good.
    admin.post(PAGE + f"{bot.pk}/active/", {"active": "0"})
    assert api.get("/api/postmortems/", headers=headers).status_code == 401
    admin.post(PAGE + f"{bot.pk}/active/", {"active": "1"})
    assert api.get("/api/postmortems/", headers=headers).status_code == 200
    token = ApiToken.objects.get(user=bot)
    admin.post(PAGE + f"{bot.pk}/tokens/{token.pk}/revoke/")
    assert api.get("/api/postmortems/", headers=headers).status_code == 401


def test_a_responder_cannot_create_one(alice: User) -> None:
    answer = client_for(alice).post(PAGE + "new/", {"username": "sneaky", "role": "admin"})
    assert answer.status_code == 403
    assert not User.objects.filter(username="sneaky").exists()


def test_a_taken_name_is_refused(alice: User) -> None:
    answer = client_for(_admin()).post(PAGE + "new/", {"username": "alice", "role": "viewer"})
    assert answer.status_code == 400 and "already taken" in answer.content.decode()


def test_expired_tokens_are_refused(call: Callable[..., Any], alice: User, postmortem: Any) -> None:
    api = call(alice, ("read",))
    ApiToken.objects.update(expires_at="2020-01-01T00:00:00Z")
    assert api.get("/api/postmortems/").status_code == 401


def test_a_token_past_its_rate_limit_gets_429(
    call: Callable[..., Any], alice: User, postmortem: Any, settings: Any
) -> None:
    from django.core.cache import cache

    cache.clear()
    settings.SECONDSTORY_API_RATE_LIMIT = 2
    api = call(alice, ("read",))
    # The clock stands still inside one minute: the count is per minute.
    with time_machine.travel(datetime(2026, 12, 1, 10, 0, 30, tzinfo=UTC), tick=False):
        assert [api.get("/api/postmortems/").status_code for _ in range(2)] == [200, 200]
        refused = api.get("/api/postmortems/")
        assert refused.status_code == 429
        assert refused.json()["error"]["code"] == "too_many_requests"
        # Another token of the same person has its own count.
        assert call(alice, ("read",)).get("/api/postmortems/").status_code == 200
    with time_machine.travel(datetime(2026, 12, 1, 10, 1, 30, tzinfo=UTC), tick=False):
        assert api.get("/api/postmortems/").status_code == 200  # a new minute
