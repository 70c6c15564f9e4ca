"""How fast secrets are redacted during an import.

Prints lines per second for (a) realistic chat lines without secrets, (b) lines with secrets,
(c) raw chat payload dicts as an importer keeps them in ``event.raw``, and (d) whole timeline
events. The goal is well over 100,000 chat messages per second for an import including
redaction, so (a) should stay around a microsecond or two per line. When detect-secrets is
installed, its line scanner is timed on the same lines for comparison (skipped otherwise).

Example:
    .venv/bin/python benchmarks/redact_speed.py
"""

from __future__ import annotations

import copy
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from secondstory.core.timeline.event import TimelineEvent
from secondstory.core.timeline.redact import Redactor

PEOPLE = ("Dana Okafor", "Rui Tanaka", "Mira Castell", "Tomasz Wren", "Ines Baptiste")
CHAT = (
    "seeing 502s from checkout-api in eu-west since about 14:02",
    "ack, I'm looking at the dashboards now",
    "pod checkout-7d9f8b6c5-x2x9z restarted 4 times in the last ten minutes",
    "p95 latency for orders went from 120ms to 2.4s",
    "rolling back to 3f2a9c1 now, deploy #4812 was the only change today",
    "can someone from the payments team join the bridge?",
    "https://grafana.northwind.example/d/checkout-overview?orgId=1&from=now-1h",
    "connection pool on orders-db is at 100/100, new connections are queueing",
    "I think the retry storm is making it worse, should we shed load at the edge?",
    "status page updated: investigating elevated error rates on checkout",
    "error rate is dropping, 0.4% and falling",
    "customers in Lisbon and Porto confirm the checkout works again",
    "let's keep the incident open for another 30 minutes to watch it",
    "the password reset emails are delayed too, probably the same queue",
    "who owns the token refresh job? it logged a warning at 14:05",
    "resolved, writing up the timeline for the review on Thursday",
    "ok",
    "+1",
    "trace id 4bf92f3577b34da6a3ce929d0e0e4736, request id 01HV6ZK3Q8R5T2W9X4Y7Z0A1B2",
    "image sha256:9b2c8f1e7d6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c pulled",
)
SECRET_LINES = (
    "DATABASE_URL=postgres://orders:"
    + "Wint3r-Harb0ur"
    + "@orders-db.northwind.internal:5432/orders",
    "export GITHUB_TOKEN=" + "ghp_" + "N0rthw1ndF4keT0kenV4lue0123456789abcd",
    "curl -H 'Authorization: Bearer "
    + "nw_live_"
    + "8f7e6d5c4b3a29180716' https://api.northwind.example",
    "aws_access_key_id = " + "AKIA" + "NORTHWINDEXAMPL3" + " aws_secret_access_key = "
    "Nw4r7" + "Hx9Kp2Lq8Zt6Vb3Mc5Rd1Fg0Jh7Ks4Pw2Yx",
    "slack bot token " + "xoxb-" + "1234567890-0987654321-NorthwindFakeValue42",
    "the webhook is https://hooks.slack.com/services/"
    + "T0NW1ND00/B0NW1ND00/"
    + "n0rthw1ndF4keHookV4l",
    'config: {"api_key": "' + "nw-" + '4c3b2a1908f7e6d5", "password": "' + "c0ff33-Br3ak" + '"}',
    "jwt " + "eyJhbGciOiJIUzI1NiJ9" + ".eyJzdWIiOiJub3J0aHdpbmQifQ" + ".c2lnbmF0dXJlLW5vcnRod2luZA",
)


def slack_payload(i: int, text: str) -> dict[str, Any]:
    """A message shaped like one in a chat export, with our own content."""
    user = f"U0NW{i % 7:05d}"
    return {
        "type": "message",
        "user": user,
        "text": text,
        "ts": f"{1772632920 + i}.{i % 1000:06d}",
        "client_msg_id": f"6f1c2a9e-4b7d-4e3a-9c1f-{i:012d}",
        "team": "T0NW1ND00",
        "user_team": "T0NW1ND00",
        "source_team": "T0NW1ND00",
        "user_profile": {
            "avatar_hash": "g0a1b2c3d4e5",
            "first_name": PEOPLE[i % len(PEOPLE)].split()[0],
            "real_name": PEOPLE[i % len(PEOPLE)],
            "display_name": PEOPLE[i % len(PEOPLE)].split()[0].lower(),
            "team": "T0NW1ND00",
            "name": PEOPLE[i % len(PEOPLE)].split()[0].lower(),
            "is_restricted": False,
            "is_ultra_restricted": False,
        },
        "blocks": [
            {
                "type": "rich_text",
                "block_id": f"b{i % 97:03d}x",
                "elements": [
                    {
                        "type": "rich_text_section",
                        "elements": [{"type": "text", "text": text}],
                    }
                ],
            }
        ],
        "reactions": [{"name": "eyes", "users": [user], "count": 1}] if i % 5 == 0 else [],
    }


