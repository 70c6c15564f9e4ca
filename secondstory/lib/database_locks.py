"""SQLite's write lock: a request that meets it is retried, then answered 503, never 500.

SQLite lets one connection write at a time; another writer waits up to the busy timeout
(``SECONDSTORY_SQLITE_BUSY_TIMEOUT``) and then fails with ``database is locked``. Long
writers are kept short (imports write in batches), so this is rare, but a request must
never show a traceback for it. :class:`LockRetryMiddleware` runs such a request again, a few
times with a growing pause (``SECONDSTORY_LOCK_RETRIES``), as long as nothing it did was
committed yet (running it again then changes nothing twice); after that it answers
``503 Service Unavailable`` with ``Retry-After`` and a short page. On PostgreSQL it does
nothing: writers there wait on row locks, not on the whole database.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from django.conf import settings
from django.core.signals import got_request_exception
from django.db import OperationalError, connection, transaction
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 5
_FIRST_PAUSE = 0.05
_READ_ONLY = ("SELECT", "SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "PRAGMA")
_FLAG = "_secondstory_database_locked"
T = TypeVar("T")


def is_lock_error(exc: BaseException | None) -> bool:
    """``database is locked`` (or a table of it), the error SQLite gives after its timeout."""
    return isinstance(exc, OperationalError) and "locked" in str(exc)


def retry_when_locked(work: Callable[[], T], *, attempts: int = 4) -> T:
    """Run ``work`` (one whole transaction) again when SQLite's lock refused it.

    Only for work that is safe to repeat: it must not be inside a caller's transaction.
    """
    pause = _FIRST_PAUSE
    for attempt in range(attempts):
        try:
            return work()
        except OperationalError as exc:
            if not is_lock_error(exc) or attempt == attempts - 1:
                raise
        time.sleep(pause)
        pause *= 3
    raise AssertionError("unreachable")


def _note_lock_error(sender: Any, request: HttpRequest | None = None, **_: Any) -> None:
    if request is not None and is_lock_error(sys.exception()):
        setattr(request, _FLAG, True)


got_request_exception.connect(_note_lock_error, dispatch_uid="secondstory-database-locked")


class _Writes:
    """Whether a request committed a change: a write outside a transaction commits at
    once; one inside counts when its outermost transaction commits."""

    def __init__(self) -> None:
        self.committed = False

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        result = execute(sql, params, many, context)
        if not sql.lstrip()[:9].upper().startswith(_READ_ONLY):
            if connection.in_atomic_block:
                transaction.on_commit(self._commit)
            else:
                self.committed = True
        return result

    def _commit(self) -> None:
        self.committed = True


@contextmanager
def _watching(writes: _Writes) -> Iterator[None]:
    with connection.execute_wrapper(writes):
        yield


class LockRetryMiddleware:
    """Retry a request that failed on SQLite's lock; answer 503, not 500, when it still does."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if connection.vendor != "sqlite":
            return self.get_response(request)
        retries = max(settings.SECONDSTORY_LOCK_RETRIES, 0)
        pause = _FIRST_PAUSE
        for attempt in range(retries + 1):
            writes = _Writes()
            with _watching(writes):
                response = self.get_response(request)
            if not getattr(request, _FLAG, False):
                return response
            delattr(request, _FLAG)
            if writes.committed or attempt == retries:
                break
            logger.warning("database is locked: running %s again", request.path)
            time.sleep(pause)
            pause *= 3
        logger.warning("database is locked: answered %s with 503", request.path)
        return busy_response()


def busy_response() -> HttpResponse:
    """The friendly 503 page: nothing was lost, try again in a few seconds."""
    page = render_to_string("busy.html", {"retry_after": RETRY_AFTER_SECONDS})
    response = HttpResponse(page, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
