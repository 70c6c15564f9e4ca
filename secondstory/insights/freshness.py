"""Figures computed once per state of the data: a cache keyed by the data-change token.

Database triggers change the token on every write to a table the insights read (see
``models.DataChange``), so a cached figure is reused exactly as long as the data it was
computed from is unchanged, and the first request after a change computes it afresh. Only
figures that are the same for every reader are cached; which keys a reader may see is
always decided per request.

The cache lives in ``SECONDSTORY_HOME/cache/insights`` (settings ``CACHES["insights"]``),
shared by the web server's processes and the command line.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import caches
from django.db import connection
from django.db.backends.utils import CursorWrapper

T = TypeVar("T")
#: PostgreSQL adds a row per writing statement; past this many a reader folds them into one.
FOLD_AFTER = 1000
#: Tokens stay below this (the triggers' modulus too), so sums never overflow a bigint.
TOKEN_MODULUS = 4611686018427387903
_MISSING = object()
log = logging.getLogger(__name__)


def data_version() -> str:
    """The current data-change token, e.g. ``"3:8812093311"`` (rows and their sum)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*), COALESCE(SUM(token), 0) FROM insights_datachange")
        rows, total = cursor.fetchone()
        if rows == 0:
            # An emptied table (a flushed database) gets a fresh random start, so the empty
            # state never shares a token with an earlier one.
            cursor.execute(
                "INSERT INTO insights_datachange (token) VALUES (%s)",
                [1 + secrets.randbelow(2**31)],
            )
            return data_version()
        if rows > FOLD_AFTER and connection.vendor == "postgresql":
            _fold(cursor)
    return f"{rows}:{total}"


def _fold(cursor: CursorWrapper) -> None:
    """Replace the rows by one holding their sum (the token changes once; that is harmless)."""
    cursor.execute(
        "WITH gone AS (DELETE FROM insights_datachange RETURNING token) "
        "INSERT INTO insights_datachange (token) "
        "SELECT COALESCE(SUM(token), 1) %% %s FROM gone",
        [TOKEN_MODULUS],
    )


def cached(
    name: str, parts: tuple[object, ...], compute: Callable[[], T], version: str | None = None
) -> T:
    """``compute()``'s value for this state of the data, computed at most once per state.

    The token (``version``, read now when not given) must be read before computing: a
    change that lands while computing then makes the next request compute again instead of
    keeping an outdated figure.
    """
    version = data_version() if version is None else version
    digest = hashlib.sha256(repr((name, version, parts)).encode()).hexdigest()
    key = f"insights:{digest}"
    store = caches["insights"]
    try:
        value = store.get(key, _MISSING)
    except Exception:  # a damaged cache file is a miss, not an error page
        log.warning("insights cache: cannot read %s", key, exc_info=True)
        value = _MISSING
    if value is not _MISSING:
        return value  # type: ignore[return-value]
    value = compute()
    try:
        store.set(key, value)
    except OSError:
        log.warning("insights cache: cannot write %s", key, exc_info=True)
    return value