def rate(work: Callable[[], int], repeats: int = 5) -> float:
    """Items per second: the median over ``repeats`` runs of ``work`` (which returns a count)."""
    speeds = []
    for _ in range(repeats):
        start = time.perf_counter()
        count = work()
        speeds.append(count / (time.perf_counter() - start))
    return statistics.median(speeds)


def main() -> None:
    clean = [f"{line} ({i})" if i % 3 else line for i, line in enumerate(CHAT * 2500)]
    secret = list(SECRET_LINES * 2000)
    # Every message text differs, as in a real export; ids and field names repeat.
    payloads = [slack_payload(i, f"{CHAT[i % len(CHAT)]} ({i})") for i in range(5000)]
    moment = datetime(2026, 3, 4, 14, 2, tzinfo=UTC)
    events = [
        TimelineEvent(
            at=moment,
            kind="chat",
            source="slack",
            source_ref=f"C0NW1ND00/{p['ts']}",
            text=p["text"],
            actor=p["user_profile"]["real_name"],
            raw=p,
        )
        for p in payloads
    ]

    def lines_of(items: list[str], redactor: Redactor) -> Callable[[], int]:
        def work() -> int:
            text = redactor.text
            for item in items:
                text(item)
            return len(items)

        return work

    def payloads_of(redactor: Redactor) -> Callable[[], int]:
        def work() -> int:
            value = redactor.value
            for item in payloads:
                value(item)
            return len(payloads)

        return work

    def events_of(redactor: Redactor) -> Callable[[], int]:
        def work() -> int:
            event = redactor.event
            for item in events:
                event(item)
            return len(events)

        return work

    plain = Redactor()
    print(f"(a) chat lines without secrets : {rate(lines_of(clean, plain)):>12,.0f} lines/s")
    print(f"(b) lines with secrets         : {rate(lines_of(secret, plain)):>12,.0f} lines/s")
    print(f"(c) raw chat payload dicts     : {rate(payloads_of(plain)):>12,.0f} payloads/s")
    print(f"(d) whole chat events          : {rate(events_of(plain)):>12,.0f} events/s")
    full = Redactor(emails=True, phones=True)
    print(f"(a) same, emails+phones on     : {rate(lines_of(clean, full)):>12,.0f} lines/s")
    print(f"(d) same, emails+phones on     : {rate(events_of(full)):>12,.0f} events/s")
    found = sum(plain.counts.values())
    print(f"    secrets redacted in (b)    : {found:,} ({dict(sorted(plain.counts.items()))})")
    untouched = copy.deepcopy(payloads[0]) == plain.value(payloads[0])
    print(f"    clean payload unchanged    : {untouched}")
    detect_secrets_rate(clean[:3000], secret[:800])


def detect_secrets_rate(clean: list[str], secret: list[str]) -> None:
    try:
        from detect_secrets.core.scan import scan_line
        from detect_secrets.settings import default_settings
    except ImportError:
        print("detect-secrets is not installed: comparison skipped")
        return

    def scan(items: list[str]) -> Callable[[], int]:
        def work() -> int:
            for item in items:
                list(scan_line(item))
            return len(items)

        return work

    with default_settings():
        print(f"detect-secrets scan_line, (a)  : {rate(scan(clean), 3):>12,.0f} lines/s")
        print(f"detect-secrets scan_line, (b)  : {rate(scan(secret), 3):>12,.0f} lines/s")
        hits = sum(1 for item in SECRET_LINES if list(scan_line(item)))
        false = sum(1 for item in CHAT if list(scan_line(item)))
        ours = sum(1 for item in CHAT if Redactor().text(item) != item)
        print(f"detect-secrets flags {hits} of {len(SECRET_LINES)} secret lines (ours: all)")
        print(f"detect-secrets flags {false} of {len(CHAT)} clean lines (ours: {ours})")


if __name__ == "__main__":
    main()
