"""The HTTP transport's gate, in process: a live token or 401, the API's rate limit or 429."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import anyio
import pytest
from asgiref.sync import sync_to_async
from django.core.cache import cache
from django.db import connections

from secondstory.accounts import tokens
from secondstory.accounts.models import User
from secondstory.mcp_server.http import STATE_KEY, BearerToken

pytestmark = pytest.mark.django_db(transaction=True)  # the gate reads in a thread of its own


@pytest.fixture(autouse=True)
def _close_the_gate_s_connection() -> Iterator[None]:
    """The gate's thread keeps its database connection, as the server should; a test
    closes it, or the test database cannot be dropped at the end."""
    yield
    anyio.run(sync_to_async(connections.close_all, thread_sensitive=True))


class Inner:
    """The MCP app behind the gate: records the token it was given, answers 200."""

    def __init__(self) -> None:
        self.tokens: list[Any] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        self.tokens.append(scope["state"][STATE_KEY])
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})


def _post(gate: BearerToken, authorization: str | None) -> tuple[int, dict[str, str], Any]:
    headers = [] if authorization is None else [(b"authorization", authorization.encode())]
    scope = {"type": "http", "method": "POST", "path": "/mcp", "headers": headers}
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    anyio.run(gate, scope, receive, send)
    start, body = sent
    answer = {k.decode(): v.decode() for k, v in start["headers"]}
    return start["status"], answer, json.loads(body["body"]) if body["body"] else None


def test_only_a_live_token_passes_and_reaches_the_app(alice: User) -> None:
    inner = Inner()
    gate = BearerToken(inner)
    new = tokens.create_token(alice, name="assistant", scopes=["read"], expires_at=None)
    for authorization in (None, "Basic abc", "Bearer ss_unknown"):
        status, headers, body = _post(gate, authorization)
        assert status == 401 and headers["www-authenticate"].startswith("Bearer")
        assert body["error"] == "invalid_token"
    tokens.revoke(new.token)
    assert _post(gate, f"Bearer {new.raw}")[0] == 401
    assert inner.tokens == []
    live = tokens.create_token(alice, name="assistant", scopes=["read"], expires_at=None)
    assert _post(gate, f"Bearer {live.raw}")[0] == 200
    assert [t.pk for t in inner.tokens] == [live.token.pk]


def test_a_token_over_the_rate_limit_gets_429(alice: User, settings: Any) -> None:
    settings.SECONDSTORY_API_RATE_LIMIT = 2
    cache.clear()  # counts of other tests' tokens
    gate = BearerToken(Inner())
    raw = tokens.create_token(alice, name="assistant", scopes=["read"], expires_at=None).raw
    statuses = [_post(gate, f"Bearer {raw}")[0] for _ in range(3)]
    assert statuses == [200, 200, 429]
    status, headers, body = _post(gate, f"Bearer {raw}")
    assert status == 429 and body["error"] == "rate_limited" and "www-authenticate" not in headers
