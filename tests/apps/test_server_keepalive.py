"""A real `secondstory serve` answers a request sent on a connection kept alive through a pause.

A pooled HTTP client (the load generator's httpx, a browser, a reverse proxy) sends its next
request on the connection it already has. If the server closed that connection during the
pause, the request gets no answer ("Server disconnected"). See docs/operations.md.
"""

from __future__ import annotations

import http.client
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import closing

import pytest

from tests.apps.mcp.test_mcp_stdio import COMMAND, environment
from tests.apps.notify.conftest import free_port

pytestmark = pytest.mark.django_db(transaction=True)

#: Longer than gunicorn's own keep-alive (2 s, checked once a second), shorter than an
#: httpx connection pool keeps an idle connection (5 s).
PAUSE = 4.0


@pytest.fixture
def port() -> Iterator[int]:
    """`secondstory serve` with one worker of two threads (gunicorn's gthread worker)."""
    port = free_port()
    command = [COMMAND, "serve", "--port", str(port), "--workers", "1", "--threads", "2"]
    command.append("--no-migrate")
    server = subprocess.Popen(
        command,
        env=environment(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 120  # a liveness bound, not a speed goal
        while True:
            assert server.poll() is None, server.stderr.read() if server.stderr else ""
            try:
                socket.create_connection(("127.0.0.1", port), timeout=5).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "the server never listened"
                time.sleep(0.2)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=60)
        if server.stderr:
            server.stderr.close()


def _sign_in_page(conn: http.client.HTTPConnection) -> http.client.HTTPResponse:
    conn.request("GET", "/login/")
    response = conn.getresponse()
    response.read()
    return response


def test_a_request_after_a_pause_is_answered_on_the_same_connection(port: int) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    with closing(conn):
        first = _sign_in_page(conn)
        assert first.status == 200
        assert not first.will_close  # the connection is kept alive
        used = conn.sock
        time.sleep(PAUSE)
        try:
            second = _sign_in_page(conn)
        except (http.client.RemoteDisconnected, ConnectionError) as exc:
            pytest.fail(f"the server closed the connection during a {PAUSE:g} s pause: {exc!r}")
        assert second.status == 200
        assert conn.sock is used  # the same connection, not a new one
