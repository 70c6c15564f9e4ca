"""Whether the rows the insights keep by triggers agree with the data, and repairing them.

``secondstory check`` compares each kept table with the same rows computed plainly from the
tables they are kept from, in the database (``EXCEPT`` both ways, so Python receives counts):

- each incident's start (``insights_incidentstart``) with the incidents and their milestones;
- each incident's duration values (``insights_durationvalue``) with the milestones, through
  the copy of the metric definitions the triggers read (``insights_metricpair``);
- the duration counts per month (``insights_durationcount``) with the values and the starts;
- the kept months' copies of the links between postmortems and incidents
  (``insights_postmortemincident``) and of each action item's postmortem
  (``insights_itempostmortem``) with the tables they copy;
- each postmortem's times and words (``insights_keptpostmortem``) with the postmortems;
- every trigger that keeps them (and the data-change token's) exists.

A copy of the metric definitions that differs from the definitions is not damage: the next
page recomputes everything from it (``durations.refresh``); the check says so. ``repair``
puts back the missing triggers and recomputes every kept row in one transaction, then
changes the data-change token so that no cached figure outlives it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from secondstory.insights import duration_triggers, month_triggers, postmortem_triggers, triggers

REPAIR = "run `secondstory check --repair`"


@dataclass(frozen=True, slots=True)
class Kept:
    """A kept table: the SQL of its rows, the SQL of the same rows computed plainly, how many
    columns both select and how many leading ones identify a row."""

    table: str
    what: str  # what one row is, for the message ("incident starts")
    kept: str
    plain: str
    width: int
    key: int


def _starts() -> Kept:
    columns = "incident_id, recorded, first_milestone, began"
    return Kept(
        "insights_incidentstart",
        "incident starts",
        f"SELECT {columns} FROM insights_incidentstart",
        triggers.START_ROWS,
        4,
        1,
    )


def _values(vendor: str) -> Kept:
    return Kept(
        "insights_durationvalue",
        "incident duration values",
        "SELECT incident_id, metric_id, minutes FROM insights_durationvalue",
        duration_triggers.VALUE_ROWS.format(minutes=duration_triggers.MINUTES[vendor], where_s=""),
        3,
        2,
    )


def _counts(vendor: str) -> Kept:
    month = duration_triggers.MONTH[vendor].format("st.began")
    return Kept(
        "insights_durationcount",
        "duration counts per month",
        "SELECT metric_id, month, minutes, n FROM insights_durationcount WHERE n <> 0",
        duration_triggers.COUNT_ROWS.format(month=month, where=""),
        4,
        3,
    )


def _postmortems(vendor: str) -> Kept:
    return Kept(
        postmortem_triggers.TABLE,
        "postmortem keys, times and words",
        f"SELECT {postmortem_triggers.COLUMNS} FROM {postmortem_triggers.TABLE}",
        postmortem_triggers.rows(vendor),
        7,
        1,
    )


def _copies() -> list[Kept]:
    return [
        Kept(
            "insights_postmortemincident",
            "copied links between postmortems and incidents",
            "SELECT postmortem_id, incident_id FROM insights_postmortemincident",
            f"SELECT postmortem_id, incident_id FROM {month_triggers.LINKS}",
            2,
            2,
        ),
        Kept(
            "insights_itempostmortem",
            "copied postmortems of action items",
            "SELECT item_id, postmortem_id FROM insights_itempostmortem",
            f"SELECT id, postmortem_id FROM {month_triggers.ITEMS}",
            2,
            1,
        ),
    ]


def kept_tables(vendor: str) -> list[Kept]:
    return [_starts(), _values(vendor), _counts(vendor), *_copies(), _postmortems(vendor)]


@dataclass(frozen=True, slots=True)
class Difference:
    """How a kept table differs from its plain computation (numbers of rows)."""

    table: str
    what: str
    missing: int  # rows the plain computation has and the kept table lacks
    extra: int  # kept rows the plain computation does not have
    wrong: int  # rows of both whose values differ

    @property
    def rows(self) -> int:
        """Rows to add, remove or correct."""
        return self.missing + self.extra + self.wrong

    def describe(self) -> str:
        parts = [
            f"{n} {label}"
            for n, label in (
                (self.missing, "missing"),
                (self.extra, "left over"),
                (self.wrong, "wrong"),
            )
            if n
        ]
        return f"{self.what} ({self.table}): {', '.join(parts)}"


def _count(cursor: Any, kept: Kept, query: str) -> int:
    """``query`` over ``p`` (the plain rows) and ``k`` (the kept ones), columns c0, c1, …"""
    names = ", ".join(f"c{i}" for i in range(kept.width))
    cursor.execute(
        f"WITH p ({names}) AS ({kept.plain}), k ({names}) AS ({kept.kept}) "
        f"SELECT COUNT(*) FROM ({query}) d"
    )
    return int(cursor.fetchone()[0])


def compare(cursor: Any, kept: Kept) -> Difference:
    """How ``kept`` differs from its plain computation: two ``EXCEPT``s, and two more on the
    rows' keys when they differ."""
    missing_or_wrong = _count(cursor, kept, "SELECT * FROM p EXCEPT SELECT * FROM k")
    extra_or_wrong = _count(cursor, kept, "SELECT * FROM k EXCEPT SELECT * FROM p")
    if not missing_or_wrong and not extra_or_wrong:
        return Difference(kept.table, kept.what, 0, 0, 0)
    key = ", ".join(f"c{i}" for i in range(kept.key))
    missing = _count(cursor, kept, f"SELECT {key} FROM p EXCEPT SELECT {key} FROM k")
    extra = _count(cursor, kept, f"SELECT {key} FROM k EXCEPT SELECT {key} FROM p")
    return Difference(kept.table, kept.what, missing, extra, missing_or_wrong - missing)


