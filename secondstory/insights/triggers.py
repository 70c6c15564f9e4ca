"""The insights' database triggers: what they are, and putting back any that went missing.

Two kinds, both written in SQL so that every writer (a form, a bulk load, the admin, raw
SQL) keeps them true:

- the data-change token (``models.DataChange``, created by migration ``0001``): every write
  to a table the insights read changes it, which keys the cache (``freshness``);
- each incident's start (``models.IncidentStart``, migration ``0002``): when the incident
  began (its earliest milestone, else when it was recorded), kept beside the incident with
  an index, so a page selects the incidents of a date range through that index instead of
  working out every incident's start on every query;
- each postmortem's times, exercise flag and words (``models.KeptPostmortem``, migration
  ``0005``, ``postmortem_triggers``), which the learning-health checks select and sum.

SQLite drops a table's triggers when a migration rebuilds the table (that is how it alters
most columns), so after every ``migrate`` ``ensure`` re-creates any trigger that is missing
(``apps.InsightsConfig``); when it had to put back a start trigger (or a kept postmortem's),
it recomputes every start (every kept postmortem), since writes in between went
unrecorded, and it changes the token.
"""

from __future__ import annotations

import secrets
from typing import Any

from secondstory.insights import duration_triggers, month_triggers, postmortem_triggers
from secondstory.lib.db_triggers import existing as existing

#: The tables the insights pages and the learning-health checks read (the token's triggers).
WATCHED = (
    "accounts_team",
    "actions_actionitem",
    "actions_actionitem_factors",
    "actions_recurrence",
    "incidents_durationmetric",
    "incidents_incident",
    "incidents_incident_services",
    "incidents_incident_teams",
    "incidents_milestone",
    "incidents_milestonekind",
    "incidents_service",
    "incidents_severity",
    "learningcheck_answer",
    "learningcheck_survey",
    "postmortems_contributingfactor",
    "postmortems_factorcategory",
    "postmortems_postmortem",
    "postmortems_postmortem_incidents",
    "postmortems_reviewcache",
    "postmortems_reviewdismissal",
)
OPERATIONS = ("insert", "update", "delete")

# --- the data-change token (the same statements as migration 0001) ---------------------------
SQLITE_TOKEN = """
CREATE TRIGGER insights_change_{table}_{op} AFTER {op} ON {table} BEGIN
    INSERT INTO insights_datachange (id, token) VALUES (1, 1 + abs(random() % 2147483647))
    ON CONFLICT (id) DO UPDATE SET token = (token + excluded.token) % 4611686018427387903;
END
"""
POSTGRES_TOKEN_FUNCTION = """
CREATE OR REPLACE FUNCTION insights_note_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO insights_datachange (token) VALUES (1 + floor(random() * 2147483646)::bigint);
    RETURN NULL;
END
$$
"""
POSTGRES_TOKEN = """
CREATE TRIGGER insights_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
FOR EACH STATEMENT EXECUTE FUNCTION insights_note_change()
"""

# --- each incident's start ---------------------------------------------------------------------
# A row holds when the incident was recorded and its earliest milestone; ``began`` is the
# milestone, else the recording. The triggers on milestones read only milestones and this
# table, and those on incidents only this table: SQLite refuses to rebuild a table (how it
# alters columns) while a trigger elsewhere names it. Either row may come first (foreign keys
# are checked at commit), so a milestone's trigger makes the row when it is missing.
FIRST_OF = "(SELECT MIN(m.at) FROM incidents_milestone m WHERE m.incident_id = {id})"
#: Every incident's start computed from the incidents and milestones, as rows.
START_ROWS = (
    "SELECT i.id, i.created_at, m.first, COALESCE(m.first, i.created_at) "
    "FROM incidents_incident i LEFT JOIN (SELECT incident_id, MIN(at) AS first "
    "FROM incidents_milestone GROUP BY incident_id) m ON m.incident_id = i.id"
)
FILL_STARTS = (
    "INSERT INTO insights_incidentstart (incident_id, recorded, first_milestone, began) "
    + START_ROWS
)
_RECORDED = """INSERT INTO insights_incidentstart (incident_id, recorded, first_milestone, began)
    VALUES (NEW.id, NEW.created_at, NULL, NEW.created_at)
    ON CONFLICT (incident_id) DO UPDATE SET recorded = excluded.recorded,
        began = COALESCE(insights_incidentstart.first_milestone, excluded.recorded)"""
