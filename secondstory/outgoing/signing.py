"""Signing outgoing webhooks, and the check a receiver makes (docs/webhooks.md).

``X-Secondstory-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">``. The
time is signed with the body, so a receiver that refuses an old ``t`` refuses replays.

>>> header = signature_header("whsec_test", b'{"a":1}', at=1700000000)
>>> header.startswith("t=1700000000,v1=")
True
>>> verify("whsec_test", b'{"a":1}', header, now=1700000100)
True
>>> verify("whsec_test", b'{"a":2}', header, now=1700000100)
False
"""

from __future__ import annotations

import hashlib
import hmac
import time

#: A receiver refuses a signature older (or newer) than this many seconds by default.
TOLERANCE_SECONDS = 300


def signature(secret: str, body: bytes, at: int) -> str:
    return hmac.new(secret.encode(), f"{at}.".encode() + body, hashlib.sha256).hexdigest()


def signature_header(secret: str, body: bytes, *, at: int | None = None) -> str:
    at = int(time.time()) if at is None else at
    return f"t={at},v1={signature(secret, body, at)}"


def verify(
    secret: str,
    body: bytes,
    header: str,
    *,
    now: float | None = None,
    tolerance: int = TOLERANCE_SECONDS,
) -> bool:
    """True when ``header`` signs ``body`` under ``secret`` within ``tolerance`` seconds."""
    parts: dict[str, list[str]] = {}
    for item in header.split(","):
        name, sep, value = item.strip().partition("=")
        if sep:
            parts.setdefault(name, []).append(value)
    try:
        at = int(parts.get("t", [""])[0])
    except ValueError:
        return False
    current = time.time() if now is None else now
    if abs(current - at) > tolerance:
        return False
    expected = signature(secret, body, at)
    return any(hmac.compare_digest(expected, given) for given in parts.get("v1", []))
