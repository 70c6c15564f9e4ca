"""Which months of the insights' data changed: a version per UTC month, kept by triggers.

The insights pages keep the figures of each whole calendar month (``monthly``) and reuse
them as long as nothing they were computed from changed. Every write to a table the pages
read moves the version of the months it touches (``models.MonthVersion``, migration
``0004``): the months in which the incidents concerned began, found through the incidents'
kept starts. A write to a postmortem, its factors, action items (their links to factors and
recurrences too), stored review findings or dismissals touches the months of all the
postmortem's incidents; a write to an incident, its
milestones, services or teams, the months of that incident (and, when its start moves, both
the old and the new month); a link between a postmortem and an incident, the months of all
the postmortem's incidents before and after. A write to a table every figure names (teams,
services, severities, milestone kinds, duration metrics, factor categories) moves the
version ``*``, which every kept month depends on.

Like the insights' other triggers, each trigger names only its own table and the insights'
tables (SQLite refuses to rebuild a table that a trigger elsewhere names), so the links
between postmortems and incidents and each action item's postmortem are copied beside them
(``PostmortemIncident``, ``ItemPostmortem``), kept by the triggers of the tables they copy.

On SQLite a month's version is one row that each write moves on by a random step; on
PostgreSQL each write adds a row (concurrent writers never wait for each other on a month's
row) and readers fold them past ``FOLD_AFTER``.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import Any

from secondstory.insights.duration_triggers import MONTH
from secondstory.lib import db_triggers

#: A version that every month depends on (teams, services, categories and the like).
EVERY_MONTH = "*"
FOLD_AFTER = 2000
#: SQLite moves a month's one row in place, which needs the month unique.
SQLITE_ONCE = (
    "CREATE UNIQUE INDEX IF NOT EXISTS insights_monthversion_once ON insights_monthversion (month)"
)
_MODULUS = 4611686018427387903

# (table, what a row names): "incident" and "postmortem" rows name one by a column.
_INCIDENT_ROWS = {
    "incidents_incident": "id",
    "incidents_milestone": "incident_id",
    "incidents_incident_services": "incident_id",
    "incidents_incident_teams": "incident_id",
}
_POSTMORTEM_ROWS = {
    "postmortems_postmortem": "id",
    "postmortems_contributingfactor": "postmortem_id",
    "postmortems_reviewcache": "postmortem_id",
    "postmortems_reviewdismissal": "postmortem_id",
}
_ITEM_ROWS = {"actions_recurrence": "item_id", "actions_actionitem_factors": "actionitem_id"}
#: Tables whose rows every figure names: a write moves every month.
EVERYWHERE = (
    "accounts_team",
    "incidents_service",
    "incidents_severity",
    "incidents_milestonekind",
    "incidents_durationmetric",
    "postmortems_factorcategory",
)
LINKS = "postmortems_postmortem_incidents"
ITEMS = "actions_actionitem"
STARTS = "insights_incidentstart"

_OF_INCIDENT = "SELECT {month} AS m FROM insights_incidentstart st WHERE st.incident_id = {id}"
# Each link's start is looked up by its key, one link at a time (a subquery, not a join): a
# join lets PostgreSQL plan by the tables' statistics, and without them (a bulk load, before
# autovacuum analysed the tables) it read every start at every row written, which made
# loading a large history quadratic.
_START = "(SELECT {month} FROM insights_incidentstart st WHERE st.incident_id = l.incident_id)"
_OF_POSTMORTEM = (
    f"SELECT DISTINCT {_START} AS m FROM insights_postmortemincident l "
    "WHERE l.postmortem_id = {id}"
)
_OF_ITEM = (
    f"SELECT DISTINCT {_START} AS m FROM insights_postmortemincident l "
    "WHERE l.postmortem_id = (SELECT ip.postmortem_id FROM insights_itempostmortem ip "
    "WHERE ip.item_id = {id})"
)


def _bump(vendor: str, months: str) -> str:
    """A statement moving the version of every month the ``months`` query names."""
    if vendor == "sqlite":
        return (
            "INSERT INTO insights_monthversion (month, token) "
            f"SELECT m, 1 + abs(random() % 2147483647) FROM ({months}) WHERE m IS NOT NULL "
            f"ON CONFLICT (month) DO UPDATE SET token = (token + excluded.token) % {_MODULUS};"
        )
    return (
        "INSERT INTO insights_monthversion (month, token) "
        f"SELECT m, 1 + floor(random() * 2147483646)::bigint FROM ({months}) s "
        "WHERE m IS NOT NULL;"
    )


def _of(vendor: str, template: str, id_: str) -> str:
    return _bump(vendor, template.format(month=MONTH[vendor].format("st.began"), id=id_))


def _bodies(vendor: str) -> dict[str, tuple[str, str]]:
    """table → (statements for the OLD row, statements for the NEW row)."""
    bodies: dict[str, tuple[str, str]] = {}
    for table, column in _INCIDENT_ROWS.items():
        bodies[table] = (
            _of(vendor, _OF_INCIDENT, f"OLD.{column}"),
            _of(vendor, _OF_INCIDENT, f"NEW.{column}"),
        )
    for table, column in _POSTMORTEM_ROWS.items():
        bodies[table] = (
            _of(vendor, _OF_POSTMORTEM, f"OLD.{column}"),
            _of(vendor, _OF_POSTMORTEM, f"NEW.{column}"),
        )
    for table, column in _ITEM_ROWS.items():
        bodies[table] = (
            _of(vendor, _OF_ITEM, f"OLD.{column}"),
            _of(vendor, _OF_ITEM, f"NEW.{column}"),
        )
    for table in EVERYWHERE:
        every = _bump(vendor, f"SELECT '{EVERY_MONTH}' AS m")
        bodies[table] = (every, every)
    ignore = "OR IGNORE " if vendor == "sqlite" else ""
    conflict = "" if vendor == "sqlite" else " ON CONFLICT DO NOTHING"
    bodies[LINKS] = (
        _of(vendor, _OF_POSTMORTEM, "OLD.postmortem_id")
        + "\n    DELETE FROM insights_postmortemincident WHERE postmortem_id = OLD.postmortem_id"
        " AND incident_id = OLD.incident_id;",
        f"INSERT {ignore}INTO insights_postmortemincident (postmortem_id, incident_id) "
        f"VALUES (NEW.postmortem_id, NEW.incident_id){conflict};\n    "
        + _of(vendor, _OF_POSTMORTEM, "NEW.postmortem_id"),
    )
    upsert = (
        "INSERT INTO insights_itempostmortem (item_id, postmortem_id) "
        "VALUES (NEW.id, NEW.postmortem_id) ON CONFLICT (item_id) "
        "DO UPDATE SET postmortem_id = excluded.postmortem_id;"
    )
    bodies[ITEMS] = (
        _of(vendor, _OF_POSTMORTEM, "OLD.postmortem_id")
        + "\n    DELETE FROM insights_itempostmortem WHERE item_id = OLD.id;",
        upsert + "\n    " + _of(vendor, _OF_POSTMORTEM, "NEW.postmortem_id"),
    )
    month = MONTH[vendor]
    bodies[STARTS] = (
        _bump(vendor, f"SELECT {month.format('OLD.began')} AS m"),
        _bump(vendor, f"SELECT {month.format('NEW.began')} AS m"),
    )
    return bodies


def _sqlite() -> dict[tuple[str, str], str]:
    made = {}
    for table, (old, new) in _bodies("sqlite").items():
        when = {"update": ""}
        if table == STARTS:
            # Every milestone write rewrites the start; the milestone's own trigger moves its
            # month, so only a start that changes month needs moving here.
            moved = (
                f"{MONTH['sqlite'].format('OLD.began')} <> {MONTH['sqlite'].format('NEW.began')}"
            )
            when["update"] = f" WHEN {moved} OR OLD.incident_id <> NEW.incident_id"
        for op, body in (("insert", new), ("update", f"{old}\n    {new}"), ("delete", old)):
            name = f"insights_month_{table}_{op}"
            made[(name, table)] = (
                f"CREATE TRIGGER {name} AFTER {op.upper()} ON {table}{when.get(op, '')} "
                f"BEGIN\n    {body}\nEND"
            )
    return made


def _function(table: str) -> str:
    return f"insights_month_of_{table}"


def postgres_functions() -> list[str]:
    functions = []
    for table, (old, new) in _bodies("postgresql").items():
        functions.append(f"""
