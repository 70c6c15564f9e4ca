"""Handing out the next free key (``PM-0042``, ``INC-0042``) when many ask at once.

The next key is "one above the highest in use", so two requests that look at the
same moment pick the same key. On PostgreSQL a transaction-scoped advisory lock
per kind of key makes them take turns: the second looks only after the first
has committed, and sees its key. SQLite runs write transactions one at a time
already (they begin IMMEDIATE). A key taken by other means in between (a
``load``, an import) is still caught by the unique constraint and the next key
is tried.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from typing import TypeVar

from django.db import IntegrityError, connection, transaction

T = TypeVar("T")

ATTEMPTS = 20


class NoFreeKey(Exception):
    """Every attempt found its key taken (something outside this module keeps taking them)."""


def with_next_key(kind: str, next_key: Callable[[], str], create: Callable[[str], T]) -> T:
    """``create(key)`` with the next free key; retried with a fresh key if that one is taken.

    Call it inside the caller's transaction or not; the key and what ``create``
    writes are committed together with that transaction.
    """
    for _attempt in range(ATTEMPTS):
        with transaction.atomic():
            _take_turns(kind)
            key = next_key()
            try:
                with transaction.atomic():
                    return create(key)
            except IntegrityError:
                continue  # taken without the lock (a load, an import): try the next one
    raise NoFreeKey(kind)


def _take_turns(kind: str) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # Held until the outermost transaction ends, so the next caller sees this key.
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_LOCK_SPACE, _lock_id(kind)])


_LOCK_SPACE = 0x5EC0  # "secondstory" keys; the second number tells the kind of key


def _lock_id(kind: str) -> int:
    return zlib.crc32(kind.encode("utf-8")) & 0x7FFFFFFF
