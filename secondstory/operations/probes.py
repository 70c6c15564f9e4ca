"""``/healthz`` and ``/readyz``: what a load balancer or a container runtime asks.

``/healthz`` answers ``ok`` while the process serves requests, without touching the
database. ``/readyz`` answers whether this server can do useful work: the database is
reachable, no migration is waiting, and a worker gave a sign of life recently; 503 and
the failing checks otherwise. Neither needs signing in or says anything about content.

A middleware at the top of the chain answers them, before host validation, the HTTPS
redirect, sessions and sign-in: load balancers probe by address (a ``Host`` header that is
not in ``SECONDSTORY_ALLOWED_HOSTS``) and over plain HTTP, and a probe should cost a few
queries, not a page.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

from secondstory.accounts import permissions

OK = "ok"

Checks = dict[str, str]


def database_check() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        connection.close_if_unusable_or_obsolete()
        return "unreachable"
    return OK


@functools.cache
def _migrations_on_disk() -> tuple[tuple[tuple[str, str], tuple[tuple[str, str], ...]], ...]:
    """Every migration this code has, with the ones it replaces (squashed); read once."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return tuple(
        (key, tuple(loader.disk_migrations[key].replaces)) for key in sorted(loader.graph.nodes)
    )


def unapplied_migrations() -> list[str]:
    """The migrations of this code not yet applied to the database (one query)."""
    recorder = MigrationRecorder(connection)
    try:
        applied = set(recorder.migration_qs.values_list("app", "name"))
    except DatabaseError:  # no django_migrations table: a database never migrated
        connection.close_if_unusable_or_obsolete()
        applied = set()
    return [
        f"{app}.{name}"
        for (app, name), replaces in _migrations_on_disk()
        if (app, name) not in applied and not (replaces and set(replaces) <= applied)
    ]


def migrations_check() -> str:
    return "pending" if unapplied_migrations() else OK


def worker_check() -> tuple[str, int | None]:
    """The worker's state and how many seconds ago it last gave a sign of life."""
    from secondstory.notify.heartbeat import last_beat

    max_age = settings.SECONDSTORY_WORKER_HEARTBEAT_MAX_AGE
    if max_age == 0:
        return "not checked", None
    newest = last_beat()
    if newest is None:
        return "never seen", None
    age = max(0, int((timezone.now() - newest) / timedelta(seconds=1)))
    return (OK if age <= max_age else "stale"), age


def readiness() -> tuple[bool, dict[str, object]]:
    """Whether this server is ready, and the body ``/readyz`` answers with."""
    checks: Checks = {"database": database_check()}
    body: dict[str, object] = {"checks": checks}
    if checks["database"] != OK:
        checks["migrations"] = checks["worker"] = "unknown"
    else:
        checks["migrations"] = migrations_check()
        if checks["migrations"] != OK:  # the heartbeat table may not be there yet
            checks["worker"] = "unknown"
        else:
            checks["worker"], age = worker_check()
            if age is not None:
                body["worker_last_seen_seconds_ago"] = age
    # "unknown" is not ready either, but only what was found failing is named
    ready = all(state in (OK, "not checked") for state in checks.values())
    failing = [
        name for name, state in checks.items() if state not in (OK, "not checked", "unknown")
    ]
    body = {"status": "ready" if ready else "not ready", **body}
    if failing:
        body["failing"] = failing
    return ready, body


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")


def readyz(request: HttpRequest) -> HttpResponse:
    ready, body = readiness()
    return JsonResponse(body, status=200 if ready else 503)


PROBES: dict[str, tuple[str, Callable[[HttpRequest], HttpResponse]]] = {
    "/healthz": ("healthz", healthz),
    "/readyz": ("readyz", readyz),
}


class ProbeMiddleware:
    """Answers ``/healthz`` and ``/readyz`` before the rest of the middleware chain."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        name, probe = PROBES.get(request.path_info, ("", None))
        if probe is None or not permissions.may_probe(name):
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            response: HttpResponse = HttpResponseNotAllowed(["GET", "HEAD"])
        else:
            response = probe(request)
        add_never_cache_headers(response)
        response["X-Content-Type-Options"] = "nosniff"
        if request.method == "HEAD":
            response.content = b""
        return response
