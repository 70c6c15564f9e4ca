"""Does `secondstory serve` answer a request sent on a kept-alive connection after a pause?

Starts `secondstory serve` (one worker with two threads: with one thread gunicorn runs its
synchronous worker, which closes every connection after its answer) on a free loopback port
with a fresh SQLite home, then for each PAUSE: opens a connection, asks for the sign-in page, waits
PAUSE seconds without closing the connection (as an HTTP client with a connection pool does
between two requests), asks again on the same connection and prints whether the second
request was answered. A request sent on a connection the server has closed meanwhile gets
no answer (`RemoteDisconnected` or a reset), which is what a load client reports as
"Server disconnected" or `ReadError` when the server closes the idle connection while its
next request is already on the way.

    python benchmarks/keepalive.py
    python benchmarks/keepalive.py --pauses 1 2.5 4 10
"""

from __future__ import annotations

import argparse
import http.client
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COMMAND = str(Path(sys.executable).with_name("secondstory"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def ask(conn: http.client.HTTPConnection) -> int:
    conn.request("GET", "/login/")
    response = conn.getresponse()
    response.read()
    return response.status


def reused_after(port: int, pause: float) -> str:
    """What the second request on one connection got after ``pause`` seconds of quiet."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        first = ask(conn)
        if first != 200:
            return f"first request answered {first}"
        time.sleep(pause)
        try:
            return f"answered {ask(conn)}"
        except (http.client.RemoteDisconnected, ConnectionError) as exc:
            return f"no answer ({type(exc).__name__})"
    finally:
        conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--pauses", type=float, nargs="+", default=[0.5, 1.0, 2.5, 4.0, 10.0],
        help="seconds of quiet between the two requests",
    )  # fmt: skip
    args = parser.parse_args()
    home = tempfile.mkdtemp(prefix="secondstory-keepalive-")
    env = {**os.environ, "SECONDSTORY_HOME": home}
    env.pop("SECONDSTORY_DATABASE_URL", None)
    port = free_port()
    command = [COMMAND, "serve", "--port", str(port), "--workers", "1", "--threads", "2"]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 300
        while True:
            if server.poll() is not None:
                raise SystemExit("error: the server stopped while starting")
            try:
                reused_after(port, 0)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit("error: the server never listened") from None
                time.sleep(0.3)
        for pause in args.pauses:
            print(f"pause {pause:5.1f} s: {reused_after(port, pause)}", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=60)


if __name__ == "__main__":
    main()
