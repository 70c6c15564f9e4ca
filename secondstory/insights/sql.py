"""Small SQL expressions the insights aggregate with, on SQLite and PostgreSQL alike.

Both return plain numbers or text, so the database does the date arithmetic and Python never
parses hundreds of thousands of datetimes.
"""

from __future__ import annotations

from typing import Any

from django.db.models import (
    CharField,
    DateTimeField,
    Expression,
    FloatField,
    Func,
    IntegerField,
)


class HoursBetween(Func):
    """``end − start`` in hours (NULL when either is NULL)."""

    output_field = FloatField()
    arity = 2

    def __init__(self, start: Expression | str, end: Expression | str, **extra: Any) -> None:
        super().__init__(end, start, **extra)  # the SQL reads end − start

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        template = "((julianday(%(expressions)s)) * 24.0)"
        return self.as_sql(
            compiler, connection, template=template, arg_joiner=") - julianday(", **extra
        )

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        template = "(EXTRACT(EPOCH FROM (%(expressions)s)) / 3600.0)"
        return self.as_sql(compiler, connection, template=template, arg_joiner=" - ", **extra)


class MonthLabel(Func):
    """The UTC month of an instant as ``YYYY-MM``."""

    output_field = CharField()
    arity = 1

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler, connection, template="strftime('%%%%Y-%%%%m', %(expressions)s)"
        )

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        template = "to_char(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM')"
        return self.as_sql(compiler, connection, template=template)


class NextDay(Func):
    """Midnight UTC at the start of the day after a date: ``instant < NextDay(due)`` says the
    instant fell on or before the due date (in UTC), without a date cast per row."""

    output_field = DateTimeField()
    arity = 1

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, template="datetime(%(expressions)s, '+1 day')")

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        template = "((%(expressions)s + 1)::timestamp AT TIME ZONE 'UTC')"
        return self.as_sql(compiler, connection, template=template)


class ArrayLength(Func):
    """The number of elements of a JSON array column (0 for NULL), so that counting findings
    does not carry every finding's text out of the database."""

    output_field = IntegerField()
    arity = 1

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        template = "COALESCE(json_array_length(%(expressions)s), 0)"
        return self.as_sql(compiler, connection, template=template)

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        template = "COALESCE(jsonb_array_length(%(expressions)s), 0)"
        return self.as_sql(compiler, connection, template=template)
