"""Every row of every table, to look for traces of a person after an anonymous report.

The tables come from the database's own catalogue (``sqlite_master`` on SQLite,
``pg_catalog`` on PostgreSQL, through Django's introspection), so a table added later is
searched too. Session rows are decoded first: their data is signed and encoded.
"""

from __future__ import annotations

from django.contrib.sessions.backends.db import SessionStore
from django.db import connection

Row = tuple[str, ...]


def _text(value: object) -> str:
    if isinstance(value, bytes | memoryview):
        return bytes(value).decode("utf-8", "replace")
    return str(value)


def dump() -> dict[str, set[Row]]:
    """``table -> rows`` (each value as text) for every table of the database."""
    tables: dict[str, set[Row]] = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor, include_views=False):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            columns = [c[0] for c in cursor.description]
            rows = set()
            for values in cursor.fetchall():
                row = dict(zip(columns, values, strict=True))
                if table == "django_session":
                    row["session_data"] = repr(SessionStore().decode(row["session_data"]))
                rows.add(tuple(f"{k}={_text(v)}" for k, v in row.items()))
            tables[table] = rows
    return tables


def new_or_changed(before: dict[str, set[Row]], after: dict[str, set[Row]]) -> dict[str, set[Row]]:
    """The rows of ``after`` that were not in ``before`` (new rows and changed rows)."""
    return {
        table: rows - before.get(table, set())
        for table, rows in after.items()
        if rows - before.get(table, set())
    }


def traces(rows: dict[str, set[Row]], needles: list[str]) -> list[tuple[str, Row, str]]:
    """(table, row, needle) for every row holding one of ``needles`` (case-insensitively)."""
    found = []
    for table, table_rows in rows.items():
        for row in table_rows:
            text = " ".join(row).lower()
            found += [(table, row, n) for n in needles if n.lower() in text]
    return found


def user_columns() -> dict[str, set[str]]:
    """``table -> columns`` that hold a user's id: foreign keys to the users' table (from the
    catalogue) and columns named like ``*user_id`` (the audit log keeps ids without a key)."""
    from secondstory.accounts.models import User

    users = User._meta.db_table
    found: dict[str, set[str]] = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor, include_views=False):
            relations = connection.introspection.get_relations(cursor, table)
            columns = {c for c, (_, target) in relations.items() if target == users}
            names = [c.name for c in connection.introspection.get_table_description(cursor, table)]
            columns |= {c for c in names if c.endswith("user_id")}
            if columns:
                found[table] = columns
    return found


def holding_user_id(rows: dict[str, set[Row]], user_id: int) -> list[tuple[str, Row]]:
    """The rows whose user columns (see :func:`user_columns`) hold ``user_id``."""
    columns = user_columns()
    return [
        (table, row)
        for table, table_rows in rows.items()
        for row in table_rows
        if any(f"{c}={user_id}" in row for c in columns.get(table, ()))
    ]
