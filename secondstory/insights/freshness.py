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
K = TypeVar("K")
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
    key = _key(name, parts, version)
    value = _get(key)
    if value is _MISSING:
        value = compute()
        _set(key, value)
    return value  # type: ignore[return-value]


def cached_many(
    name: str,
    wanted: dict[K, tuple[tuple[object, ...], str]],
    compute: Callable[[list[K]], dict[K, T]],
) -> dict[K, T]:
    """``cached`` for several values at once: ``wanted`` maps each value's name to its parts
    and version, and ``compute`` is called once, with the names of all those not kept."""
    keys = {k: _key(name, parts, version) for k, (parts, version) in wanted.items()}
    found: dict[K, T] = {}
    for k, key in keys.items():
        value = _get(key)
        if value is not _MISSING:
            found[k] = value  # type: ignore[assignment]
    missing = [k for k in wanted if k not in found]
    if missing:
        computed = compute(missing)
        for k in missing:
            _set(keys[k], computed[k])
        found.update(computed)
    return found


def kept(name: str, parts: tuple[object, ...], version: str) -> object | None:
    """The value kept under ``name``, ``parts`` and ``version`` by ``keep``, or None."""
    value = _get(_key(name, parts, version))
    return None if value is _MISSING else value


def keep(name: str, parts: tuple[object, ...], version: str, value: object) -> None:
    """Keep ``value`` for ``kept`` (for values that grow while their version holds)."""
    _set(_key(name, parts, version), value)


def _key(name: str, parts: tuple[object, ...], version: str) -> str:
    return "insights:" + hashlib.sha256(repr((name, version, parts)).encode()).hexdigest()


def _get(key: str) -> object:
    try:
        return caches["insights"].get(key, _MISSING)
    except Exception:  # a damaged cache file is a miss, not an error page
        log.warning("insights cache: cannot read %s", key, exc_info=True)
        return _MISSING


def _set(key: str, value: object) -> None:
    try:
        caches["insights"].set(key, value)
    except OSError:
        log.warning("insights cache: cannot write %s", key, exc_info=True)