_FIRST = """INSERT INTO insights_incidentstart (incident_id, recorded, first_milestone, began)
    VALUES ({id}, NULL, {first}, {first})
    ON CONFLICT (incident_id) DO UPDATE SET first_milestone = excluded.first_milestone,
        began = COALESCE(excluded.first_milestone, insights_incidentstart.recorded)"""
_REFIRST = """UPDATE insights_incidentstart SET first_milestone = {first},
        began = COALESCE({first}, recorded) WHERE incident_id = {id}"""


def _first(id_: str, statement: str) -> str:
    return statement.format(id=id_, first=FIRST_OF.format(id=id_))


SQLITE_STARTS = {
    ("insights_start_incident_insert", "incidents_incident"): f"""
CREATE TRIGGER insights_start_incident_insert AFTER INSERT ON incidents_incident BEGIN
    {_RECORDED};
END""",
    ("insights_start_incident_update", "incidents_incident"): f"""
CREATE TRIGGER insights_start_incident_update AFTER UPDATE OF id, created_at
ON incidents_incident BEGIN
    DELETE FROM insights_incidentstart WHERE incident_id = OLD.id AND OLD.id <> NEW.id;
    {_RECORDED};
END""",
    ("insights_start_incident_delete", "incidents_incident"): """
CREATE TRIGGER insights_start_incident_delete AFTER DELETE ON incidents_incident BEGIN
    DELETE FROM insights_incidentstart WHERE incident_id = OLD.id;
END""",
    ("insights_start_milestone_insert", "incidents_milestone"): f"""
CREATE TRIGGER insights_start_milestone_insert AFTER INSERT ON incidents_milestone BEGIN
    {_first("NEW.incident_id", _FIRST)};
END""",
    ("insights_start_milestone_update", "incidents_milestone"): f"""
CREATE TRIGGER insights_start_milestone_update AFTER UPDATE OF at, incident_id
ON incidents_milestone BEGIN
    {_first("OLD.incident_id", _REFIRST)};
    {_first("NEW.incident_id", _FIRST)};
END""",
    ("insights_start_milestone_delete", "incidents_milestone"): f"""
CREATE TRIGGER insights_start_milestone_delete AFTER DELETE ON incidents_milestone BEGIN
    {_first("OLD.incident_id", _REFIRST)};
END""",
}
POSTGRES_START_FUNCTIONS = [
    f"""
CREATE OR REPLACE FUNCTION insights_start_of_incident() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND OLD.id <> NEW.id) THEN
        DELETE FROM insights_incidentstart WHERE incident_id = OLD.id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        {_RECORDED};
    END IF;
    RETURN NULL;
END
$$""",
    f"""
CREATE OR REPLACE FUNCTION insights_start_of_milestone() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        {_first("OLD.incident_id", _REFIRST)};
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        {_first("NEW.incident_id", _FIRST)};
    END IF;
    RETURN NULL;
END
$$""",
    """
CREATE OR REPLACE FUNCTION insights_starts_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'incidents_incident' THEN
        DELETE FROM insights_incidentstart;
    ELSE
        UPDATE insights_incidentstart SET first_milestone = NULL, began = recorded;
    END IF;
    RETURN NULL;
END
$$""",
]
POSTGRES_STARTS = {
    ("insights_start", "incidents_incident"): """
CREATE TRIGGER insights_start AFTER INSERT OR UPDATE OF id, created_at OR DELETE
ON incidents_incident FOR EACH ROW EXECUTE FUNCTION insights_start_of_incident()""",
    ("insights_start_truncate", "incidents_incident"): """
CREATE TRIGGER insights_start_truncate AFTER TRUNCATE ON incidents_incident
FOR EACH STATEMENT EXECUTE FUNCTION insights_starts_truncated()""",
    ("insights_start", "incidents_milestone"): """
CREATE TRIGGER insights_start AFTER INSERT OR UPDATE OF at, incident_id OR DELETE
ON incidents_milestone FOR EACH ROW EXECUTE FUNCTION insights_start_of_milestone()""",
    ("insights_start_truncate", "incidents_milestone"): """
CREATE TRIGGER insights_start_truncate AFTER TRUNCATE ON incidents_milestone
FOR EACH STATEMENT EXECUTE FUNCTION insights_starts_truncated()""",
}


