"""Results kept between requests in this process, dropped when what they were read from changes.

Some answers are the same for every reader and read tables that change far less often than
pages are viewed (the recurrences a postmortem's page shows, the incidents that started on
this calendar day in earlier years). A :class:`Kept` holds such answers, per slot, in this
process; what depends on the reader (what they may see) is never kept and is computed for
every request.

Everything a :class:`Kept` holds is dropped as soon as this process writes to any table it
watches: every database connection carries a wrapper that watches the SQL it sends, so bulk
inserts and ``QuerySet.update`` count as much as ``save()``. Another server process's writes
are seen once an entry is older than its time to live (``seconds``, a setting; 0 turns keeping
off). Nothing is kept from inside a transaction, whose writes may still be rolled back.
"""

from __future__ import annotations

import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper

T = TypeVar("T")
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLAC", "TRUNCA")


@dataclass(frozen=True, slots=True)
class _Entry:
    generation: int
    at: float
    value: Any


class Kept:
    """Answers kept per slot; dropped when one of ``tables`` is written, or after
    ``settings.<setting>`` seconds (``default`` when unset)."""

    def __init__(
        self, tables: tuple[str, ...], *, setting: str, default: float, size: int = 2048
    ) -> None:
        self.tables = tables
        self.pattern = re.compile(r"\b(?:" + "|".join(map(re.escape, tables)) + r")\b")
        self.setting = setting
        self.default = default
        self.size = size
        self.generation = 0
        self.entries: OrderedDict[Hashable, _Entry] = OrderedDict()
        self.lock = threading.Lock()
        _ALL.append(self)

    @property
    def seconds(self) -> float:
        return float(getattr(settings, self.setting, self.default))

    def keep(self, slot: Hashable, compute: Callable[[], T], *, using: str = "default") -> T:
        """The answer kept for ``slot``, or ``compute()`` (kept when it may be)."""
        ttl = self.seconds
        if ttl <= 0 or connections[using].in_atomic_block:
            return compute()
        now = time.monotonic()
        with self.lock:
            entry = self.entries.get(slot)
            generation = self.generation
            if entry is not None and entry.generation == generation and now - entry.at < ttl:
                self.entries.move_to_end(slot)
                return entry.value  # type: ignore[no-any-return]
        value = compute()
        with self.lock:
            # A write while computing may have changed what was read: keep nothing then.
            if self.generation == generation:
                self.entries[slot] = _Entry(generation, now, value)
                self.entries.move_to_end(slot)
                while len(self.entries) > self.size:
                    self.entries.popitem(last=False)
        return value

    def forget(self) -> None:
        """Drop everything kept."""
        with self.lock:
            self.generation += 1
            self.entries.clear()

    def __len__(self) -> int:
        return len(self.entries)


_ALL: list[Kept] = []


def _watch(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
    try:
        return execute(sql, params, many, context)
    finally:
        # Dropped even when the statement failed: it may have changed something first.
        if sql.lstrip()[:6].upper() in _WRITES:
            for kept in _ALL:
                if kept.pattern.search(sql):
                    kept.forget()


def watch(connection: BaseDatabaseWrapper, **_: Any) -> None:
    """Install the watching wrapper on ``connection`` (connected to every new connection).

    It goes first in the list: Django's ``execute_wrapper`` blocks remove the last one when
    they end, and a connection may be opened inside such a block.
    """
    if _watch not in connection.execute_wrappers:
        connection.execute_wrappers.insert(0, _watch)
