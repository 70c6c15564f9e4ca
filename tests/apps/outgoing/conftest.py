"""A real HTTP receiver on 127.0.0.1 that checks each delivery's signature as docs/webhooks.md
tells receivers to, and webhook endpoints that point at it."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from secondstory.outgoing.models import KIND_CODES, WebhookEndpoint
from secondstory.outgoing.signing import verify

SECRET = "whsec_receiver_test_secret"


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    verified: bool

    @property
    def payload(self) -> dict[str, Any]:
        return dict(json.loads(self.body))


@dataclass
class SignedReceiver:
    """Records every POST; answers ``statuses`` in turn (then ``status``)."""

    url: str = ""
    status: int = 200
    statuses: list[int] = field(default_factory=list)
    delay: float = 0.0
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def next_status(self) -> int:
        with self.lock:
            return self.statuses.pop(0) if self.statuses else self.status


@contextmanager
def serve_receiver() -> Iterator[SignedReceiver]:
    """A receiver listening on 127.0.0.1 until the block ends."""
    state = SignedReceiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            signed = verify(SECRET, body, self.headers.get("X-Secondstory-Signature", ""))
            if state.delay:
                time.sleep(state.delay)
            state.received.append(Received(dict(self.headers.items()), body, signed))
            status = state.next_status() if signed else 401
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/secondstory"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def signed_receiver() -> Iterator[SignedReceiver]:
    with serve_receiver() as state:
        yield state


@pytest.fixture
def endpoint(db: None, signed_receiver: SignedReceiver) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(
        name="Receiver", url=signed_receiver.url, secret=SECRET, kinds=sorted(KIND_CODES)
    )
