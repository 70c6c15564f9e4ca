"""API authentication: a bearer token, checked against the scope each operation needs.

No token, or one that is unknown, revoked, expired or whose account is inactive: 401.
A live token without the operation's scope: 403. What the token's person (or service
account) may then see and change is decided by ``secondstory.accounts.permissions``,
exactly as for the pages. Every use is audited (``authenticate_token``).
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from ninja.security import HttpBearer

from secondstory.accounts.models import ApiToken, User
from secondstory.accounts.tokens import authenticate_token
from secondstory.api.errors import ApiError

WINDOW_SECONDS = 60


class TokenAuth(HttpBearer):
    """``Authorization: Bearer ss_…`` with ``scope`` (e.g. ``postmortems:write``)."""

    openapi_scheme = "bearer"
    openapi_bearerFormat = "ss_…"

    def __init__(self, scope: str) -> None:
        super().__init__()
        self.scope = scope

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        if "\x00" in request.path:
            # No key holds one, and PostgreSQL refuses it in any text it is given.
            raise ApiError(400, "The path holds a NUL character (%00).")
        found = authenticate_token(token.strip())
        if found is None:
            return None
        if not found.allows(self.scope):
            raise ApiError(
                403,
                f"This token lacks the {self.scope} scope; create one with it on the account page.",
                code="insufficient_scope",
            )
        throttle(found)
        # The pages' permission rules and the audit log see the token's person.
        request.user = found.user
        return found


def throttle(token: ApiToken) -> None:
    """429 once a token has made more than the allowed requests in the current minute."""
    limit = int(getattr(settings, "SECONDSTORY_API_RATE_LIMIT", 0))
    if limit <= 0:
        return
    window = int(time.time() // WINDOW_SECONDS)
    key = f"api-rate:{token.pk}:{window}"
    cache.add(key, 0, timeout=WINDOW_SECONDS * 2)
    try:
        used = cache.incr(key)
    except ValueError:  # evicted between add and incr: count this one as the first
        cache.set(key, 1, timeout=WINDOW_SECONDS * 2)
        used = 1
    if used > limit:
        raise ApiError(
            429,
            f"More than {limit} requests this minute with this token; wait and try again.",
        )


def user_of(request: HttpRequest) -> User:
    """The person (or service account) the request's token acts for."""
    user: Any = request.user
    assert isinstance(user, User)
    return user


def scoped(resource: str, level: str) -> TokenAuth:
    return TokenAuth(f"{resource}:{level}")
