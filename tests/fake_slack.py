"""A fake Slack Web API on 127.0.0.1 and signed requests, for the tests: a documented double.

It answers the three methods live capture calls, from the messages and people a test gives
it, as Slack does (``{"ok": true, ...}``, or ``{"ok": false, "error": ...}``), and checks the
bot token. ``delay`` makes every answer late (to test timeouts); ``calls`` records what was
asked. Nothing here is part of the application.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from secondstory.core.chat_commands import slack_signature

BOT_TOKEN = "xoxb-test-bot-token"
SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


@dataclass
class FakeSlack:
    url: str = ""
    token: str = BOT_TOKEN
    messages: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # by channel
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    delay: float = 0.0
    calls: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    def answer(self, method: str, params: dict[str, str], auth: str) -> dict[str, Any]:
        self.calls.append((method, params))
        if auth != f"Bearer {self.token}":
            return {"ok": False, "error": "invalid_auth"}
        if method == "users.info":
            user = self.users.get(params.get("user", ""))
            return {"ok": True, "user": user} if user else {"ok": False, "error": "user_not_found"}
        channel = self.messages.get(params.get("channel", ""))
        if channel is None:
            return {"ok": False, "error": "channel_not_found"}
        if method == "conversations.history":
            latest = params.get("latest", "")
            top = [m for m in channel if "parent_user_id" not in m and m["ts"] <= latest]
            top.sort(key=lambda m: m["ts"], reverse=True)
            return {"ok": True, "messages": top[:1], "has_more": len(top) > 1}
        if method == "conversations.replies":
            ts = params.get("ts", "")
            thread = [m for m in channel if ts in (m["ts"], m.get("thread_ts"))]
            return {"ok": True, "messages": thread, "has_more": False}
        return {"ok": False, "error": "unknown_method"}


@contextmanager
def running_fake_slack() -> Iterator[FakeSlack]:
    fake = FakeSlack()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            params = {k: v[0] for k, v in parse_qs(parts.query).items()}
            if fake.delay:
                time.sleep(fake.delay)
            method = parts.path.rsplit("/", 1)[-1]
            body = json.dumps(fake.answer(method, params, self.headers.get("Authorization", "")))
            data = body.encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            # The client may have given up waiting (a timeout test).
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.url = f"http://127.0.0.1:{server.server_address[1]}/api"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()


def signed_headers(
    body: bytes, *, secret: str = SIGNING_SECRET, at: float | None = None
) -> dict[str, str]:
    """The headers Slack sends with ``body`` (signed at ``at``, default now)."""
    stamp = str(int(time.time() if at is None else at))
    return {
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": slack_signature(secret, stamp, body),
    }


def command_body(text: str, **extra: str) -> bytes:
    """A slash command's form body, as Slack sends it."""
    fields = {
        "token": "deprecated-verification-token",
        "team_id": "T0TEAM",
        "team_domain": "acme",
        "channel_id": "C0INCIDENT",
        "channel_name": "inc-checkout",
        "user_id": "U0ALICE",
        "user_name": "alice",
        "command": "/postmortem",
        "text": text,
        "response_url": "https://hooks.slack.invalid/commands/1",
        "trigger_id": f"trigger-{time.time_ns()}",
    }
    fields.update(extra)
    return urlencode(fields).encode()


def reaction_body(
    channel: str,
    ts: str,
    *,
    event_id: str = "Ev1",
    user: str = "U0ALICE",
    reaction: str = "pushpin",
) -> bytes:
    return json.dumps({
        "token": "deprecated-verification-token",
        "team_id": "T0TEAM",
        "api_app_id": "A0APP",
        "type": "event_callback",
        "event_id": event_id,
        "event_time": int(time.time()),
        "event": {
            "type": "reaction_added", "user": user, "reaction": reaction,
            "item_user": "U0BOB", "item": {"type": "message", "channel": channel, "ts": ts},
            "event_ts": f"{time.time():.6f}",
        },
    }).encode()  # fmt: skip