def token_triggers(vendor: str) -> dict[tuple[str, str], str]:
    """(trigger, table) → its CREATE statement, for the data-change token."""
    if vendor == "sqlite":
        return {
            (f"insights_change_{table}_{op}", table): SQLITE_TOKEN.format(table=table, op=op)
            for table in WATCHED
            for op in OPERATIONS
        }
    return {("insights_change", table): POSTGRES_TOKEN.format(table=table) for table in WATCHED}


def start_triggers(vendor: str) -> dict[tuple[str, str], str]:
    """(trigger, table) → its CREATE statement, for the incidents' starts."""
    if vendor == "sqlite":
        return dict(SQLITE_STARTS)
    return dict(POSTGRES_STARTS)


def create_start_triggers(connection: Any) -> None:
    """The start triggers and their functions (migration ``0002``)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for function in POSTGRES_START_FUNCTIONS:
                cursor.execute(function)
        for sql in start_triggers(connection.vendor).values():
            cursor.execute(sql)


def refill_starts(connection: Any) -> None:
    """Every incident's start, recomputed from the incidents and milestones."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM insights_incidentstart")
        cursor.execute(FILL_STARTS)


def new_token(cursor: Any) -> None:
    """Change the data-change token (after writes the triggers did not record), so that no
    cached figure outlives them."""
    cursor.execute(
        "INSERT INTO insights_datachange (token) VALUES (%s)", [1 + secrets.randbelow(2**31)]
    )


def ensure(connection: Any) -> list[str]:
    """Re-create the insights' triggers that are missing; the names of those put back.

    Does nothing before the insights' tables exist (a database migrated only part way).
    """
    if connection.vendor not in ("sqlite", "postgresql"):
        return []
    tables = set(connection.introspection.table_names())
    if "insights_datachange" not in tables:
        return []
    present = existing(connection)
    wanted = {k: v for k, v in token_triggers(connection.vendor).items() if k[1] in tables}
    starts = start_triggers(connection.vendor) if "insights_incidentstart" in tables else {}
    kept_pms = (
        postmortem_triggers.postmortem_triggers(connection.vendor)
        if postmortem_triggers.TABLE in tables
        else {}
    )
    missing = {
        key: sql for key, sql in {**wanted, **starts, **kept_pms}.items() if key not in present
    }
    kept = (
        duration_triggers.duration_triggers(connection.vendor)
        if "insights_durationvalue" in tables
        else {}
    )
    stale = sorted(name for name, table in kept if (name, table) not in present)
    months = (
        month_triggers.month_triggers(connection.vendor)
        if "insights_monthversion" in tables
        else {}
    )
    unmarked = sorted(name for name, table in months if (name, table) not in present)
    if months and connection.vendor == "sqlite":
        with connection.cursor() as cursor:  # lost when a migration rebuilds the table
            cursor.execute(month_triggers.SQLITE_ONCE)
    if not missing and not stale and not unmarked:
        return []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(POSTGRES_TOKEN_FUNCTION)
            if any(key in starts for key in missing):
                for function in POSTGRES_START_FUNCTIONS:
                    cursor.execute(function)
            if any(key in kept_pms for key in missing):
                for function in postmortem_triggers.POSTGRES_FUNCTIONS:
                    cursor.execute(function)
        for sql in missing.values():
            cursor.execute(sql)
        if any(key in starts for key in missing):
            refill_starts(connection)
        if any(key in kept_pms for key in missing):
            postmortem_triggers.refill(connection)
        if stale or any(key in starts for key in missing):
            duration_triggers.refill(connection)  # puts every duration trigger back too
        if unmarked:
            month_triggers.refill(connection)  # copies afresh, moves every month
        # Writes made while a trigger was missing went unrecorded: a new token for them.
        new_token(cursor)
    return sorted({name for name, _table in missing} | set(stale) | set(unmarked))
