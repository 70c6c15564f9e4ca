"""Bulk operations write one summarising audit event, not one per row.

Inside ``with bulk("load", ...)`` the change capture counts rows instead of writing an
event for each; when the operation ends, one event holds the counts (``{"incidents.
timelineevent": {"create": 200000}}``) and whatever the caller adds to ``details``.

Counts follow the transactions: rows written inside a transaction or savepoint that rolls
back are not counted (a file of ``secondstory load`` that fails leaves no trace in the
figures, as it leaves none in the data). Each transaction level gets a counter that is
merged into the total by an ``on_commit`` hook, which Django drops with its savepoint.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from secondstory.audit.context import Actor, current_actor
from secondstory.audit.models import Action


@dataclass(eq=False)
class _Level:
    """The counts of one transaction level and the on_commit entry that will merge them."""

    counts: Counter[str]
    entry: object
    hooks: list[Any]


@dataclass(eq=False)
class BulkScope:
    operation: str
    object_type: str = ""
    object_id: str = ""
    object_label: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    committed: Counter[str] = field(default_factory=Counter)
    levels: dict[tuple[object, ...], _Level] = field(default_factory=dict)

    def count(self, object_type: str, action: str) -> None:
        """Count one row changed by the operation."""
        key = f"{object_type} {action}"
        connection = transaction.get_connection()
        if not connection.in_atomic_block:
            self.committed[key] += 1
            return
        self._level(connection)[key] += 1

    def _level(self, connection: Any) -> Counter[str]:
        sids = tuple(connection.savepoint_ids)
        level = self.levels.get(sids)
        hooks = connection.run_on_commit
        if level is not None and level.hooks is not hooks:
            # A savepoint ended since: Django rebuilt its list of hooks. Ours is still in
            # it unless its savepoint (or the transaction) was rolled back.
            if any(entry is level.entry for entry in hooks):
                level.hooks = hooks
            else:
                level = None
        if level is None:
            counts: Counter[str] = Counter()
            transaction.on_commit(lambda: self._merge(sids, counts))
            level = _Level(counts, connection.run_on_commit[-1], connection.run_on_commit)
            self.levels[sids] = level
        return level.counts

    def _merge(self, sids: tuple[object, ...], counts: Counter[str]) -> None:
        self.committed.update(counts)
        level = self.levels.get(sids)
        if level is not None and level.counts is counts:
            del self.levels[sids]

    def summary(self) -> dict[str, Any]:
        """``{object type: {action: rows}}`` of what was committed, and the details."""
        rows: dict[str, dict[str, int]] = {}
        for key, n in sorted(self.committed.items()):
            object_type, action = key.split(" ")
            rows.setdefault(object_type, {})[action] = n
        return {"operation": self.operation, "rows": rows, **self.details}


_scope: ContextVar[BulkScope | None] = ContextVar("audit_bulk", default=None)


def current_scope() -> BulkScope | None:
    return _scope.get()


@contextmanager
def bulk(
    operation: str, *, object_type: str = "", object_id: object = "", object_label: str = ""
) -> Iterator[BulkScope]:
    """Summarise everything changed inside in one audit event (written when it commits).

    Nested scopes count into the outermost one. Nothing is written when the operation
    fails and leaves nothing behind, or when it changed nothing and said nothing.

    Example::

        with bulk("load", object_label="./postmortems") as scope:
            report = load_paths(paths)
            scope.details["files"] = report.loaded
    """
    outer = _scope.get()
    if outer is not None:
        yield outer
        return
    scope = BulkScope(operation, object_type, str(object_id), object_label)
    token = _scope.set(scope)
    try:
        yield scope
    finally:
        _scope.reset(token)
    actor = current_actor()  # who ran it, even if the commit comes later
    transaction.on_commit(lambda: _write(scope, actor))


def _write(scope: BulkScope, actor: Actor) -> None:
    from secondstory.audit.record import record

    if not scope.committed and not scope.details:
        return
    record(
        Action.BULK,
        actor=actor,
        object_type=scope.object_type,
        object_id=scope.object_id,
        object_label=scope.object_label or scope.operation,
        after=scope.summary(),
    )
