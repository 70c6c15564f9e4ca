"""The MCP server over streamable HTTP: every request brings ``Authorization: Bearer ss_…``.

``BearerToken`` checks the token before the MCP app sees the request: no token, or one
that is unknown, revoked, expired or whose account is inactive, answers 401 (with
``WWW-Authenticate: Bearer``) and reaches no tool; a token over the API's rate limit
(``SECONDSTORY_API_RATE_LIMIT`` a minute) answers 429. A live token is kept on the request for
the tools, which check its scope and answer as its person (``server.build_server``). The
transport is stateless: a request carries everything it needs, so no session outlives it.
"""

from __future__ import annotations

import json
from typing import Any

import uvicorn
from asgiref.sync import sync_to_async
from django.conf import settings
from mcp.server.mcpserver import Context
from mcp.server.transport_security import TransportSecuritySettings
from starlette.types import ASGIApp, Receive, Scope, Send

from secondstory.accounts.models import ApiToken
from secondstory.api.auth import throttle
from secondstory.api.errors import ApiError
from secondstory.mcp_server.library import Credential, Refused, live_token
from secondstory.mcp_server.server import build_server, in_database

STATE_KEY = "secondstory_token"


def _bearer(scope: Scope) -> str:
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            kind, _, raw = value.decode("latin-1").partition(" ")
            return raw.strip() if kind.lower() == "bearer" else ""
    return ""


class BearerToken:
    """ASGI middleware: a live API token or 401."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        raw = _bearer(scope)
        try:
            token = await sync_to_async(in_database, thread_sensitive=True)(_admitted, raw)
        except Refused as refusal:
            await _refuse(send, 401, "invalid_token", str(refusal))
            return
        except ApiError as error:  # the rate limit
            await _refuse(send, error.status, "rate_limited", error.message)
            return
        scope.setdefault("state", {})[STATE_KEY] = token
        await self.app(scope, receive, send)


def _admitted(raw: str) -> ApiToken:
    if not raw:
        raise Refused("Send the API token as `Authorization: Bearer ss_…`.")
    token = live_token(raw)
    throttle(token)
    return token


async def _refuse(send: Send, status: int, code: str, message: str) -> None:
    body = json.dumps({"error": code, "error_description": message}).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
    ]
    if status == 401:
        headers.append((b"www-authenticate", f'Bearer error="{code}"'.encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _token_of(ctx: Context) -> Credential:
    request: Any = ctx.request_context.request
    state = getattr(request, "scope", {}).get("state", {}) if request is not None else {}
    token: Credential | None = state.get(STATE_KEY)
    if token is None:  # the middleware lets no such request through
        raise Refused("Send the API token as `Authorization: Bearer ss_…`.")
    return token


def transport_security() -> TransportSecuritySettings:
    """Accept the ``Host`` names the web app accepts (``SECONDSTORY_ALLOWED_HOSTS``), so the
    server works behind the same proxy, plus this machine's own names."""
    hosts = ["127.0.0.1:*", "localhost:*", "[::1]:*"]
    origins = ["http://127.0.0.1:*", "http://localhost:*", "http://[::1]:*"]
    for name in settings.ALLOWED_HOSTS:
        if name == "*":
            return TransportSecuritySettings(enable_dns_rebinding_protection=False)
        name = name.lstrip(".")
        hosts += [name, f"{name}:*"]
        origins += [f"https://{name}", f"https://{name}:*", f"http://{name}:*"]
    return TransportSecuritySettings(allowed_hosts=hosts, allowed_origins=origins)


def app() -> ASGIApp:
    """The ASGI application: the MCP endpoint at ``/mcp`` behind ``BearerToken``."""
    starlette = build_server(_token_of).streamable_http_app(
        stateless_http=True, json_response=True, transport_security=transport_security()
    )
    return BearerToken(starlette)


def serve(host: str, port: int) -> None:
    """Serve until interrupted."""
    uvicorn.run(app(), host=host, port=port, log_level="warning", lifespan="on")