CREATE OR REPLACE FUNCTION {_function(table)}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        {old}
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        {new}
    END IF;
    RETURN NULL;
END
$$""")
    functions.append(f"""
CREATE OR REPLACE FUNCTION insights_month_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {_bump("postgresql", f"SELECT '{EVERY_MONTH}' AS m")}
    RETURN NULL;
END
$$""")
    return functions


def _postgres() -> dict[tuple[str, str], str]:
    made = {}
    for table in _bodies("postgresql"):
        made[("insights_month", table)] = (
            f"CREATE TRIGGER insights_month AFTER INSERT OR UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {_function(table)}()"
        )
        if table != STARTS:
            made[("insights_month_truncate", table)] = (
                f"CREATE TRIGGER insights_month_truncate AFTER TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION insights_month_truncated()"
            )
    return made


def month_triggers(vendor: str) -> dict[tuple[str, str], str]:
    """(trigger, table) → its CREATE statement."""
    return _sqlite() if vendor == "sqlite" else _postgres()


def functions() -> list[str]:
    return [f"{_function(t)}()" for t in _bodies("postgresql")] + ["insights_month_truncated()"]


def create(connection: Any) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for function in postgres_functions():
                cursor.execute(function)
        for sql in month_triggers(connection.vendor).values():
            cursor.execute(sql)


def drop(connection: Any) -> None:
    db_triggers.drop(connection, month_triggers(connection.vendor), functions())


def refill(connection: Any) -> None:
    """Copy the links and the items' postmortems afresh and move every month (the triggers are
    put back: call it in a transaction, after writes the triggers did not see)."""
    drop(connection)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM insights_postmortemincident")
        cursor.execute("DELETE FROM insights_itempostmortem")
        cursor.execute(
            "INSERT INTO insights_postmortemincident (postmortem_id, incident_id) "
            f"SELECT DISTINCT postmortem_id, incident_id FROM {LINKS}"
        )
        cursor.execute(
            "INSERT INTO insights_itempostmortem (item_id, postmortem_id) "
            f"SELECT id, postmortem_id FROM {ITEMS}"
        )
        every_month(cursor)
    create(connection)


def every_month(cursor: Any) -> None:
    """Move the version every kept month depends on."""
    upsert = ""
    if cursor.db.vendor == "sqlite":
        upsert = (
            f" ON CONFLICT (month) DO UPDATE SET token = (token + excluded.token) %% {_MODULUS}"
        )
    cursor.execute(
        "INSERT INTO insights_monthversion (month, token) VALUES (%s, %s)" + upsert,
        [EVERY_MONTH, 1 + secrets.randbelow(2**31)],
    )


def versions(connection: Any, months: Iterable[str]) -> dict[str, str]:
    """The version of each of ``months`` and of ``*`` (empty for a month never written); one
    query (two when PostgreSQL folds its rows)."""
    wanted = sorted({*months, EVERY_MONTH})
    marks = ", ".join(["%s"] * len(wanted))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT COUNT(*) FROM insights_monthversion")
            if cursor.fetchone()[0] > FOLD_AFTER:
                _fold(cursor)
        # The sum of a month's steps, not how many rows hold them: folding keeps it.
        cursor.execute(
            f"SELECT month, SUM(token) %% {_MODULUS} FROM insights_monthversion "
            f"WHERE month IN ({marks}) GROUP BY month",
            wanted,
        )
        found = {month: str(total) for month, total in cursor.fetchall()}
        if EVERY_MONTH not in found:
            # A new (or emptied) database starts from a random version, so that an empty state
            # never shares a version with an earlier one.
            every_month(cursor)
            return versions(connection, months)
    return {month: found.get(month, "") for month in wanted}


def _fold(cursor: Any) -> None:
    """Replace each month's rows by one holding their sum (the versions stay the same)."""
    cursor.execute(
        "WITH gone AS (DELETE FROM insights_monthversion RETURNING month, token) "
        "INSERT INTO insights_monthversion (month, token) "
        f"SELECT month, SUM(token) % {_MODULUS} FROM gone GROUP BY month",
    )
