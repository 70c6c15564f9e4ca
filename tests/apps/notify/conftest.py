"""A real local SMTP server and a real local HTTP receiver for notification tests."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Inbox:
    """Collects every message the local SMTP server accepts."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], Message]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content)))
        return "250 OK"

    def body(self, index: int) -> str:
        payload = self.messages[index][1].get_payload(decode=True)
        assert isinstance(payload, bytes)
        return payload.decode()


@pytest.fixture
def smtp(settings: Any) -> Iterator[Inbox]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    try:
        yield inbox
    finally:
        controller.stop()


@dataclass
class Receiver:
    """A local HTTP server that records each POST and answers with ``status``."""

    url: str = ""
    status: int = 200
    delay: float = 0.0
    requests: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def json(self, index: int = -1) -> dict[str, Any]:
        return self.requests[index][1]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length) or b"null")
            if state.delay:
                time.sleep(state.delay)
            state.requests.append((self.path, body))
            answer = b"ok" if state.status < 400 else b"server_error"
            try:
                self.send_response(state.status)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)
            except OSError:
                pass

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def no_channels(settings: Any) -> None:
    settings.EMAIL_HOST = ""
    settings.SECONDSTORY_SLACK_WEBHOOK_URL = ""
    settings.SECONDSTORY_NOTIFY_WEBHOOK_URL = ""


@dataclass
class SilentServer:
    """Accepts every connection and never says a word."""

    port: int
    connections: list[socket.socket]


@pytest.fixture
def silent() -> Iterator[SilentServer]:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    server.settimeout(0.1)
    state = SilentServer(int(server.getsockname()[1]), [])
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                state.connections.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        stop.set()
        thread.join()
        for conn in state.connections:
            conn.close()
        server.close()
