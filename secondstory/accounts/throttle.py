"""Sign-in throttling: too many failed sign-ins for one username, or from one address, make
the next attempts wait (docs/security.md).

Failures are kept in the database (``LoginFailure``), so every app server sees the same
counts. Within ``SECONDSTORY_LOGIN_WINDOW_SECONDS``, a username may fail
``SECONDSTORY_LOGIN_MAX_FAILURES`` times and an address
``SECONDSTORY_LOGIN_MAX_FAILURES_PER_ADDRESS`` times; the next attempt, right password or
not, is refused with the time to wait until the oldest of those failures leaves the window.
A successful sign-in forgets the username's failures (not the address's).
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from secondstory.accounts.models import LoginFailure


def client_address(request: HttpRequest | None) -> str:
    """The client's address: REMOTE_ADDR, or behind ``SECONDSTORY_PROXY_COUNT`` trusted
    proxies, the address the outermost of them saw (from the right of X-Forwarded-For)."""
    if request is None:
        return ""
    proxies = int(settings.SECONDSTORY_PROXY_COUNT)
    forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    if proxies > 0 and len(hops) >= proxies:
        return hops[-proxies][:45]
    return str(request.META.get("REMOTE_ADDR", ""))[:45]


def _normal(username: str) -> str:
    return username.strip().lower()[:150]


def _window() -> timedelta:
    return timedelta(seconds=int(settings.SECONDSTORY_LOGIN_WINDOW_SECONDS))


def _freed_at(failures: list[datetime], limit: int) -> datetime | None:
    """When the count of failures (newest first) falls below ``limit`` again."""
    if limit <= 0 or len(failures) < limit:
        return None
    return failures[limit - 1] + _window()


def wait_seconds(username: str, address: str) -> tuple[int, str]:
    """Seconds to wait before another try, and whose failures impose it ("username" or
    "address"); ``(0, "")`` when a try is allowed now."""
    now = timezone.now()
    recent = LoginFailure.objects.filter(at__gte=now - _window())
    checks = [("username", _normal(username), settings.SECONDSTORY_LOGIN_MAX_FAILURES)]
    if address:
        checks.append(("address", address, settings.SECONDSTORY_LOGIN_MAX_FAILURES_PER_ADDRESS))
    longest, who = 0.0, ""
    for field, value, limit in checks:
        times = list(
            recent.filter(**{field: value}).order_by("-at").values_list("at", flat=True)[:limit]
        )
        freed = _freed_at(times, int(limit))
        if freed is not None and (freed - now).total_seconds() > longest:
            longest, who = (freed - now).total_seconds(), field
    return math.ceil(longest), who


@transaction.atomic
def record_failure(username: str, address: str) -> None:
    now = timezone.now()
    LoginFailure.objects.filter(at__lt=now - _window()).delete()
    LoginFailure.objects.create(username=_normal(username), address=address, at=now)


def forget_failures(username: str) -> None:
    LoginFailure.objects.filter(username=_normal(username)).delete()


def describe_wait(seconds: int) -> str:
    """ "45 seconds", "1 minute", "12 minutes": the wait, rounded up.

    >>> describe_wait(61)
    '2 minutes'
    """
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"
