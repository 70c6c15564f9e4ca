"""Database triggers that apps keep beside the ORM (SQLite and PostgreSQL): which exist, and
dropping a set of them. The insights' kept rows and the page fragments' change tokens use it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def existing(connection: Any) -> set[tuple[str, str]]:
    """(trigger, table) of every trigger in the database."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute(
                "SELECT t.tgname, c.relname FROM pg_trigger t "
                "JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace"
            )
        return {(name, table) for name, table in cursor.fetchall()}


def drop(
    connection: Any, triggers: Iterable[tuple[str, str]], functions: Iterable[str] = ()
) -> None:
    """Drop the (trigger, table) pairs and, on PostgreSQL, the functions they call."""
    with connection.cursor() as cursor:
        for name, table in triggers:
            on = "" if connection.vendor == "sqlite" else f" ON {table}"
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}{on}")
        if connection.vendor == "postgresql":
            for function in functions:
                cursor.execute(f"DROP FUNCTION IF EXISTS {function}")