@dataclass(frozen=True, slots=True)
class Report:
    missing_triggers: list[str]
    differences: list[Difference]  # only the tables that differ
    definitions_changed: bool  # the copy of the metric definitions is behind them

    @property
    def consistent(self) -> bool:
        return not self.missing_triggers and not self.differences


def wanted_triggers(connection: Any, tables: set[str]) -> set[tuple[str, str]]:
    wanted = {k for k in triggers.token_triggers(connection.vendor) if k[1] in tables}
    if "insights_incidentstart" in tables:
        wanted |= set(triggers.start_triggers(connection.vendor))
    if "insights_durationvalue" in tables:
        wanted |= set(duration_triggers.duration_triggers(connection.vendor))
    if "insights_monthversion" in tables:
        wanted |= set(month_triggers.month_triggers(connection.vendor))
    if postmortem_triggers.TABLE in tables:
        wanted |= set(postmortem_triggers.postmortem_triggers(connection.vendor))
    return wanted


def inspect(connection: Any) -> Report:
    """Compare every kept table with its plain computation; read only."""
    tables = set(connection.introspection.table_names())
    missing = sorted(
        f"{name} on {table}"
        for name, table in wanted_triggers(connection, tables) - triggers.existing(connection)
    )
    differences = []
    with connection.cursor() as cursor:
        for kept in kept_tables(connection.vendor):
            if kept.table in tables:
                difference = compare(cursor, kept)
                if difference.rows:
                    differences.append(difference)
        definitions = Kept(
            "insights_metricpair",
            "duration metric definitions",
            "SELECT metric_id, start_id, end_id FROM insights_metricpair",
            "SELECT id, start_id, end_id FROM incidents_durationmetric",
            3,
            1,
        )
        changed = bool(compare(cursor, definitions).rows)
    return Report(missing, differences, changed)


def problems(report: Report) -> list[str]:
    """What is off, one line per kept table (and one for the missing triggers)."""
    lines = []
    if report.missing_triggers:
        names = ", ".join(report.missing_triggers)
        n = len(report.missing_triggers)
        lines.append(f"{n} trigger{'' if n == 1 else 's'} missing ({names})")
    return lines + [difference.describe() for difference in report.differences]


def agreement(report: Report) -> str:
    """The line of a consistent report."""
    line = "kept starts, durations and copies agree with the data"
    if report.definitions_changed:
        line += " (the duration metrics changed since: the next page recomputes them)"
    return line


def repair(connection: Any) -> None:
    """Put back every missing trigger and recompute every kept row, in one transaction."""
    with transaction.atomic(using=connection.alias):
        triggers.ensure(connection)
        duration_triggers.drop(connection)  # so that refilling the starts moves no count
        triggers.refill_starts(connection)
        duration_triggers.refill(connection)  # recomputes the values and counts, re-creates
        if postmortem_triggers.TABLE in connection.introspection.table_names():
            postmortem_triggers.refill(connection)
        month_triggers.refill(connection)  # copies afresh, moves every kept month
        with connection.cursor() as cursor:
            triggers.new_token(cursor)
