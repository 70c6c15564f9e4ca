"""Plain multi-row INSERTs for the bulk loader (``bulk.py``).

Each row is the tuple of values Django's ``bulk_create`` would write for a model: the
values given, the fields' defaults for the others (``auto_now`` and ``auto_now_add`` get
the batch's time), converted for the database by the field when the field converts at all
(dates, times, JSON); text, numbers, booleans and foreign keys are written as they are.
Building no model instance per row is what makes ``secondstory demo --scale`` fast: a
postmortem of the demo organisation is about 57 rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections, models

#: Field types whose Python values the database drivers take as they are.
PLAIN = frozenset(
    {
        "BigIntegerField",
        "BooleanField",
        "CharField",
        "ForeignKey",
        "IntegerField",
        "OneToOneField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "SmallIntegerField",
        "TextField",
    }
)
#: Rows per INSERT statement on SQLite (fewer when it takes fewer parameters).
ROWS = 500
#: Rows per statement on PostgreSQL, whose parameters are one array per column.
ARRAY_ROWS = 5_000
_MISSING = object()


def _converter(field: models.Field[Any, Any]) -> Callable[[Any], Any]:
    """The field's own conversion; for dates and instants the database's adapter directly,
    which is what the field ends with for an aware datetime or a date (the loader's values
    are validated: no naive datetimes)."""
    database = connections[DEFAULT_DB_ALIAS]
    kind = field.get_internal_type()
    if kind == "DateTimeField":
        return database.ops.adapt_datetimefield_value  # type: ignore[no-any-return]
    if kind == "DateField":
        return database.ops.adapt_datefield_value  # type: ignore[no-any-return]

    def convert(value: Any) -> Any:
        return field.get_db_prep_save(value, database)

    return convert


class Table:
    """The columns of one model's table, and how to turn given values into a row."""

    def __init__(self, model: type[models.Model]) -> None:
        opts = model._meta
        self.name = opts.db_table
        self.key = opts.pk.column
        fields = [f for f in opts.concrete_fields if f is not opts.auto_field]
        self.columns = [f.column for f in fields]
        self.types = [f.db_type(connections[DEFAULT_DB_ALIAS]) for f in fields]
        self._fields: list[tuple[str, bool, Callable[[], Any], Callable[[Any], Any] | None]] = [
            (
                f.attname,
                bool(getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)),
                f.get_default,
                None if f.get_internal_type() in PLAIN else _converter(f),
            )
            for f in fields
        ]

    def row(self, values: Mapping[str, Any], now: datetime) -> tuple[Any, ...]:
        """The row of these field values (by attribute name: ``owner_id``, not ``owner``)."""
        row = []
        for name, stamped, default, convert in self._fields:
            value = values.get(name, _MISSING)
            if stamped:
                value = now  # what pre_save(add=True) gives auto_now and auto_now_add
            elif value is _MISSING:
                value = default()
            row.append(value if convert is None or value is None else convert(value))
        return tuple(row)


def insert(table: Table, rows: list[tuple[Any, ...]], *, returning: bool = False) -> list[int]:
    """Insert ``rows`` (in order); the new ids, in the order of the rows, when ``returning``.

    SQLite gets multi-row ``INSERT ... VALUES``; PostgreSQL one array per column, unnested
    (a short statement whatever the number of rows: the driver does not parse thousands of
    placeholders). Both return the ids in the order of the rows, as Django's
    ``bulk_create`` relies on too (it unnests the same way on PostgreSQL).
    """
    if not rows:
        return []
    quote = connection.ops.quote_name
    head = f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in table.columns)}) "
    tail = f" RETURNING {quote(table.key)}" if returning else ""
    ids: list[int] = []
    with connection.cursor() as cursor:
        for chunk, sql, params in _statements(table, rows, head, tail):
            cursor.execute(sql, params)
            if returning:
                found = [pk for (pk,) in cursor.fetchall()]
                if len(found) != len(chunk):
                    raise RuntimeError(f"{table.name}: {len(found)} ids for {len(chunk)} rows")
                ids += found
    return ids


def _statements(
    table: Table, rows: list[tuple[Any, ...]], head: str, tail: str
) -> Iterator[tuple[list[tuple[Any, ...]], str, list[Any]]]:
    width = len(table.columns)
    if connection.vendor == "postgresql":
        arrays = ", ".join(f"%s::{kind}[]" for kind in table.types)
        sql = f"{head}SELECT * FROM unnest({arrays}){tail}"
        for start in range(0, len(rows), ARRAY_ROWS):
            chunk = rows[start : start + ARRAY_ROWS]
            yield chunk, sql, [list(column) for column in zip(*chunk, strict=True)]
        return
    size = max(1, min(ROWS, connection.features.max_query_params // width))
    one = "(" + ", ".join(["%s"] * width) + ")"
    for start in range(0, len(rows), size):
        chunk = rows[start : start + size]
        values = ", ".join([one] * len(chunk))
        yield chunk, f"{head}VALUES {values}{tail}", [v for row in chunk for v in row]


def pairs(field: Any) -> Table:
    """The table of a many-to-many field, whose rows are (source id, target id)."""
    table = Table(field.through)
    expected = [field.field.m2m_column_name(), field.field.m2m_reverse_name()]
    if table.columns != expected:
        raise RuntimeError(f"{table.name}: columns {table.columns}, expected {expected}")
    return table
