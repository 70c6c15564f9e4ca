"""Which days and months of the insights' data changed: a version per UTC day, kept by
triggers.

The insights pages keep the figures of each whole calendar month (``monthly``) and the
learning-health checks the facts of each week's postmortems (``health_facts``), and reuse
them as long as nothing they were computed from changed. Every write to a table they read
moves the version of the days it touches (``models.MonthVersion``, migrations ``0004`` and
``0009``): the UTC days on which the incidents concerned began, found through the
incidents' kept starts. A month's version is the sum of its days' (``versions``), so a
write moves the version of its day and of its month; rows keyed by a month (``YYYY-MM``),
written before the versions were kept per day, still count for their month.

A write to a postmortem, its factors, action items (their links to factors and recurrences
too), stored review findings or dismissals touches the days of all the postmortem's
incidents; a write to an incident, its milestones, services or teams, the days of that
incident (and, when its start moves, both the old and the new day); a link between a
postmortem and an incident, the days of all the postmortem's incidents before and after. A
write to a table every figure names (teams, services, severities, milestone kinds, duration
metrics, factor categories) moves the version ``*``, which every kept month depends on.

Like the insights' other triggers, each trigger names only its own table and the insights'
tables (SQLite refuses to rebuild a table that a trigger elsewhere names), so the links
between postmortems and incidents and each action item's postmortem are copied beside them
(``PostmortemIncident``, ``ItemPostmortem``), kept by the triggers of the tables they copy.

On SQLite a day's version is one row that each write moves on by a random step; on
PostgreSQL each write adds a row (concurrent writers never wait for each other on a day's
row) and readers fold them past ``FOLD_AFTER``.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import Any

from secondstory.lib import db_triggers

#: A version that every month depends on (teams, services, categories and the like).
EVERY_MONTH = "*"
FOLD_AFTER = 2000
#: SQLite moves a month's one row in place, which needs the month unique.
SQLITE_ONCE = (
    "CREATE UNIQUE INDEX IF NOT EXISTS insights_monthversion_once ON insights_monthversion (month)"
)
_MODULUS = 4611686018427387903
#: The UTC day ('YYYY-MM-DD') of an instant column: what a version row is keyed by.
DAY = {
    "sqlite": "substr({}, 1, 10)",
    "postgresql": "to_char({} AT TIME ZONE 'UTC', 'YYYY-MM-DD')",
}

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
    return _bump(vendor, template.format(month=DAY[vendor].format("st.began"), id=id_))


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
    day = DAY[vendor]
    bodies[STARTS] = (
        _bump(vendor, f"SELECT {day.format('OLD.began')} AS m"),
        _bump(vendor, f"SELECT {day.format('NEW.began')} AS m"),
    )
    return bodies


def _sqlite() -> dict[tuple[str, str], str]:
    made = {}
    for table, (old, new) in _bodies("sqlite").items():
        when = {"update": ""}
        if table == STARTS:
            # Every milestone write rewrites the start; the milestone's own trigger moves its
            # day, so only a start that changes day needs moving here.
            moved = f"{DAY['sqlite'].format('OLD.began')} <> {DAY['sqlite'].format('NEW.began')}"
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
    """The version of each of ``months`` (``YYYY-MM``) and of ``*``: the sum of the steps of
    its days (empty for a month never written); one query (two when PostgreSQL folds its
    rows)."""
    wanted = sorted({*months} - {EVERY_MONTH})
    if not wanted:
        return {EVERY_MONTH: every(connection)}
    return by_month(tokens(connection, wanted[0], wanted[-1] + "~"), wanted)  # "~" after "-31"


def by_month(steps: dict[str, int], months: Iterable[str]) -> dict[str, str]:
    """The versions of ``months`` and of ``*`` from the steps ``tokens`` read."""
    of_month: dict[str, int] = {}
    for key, token in steps.items():
        if key != EVERY_MONTH:
            of_month[key[:7]] = (of_month.get(key[:7], 0) + token) % _MODULUS
    found = {month: str(of_month[month]) if month in of_month else "" for month in months}
    found[EVERY_MONTH] = str(steps[EVERY_MONTH])
    return found


def every(connection: Any) -> str:
    """The version every kept figure depends on (``*``)."""
    return str(tokens(connection, EVERY_MONTH, EVERY_MONTH)[EVERY_MONTH])


def tokens(connection: Any, first: str, last: str) -> dict[str, int]:
    """The sum of the steps of each key (a day ``YYYY-MM-DD``, or a month ``YYYY-MM`` written
    before the days were) from ``first`` to ``last`` in text order, and of ``*``: the days
    of a range at once, for those who keep something per day or per week."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT COUNT(*) FROM insights_monthversion")
            if cursor.fetchone()[0] > FOLD_AFTER:
                _fold(cursor)
        # The sum of a key's steps, not how many rows hold them: folding keeps it.
        cursor.execute(
            f"SELECT month, SUM(token) %% {_MODULUS} FROM insights_monthversion "
            "WHERE (month >= %s AND month <= %s) OR month = %s GROUP BY month",
            [first, last, EVERY_MONTH],
        )
        found = {key: int(total) for key, total in cursor.fetchall()}
        if EVERY_MONTH not in found:
            # A new (or emptied) database starts from a random version, so that an empty state
            # never shares a version with an earlier one.
            every_month(cursor)
            return tokens(connection, first, last)
    return found


def _fold(cursor: Any) -> None:
    """Replace each month's rows by one holding their sum (the versions stay the same)."""
    cursor.execute(
        "WITH gone AS (DELETE FROM insights_monthversion RETURNING month, token) "
        "INSERT INTO insights_monthversion (month, token) "
        f"SELECT month, SUM(token) % {_MODULUS} FROM gone GROUP BY month",
    )
