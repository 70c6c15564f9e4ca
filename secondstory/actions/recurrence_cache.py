"""Recurrence matches kept between page views, dropped when what they depend on changes.

A postmortem's page shows, for its done action items and its factors, the recurrences found
across the organisation (:mod:`secondstory.actions.recurrence`). Finding them is the same
work for every reader, and the data it reads (factors, action items, milestones, incidents'
services, postmortems' incidents) changes far less often than pages are viewed, so the
matches are kept in this process, per postmortem.

Everything kept is dropped as soon as this process writes to any table the matches are read
from: every connection carries a wrapper that watches the SQL it sends, so bulk inserts and
``QuerySet.update`` count as much as ``save()``. Another server process's writes are seen
once the kept entry is older than ``SECONDSTORY_RECURRENCE_CACHE_SECONDS`` (60 by default;
0 turns keeping off). Nothing is kept from inside a transaction, whose writes may still be
rolled back.
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
MAX_ENTRIES = 2048

# The tables the matches are read from (see recurrence._load_items and _load_factors).
WATCHED_TABLES = (
    "postmortems_contributingfactor",
    "postmortems_factorcategory",
    "postmortems_postmortem_incidents",
    "actions_actionitem",
    "actions_actionitem_factors",
    "incidents_incident",
    "incidents_incident_services",
    "incidents_milestone",
    "incidents_milestonekind",
    "incidents_service",
)
_WATCHED = re.compile(r"\b(?:" + "|".join(WATCHED_TABLES) + r")\b")
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLAC", "TRUNCA")


@dataclass(frozen=True, slots=True)
class _Entry:
    generation: int
    at: float
    value: Any


class _Kept:
    def __init__(self) -> None:
        self.generation = 0
        self.entries: OrderedDict[Hashable, _Entry] = OrderedDict()
        self.lock = threading.Lock()


_kept = _Kept()


def seconds() -> float:
    return float(getattr(settings, "SECONDSTORY_RECURRENCE_CACHE_SECONDS", 60))


def keep(slot: Hashable, compute: Callable[[], T], *, using: str = "default") -> T:
    """The value kept for ``slot``, or ``compute()`` (kept when it may be)."""
    ttl = seconds()
    if ttl <= 0 or connections[using].in_atomic_block:
        return compute()
    now = time.monotonic()
    with _kept.lock:
        entry = _kept.entries.get(slot)
        generation = _kept.generation
        if entry is not None and entry.generation == generation and now - entry.at < ttl:
            _kept.entries.move_to_end(slot)
            return entry.value  # type: ignore[no-any-return]
    value = compute()
    with _kept.lock:
        # A write while computing may have changed what was read: keep nothing then.
        if _kept.generation == generation:
            _kept.entries[slot] = _Entry(generation, now, value)
            _kept.entries.move_to_end(slot)
            while len(_kept.entries) > MAX_ENTRIES:
                _kept.entries.popitem(last=False)
    return value


def forget() -> None:
    """Drop everything kept (a watched table was written)."""
    with _kept.lock:
        _kept.generation += 1
        _kept.entries.clear()


def kept() -> int:
    """How many entries are kept now."""
    return len(_kept.entries)


def _watch(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
    try:
        return execute(sql, params, many, context)
    finally:
        # Dropped even when the statement failed: it may have changed something first.
        if sql.lstrip()[:6].upper() in _WRITES and _WATCHED.search(sql):
            forget()


def watch(connection: BaseDatabaseWrapper, **_: Any) -> None:
    """Install the watching wrapper on ``connection`` (on every new connection).

    It goes first in the list: Django's ``execute_wrapper`` blocks remove the last one when
    they end, and a connection may be opened inside such a block.
    """
    if _watch not in connection.execute_wrappers:
        connection.execute_wrappers.insert(0, _watch)
