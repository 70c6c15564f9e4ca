"""What a webhook costs: inbound alert deliveries and outgoing deliveries, timed.

Migrates a fresh data directory (SQLite; the database of SECONDSTORY_DATABASE_URL when set,
which should be one of its own), then:

- inbound: --incidents PagerDuty incidents, each as three signed v3 deliveries (triggered,
  acknowledged, resolved) posted to /integrations/pagerduty, then every delivery again (a
  redelivery adds nothing); prints the median and p90 time per delivery of each pass;
- outgoing: --deliveries queued events delivered by one worker run to a receiver on
  127.0.0.1; prints deliveries per second.

    python benchmarks/webhooks.py --incidents 100 --deliveries 500

Measured with 50 incidents (150 deliveries) and 300 outgoing deliveries on 2 shared cores
under a load average of 16-19:

    sqlite      inbound first  median  95.5 ms  p90 190.6 ms   redelivery  median  46.5 ms
                outgoing 300 delivered in 8.76 s: 34/s
    postgresql  inbound first  median 241.5 ms  p90 418.2 ms   redelivery  median 117.7 ms
                outgoing 300 delivered in 16.71 s: 18/s

A delivery is a whole import (parse, redact, merge, audit, revision) plus the milestone
step; an outgoing one is a claim, the POST and the record, each its own commit.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import hmac
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SECRET = "bench-secret"


def _bodies(incidents: int) -> list[bytes]:
    lines = (ROOT / "tests/fixtures/sources/pagerduty/webhooks.jsonl").read_text().splitlines()
    events = [json.loads(line) for line in lines]
    chosen = [e for e in events if e["event"]["event_type"] in (
        "incident.triggered", "incident.acknowledged", "incident.resolved")][1:]  # fmt: skip
    bodies = []
    for number in range(incidents):
        for event in chosen:
            payload = copy.deepcopy(event)
            payload["event"]["id"] = f"{payload['event']['id']}-{number}"
            payload["event"]["data"]["id"] = f"PBENCH{number:06d}"
            bodies.append(json.dumps(payload).encode())
    return bodies


def _timed(client: Any, bodies: list[bytes]) -> list[float]:
    durations = []
    for body in bodies:
        signature = "v1=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        start = time.perf_counter()
        response = client.post(
            "/integrations/pagerduty", body, content_type="application/json",
            headers={"X-PagerDuty-Signature": signature},
        )  # fmt: skip
        durations.append(time.perf_counter() - start)
        assert response.status_code == 200, response.content
    return durations


def _receiver() -> tuple[ThreadingHTTPServer, str]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            self.send_response(204)
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=100)
    parser.add_argument("--deliveries", type=int, default=500)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("SECONDSTORY_HOME", tempfile.mkdtemp(prefix="secondstory-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "secondstory.settings")
    os.environ["SECONDSTORY_PAGERDUTY_WEBHOOK_SECRETS"] = SECRET
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from secondstory.outgoing import events, sender
    from secondstory.outgoing.models import WebhookEndpoint

    call_command("migrate", verbosity=0)
    bodies = _bodies(args.incidents)
    client = Client(HTTP_HOST="127.0.0.1")
    print(f"{connection.vendor}: {args.incidents} PagerDuty incidents, {len(bodies)} deliveries")
    for label in ("first delivery", "redelivery"):
        durations = sorted(_timed(client, bodies))
        median = statistics.median(durations) * 1000
        p90 = durations[int(len(durations) * 0.9)] * 1000
        print(f"  inbound {label:15} median {median:6.1f} ms   p90 {p90:6.1f} ms")
    server, url = _receiver()
    endpoint = WebhookEndpoint.objects.create(name="bench", url=url, kinds=[])
    for _ in range(args.deliveries):
        events.ping(endpoint)
    start = time.perf_counter()
    sent = sender.deliver_due(limit=args.deliveries)
    elapsed = time.perf_counter() - start
    delivered = sum(1 for d in sent if d.status == "delivered")
    print(f"  outgoing {delivered} delivered in {elapsed:.2f} s: {delivered / elapsed:.0f}/s")
    server.shutdown()


if __name__ == "__main__":
    main()
