"""The kept insights rows of many new incidents, filled set-based (the bulk loader's path).

The per-row triggers (``triggers.py``, ``duration_triggers.py``) recompute an incident's
start and every duration value each time one of its milestones is inserted, and move the
month counts at each step: for a bulk load of new incidents that is most of the database's
work. ``bulk_kept`` suspends those triggers inside the caller's transaction and, before the
transaction ends, fills the starts, values and counts of the new incidents with one
statement each, the same rows the triggers keep (counts that reached zero on the way are
not written: the triggers leave such rows at ``n = 0``, ``duration_triggers.refill`` does not
write them, and every reader sums the counts). The data-change token's triggers stay on.

Nothing is disabled outside the transaction: PostgreSQL disables the triggers with
``ALTER TABLE ... DISABLE TRIGGER`` and SQLite drops and re-creates them, both rolled back
with the transaction, and other writers of those tables wait for it (PostgreSQL's lock
lets them read meanwhile).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from secondstory.insights import duration_triggers, triggers

#: PostgreSQL: (trigger, table) of the per-row triggers suspended during a bulk insert.
POSTGRES_SUSPENDED = (
    ("insights_start", "incidents_incident"),
    ("insights_start", "incidents_milestone"),
    ("insights_values", "incidents_milestone"),
    ("insights_count", "insights_durationvalue"),
    ("insights_count", "insights_incidentstart"),
)
#: SQLite: the insert triggers (dropped and re-created; the loader only inserts).
SQLITE_SUSPENDED = (
    "insights_start_incident_insert",
    "insights_start_milestone_insert",
    "insights_values_milestone_insert",
    "insights_count_value_insert",
    "insights_count_start_insert",
)
#: Incidents per statement of the fill.
CHUNK = 500

_STARTS = (
    "INSERT INTO insights_incidentstart (incident_id, recorded, first_milestone, began) "
    "SELECT i.id, i.created_at, m.first, COALESCE(m.first, i.created_at) "
    "FROM incidents_incident i LEFT JOIN (SELECT incident_id, MIN(at) AS first "
    "FROM incidents_milestone WHERE incident_id IN ({ids}) GROUP BY incident_id) m "
    "ON m.incident_id = i.id WHERE i.id IN ({ids})"
)


def _sqlite_statements() -> dict[str, str]:
    statements = {
        **triggers.start_triggers("sqlite"),
        **duration_triggers.duration_triggers("sqlite"),
    }
    return {name: sql for (name, _table), sql in statements.items() if name in SQLITE_SUSPENDED}


def _alter(cursor: Any, action: str) -> None:
    # PostgreSQL alters no table with checks pending (the foreign keys are checked at
    # commit): they are made now, and the rest of the transaction defers them again.
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    for name, table in POSTGRES_SUSPENDED:
        cursor.execute(f"ALTER TABLE {table} {action} TRIGGER {name}")
    cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _suspend(connection: Any, cursor: Any) -> None:
    if connection.vendor == "postgresql":
        _alter(cursor, "DISABLE")
    else:
        for name in SQLITE_SUSPENDED:
            cursor.execute(f"DROP TRIGGER {name}")


def _resume(connection: Any, cursor: Any) -> None:
    if connection.vendor == "postgresql":
        _alter(cursor, "ENABLE")
    else:
        for sql in _sqlite_statements().values():
            cursor.execute(sql)


def fill(connection: Any, incident_ids: list[int]) -> None:
    """The starts, duration values and month counts of these new incidents (they have none
    yet), as the triggers would have kept them."""
    vendor = connection.vendor
    month = duration_triggers.MONTH[vendor].format("st.began")
    with connection.cursor() as cursor:
        for start in range(0, len(incident_ids), CHUNK):
            chunk = incident_ids[start : start + CHUNK]
            ids = ", ".join(str(int(pk)) for pk in chunk)
            cursor.execute(_STARTS.format(ids=ids))
            cursor.execute(
                duration_triggers._VALUES_OF.format(
                    minutes=duration_triggers.MINUTES[vendor],
                    where_s=f"AND s.incident_id IN ({ids})",
                )
            )
            cursor.execute(
                duration_triggers._COUNT_ALL.format(
                    month=month, where=f"WHERE v.incident_id IN ({ids})"
                )
                + duration_triggers._UPSERT
            )


@contextmanager
def bulk_kept(connection: Any) -> Iterator[Callable[[list[int]], None]]:
    """Inside a transaction: suspend the per-row triggers of the kept starts and durations,
    yield a function to call with the ids of the new incidents once they and their
    milestones are inserted, then fill their rows and put the triggers back.

    Only for inserting new incidents with their milestones: an update or deletion of
    existing ones meanwhile would go unrecorded.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("bulk_kept needs a transaction: the triggers come back with it")
    if connection.vendor not in ("sqlite", "postgresql"):
        yield lambda ids: None
        return
    new: list[int] = []
    with connection.cursor() as cursor:
        _suspend(connection, cursor)
    yield new.extend
    fill(connection, new)
    with connection.cursor() as cursor:
        _resume(connection, cursor)
