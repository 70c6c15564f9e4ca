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
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
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
