"""Each incident's duration values and their counts per month, kept by database triggers.

Three tables (``models.MetricPair``, ``DurationValue``, ``DurationCount``, migration ``0003``):

- the metric definitions' milestone kinds, copied (``insights_metricpair``);
- each incident's value of each metric in whole minutes, rounded down
  (``insights_durationvalue``), recomputed by the milestones' triggers for the incident whose
  milestones changed;
- how many incidents that began in a UTC month had each value of each metric
  (``insights_durationcount``), moved by the values' triggers and by the triggers on the
  incidents' starts (``insights_incidentstart``) when an incident's start changes month.

A value counts in the month its incident began while the incident has a start row. Each
trigger keeps that true on its own, so the order in which SQLite and PostgreSQL fire the
triggers of one statement does not matter. Like the starts' triggers, a trigger names only
its own table and the insights' tables (SQLite refuses to rebuild a table that a trigger
elsewhere names); the metric definitions are therefore read through their copy, which the
pages compare with the definitions before reading and refill with everything else when an
administrator changed a metric (``refresh``).
"""

from __future__ import annotations

from typing import Any

from secondstory.lib import db_triggers

# Whole minutes from ``s.at`` to ``e.at``, rounded down (so a histogram edge in whole minutes
# puts every value in the bin of its exact value, and a value below zero stays below zero).
_MS = "CAST(ROUND((julianday(e.at) - julianday(s.at)) * 86400000.0) AS INTEGER)"
MINUTES = {
    "sqlite": f"(({_MS}) - ((({_MS}) % 60000) + 60000) % 60000) / 60000",
    "postgresql": "floor(EXTRACT(EPOCH FROM (e.at - s.at)) / 60)::integer",
}
# The UTC month ('YYYY-MM') of an instant column.
MONTH = {
    "sqlite": "substr({}, 1, 7)",
    "postgresql": "to_char({} AT TIME ZONE 'UTC', 'YYYY-MM')",
}

#: Every incident's value of every metric (of the copied definitions), as rows.
VALUE_ROWS = """SELECT s.incident_id, p.metric_id, {minutes} FROM insights_metricpair p
    JOIN incidents_milestone s ON s.kind_id = p.start_id {where_s}
    JOIN incidents_milestone e ON e.incident_id = s.incident_id AND e.kind_id = p.end_id"""
_VALUES_OF = "INSERT INTO insights_durationvalue (incident_id, metric_id, minutes) " + VALUE_ROWS
#: How many incidents of each month had each value of each metric, from the values and starts.
COUNT_ROWS = """SELECT v.metric_id, {month}, v.minutes, COUNT(*) FROM insights_durationvalue v
    JOIN insights_incidentstart st ON st.incident_id = v.incident_id {where}
    GROUP BY v.metric_id, {month}, v.minutes"""
_COUNT_ALL = "INSERT INTO insights_durationcount (metric_id, month, minutes, n) " + COUNT_ROWS
_UPSERT = """ ON CONFLICT (metric_id, month, minutes)
    DO UPDATE SET n = insights_durationcount.n + excluded.n"""
_ADD_VALUE = (
    """INSERT INTO insights_durationcount (metric_id, month, minutes, n)
    SELECT {v}.metric_id, {month}, {v}.minutes, 1 FROM insights_incidentstart st
    WHERE st.incident_id = {v}.incident_id"""
    + _UPSERT
)
_DROP_VALUE = """UPDATE insights_durationcount SET n = n - 1
    WHERE metric_id = {v}.metric_id AND minutes = {v}.minutes AND month =
    (SELECT {month} FROM insights_incidentstart st WHERE st.incident_id = {v}.incident_id)"""
_ADD_START = (
    """INSERT INTO insights_durationcount (metric_id, month, minutes, n)
    SELECT v.metric_id, {month}, v.minutes, 1 FROM insights_durationvalue v
    WHERE v.incident_id = {s}.incident_id"""
    + _UPSERT
)
_DROP_START = """UPDATE insights_durationcount SET n = n - 1
    WHERE month = {month} AND (metric_id, minutes) IN
    (SELECT v.metric_id, v.minutes FROM insights_durationvalue v
    WHERE v.incident_id = {s}.incident_id)"""


def _recompute(vendor: str, incident: str) -> str:
    """Delete and recompute the values of one incident (statements for a trigger body)."""
    insert = _VALUES_OF.format(minutes=MINUTES[vendor], where_s=f"AND s.incident_id = {incident}")
    return f"DELETE FROM insights_durationvalue WHERE incident_id = {incident};\n    {insert};"


def _value(vendor: str, op: str, row: str) -> str:
    month = MONTH[vendor].format("st.began")
    return (_ADD_VALUE if op == "add" else _DROP_VALUE).format(v=row, month=month) + ";"


def _start(vendor: str, op: str, row: str) -> str:
    month = MONTH[vendor].format(f"{row}.began")
    return (_ADD_START if op == "add" else _DROP_START).format(s=row, month=month) + ";"


def _sqlite() -> dict[tuple[str, str], str]:
    v = "sqlite"
    moved = f"{MONTH[v].format('OLD.began')} <> {MONTH[v].format('NEW.began')}"
    milestone, value, start = (
        "incidents_milestone",
        "insights_durationvalue",
        "insights_incidentstart",
    )
    both = "\n    ".join
    body = {
        ("insights_values_milestone_insert", milestone, "INSERT"): _recompute(v, "NEW.incident_id"),
        ("insights_values_milestone_update", milestone, "UPDATE OF at, incident_id, kind_id"): both(
            [_recompute(v, "OLD.incident_id"), _recompute(v, "NEW.incident_id")]
        ),
        ("insights_values_milestone_delete", milestone, "DELETE"): _recompute(v, "OLD.incident_id"),
        ("insights_count_value_insert", value, "INSERT"): _value(v, "add", "NEW"),
        ("insights_count_value_update", value, "UPDATE"): both(
            [_value(v, "drop", "OLD"), _value(v, "add", "NEW")]
        ),
        ("insights_count_value_delete", value, "DELETE"): _value(v, "drop", "OLD"),
        ("insights_count_start_insert", start, "INSERT"): _start(v, "add", "NEW"),
        ("insights_count_start_update", start, "UPDATE OF began, incident_id"): both(
            [_start(v, "drop", "OLD"), _start(v, "add", "NEW")]
        ),
        ("insights_count_start_delete", start, "DELETE"): _start(v, "drop", "OLD"),
    }
    # A start that moves within its month (every milestone write rewrites it) moves no count.
    when = {"insights_count_start_update": f" WHEN {moved} OR OLD.incident_id <> NEW.incident_id"}
    return {
        (name, table): f"CREATE TRIGGER {name} AFTER {event} ON {table}{when.get(name, '')} "
        f"BEGIN\n    {sql}\nEND"
        for (name, table, event), sql in body.items()
    }


def _function(name: str, removal: str, addition: str) -> str:
    return f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        {removal}
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        {addition}
    END IF;
    RETURN NULL;
END
$$"""


def postgres_functions() -> list[str]:
    v = "postgresql"
    return [
        _function(
            "insights_values_of_milestone",
            _recompute(v, "OLD.incident_id"),
            _recompute(v, "NEW.incident_id"),
        ),
        _function("insights_count_of_value", _value(v, "drop", "OLD"), _value(v, "add", "NEW")),
        _function("insights_count_of_start", _start(v, "drop", "OLD"), _start(v, "add", "NEW")),
        """
CREATE OR REPLACE FUNCTION insights_values_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM insights_durationvalue;
    RETURN NULL;
END
$$""",
    ]


POSTGRES = {
    ("insights_values", "incidents_milestone"): """
CREATE TRIGGER insights_values AFTER INSERT OR UPDATE OF at, incident_id, kind_id OR DELETE
ON incidents_milestone FOR EACH ROW EXECUTE FUNCTION insights_values_of_milestone()""",
    ("insights_values_truncate", "incidents_milestone"): """
CREATE TRIGGER insights_values_truncate AFTER TRUNCATE ON incidents_milestone
FOR EACH STATEMENT EXECUTE FUNCTION insights_values_truncated()""",
    ("insights_count", "insights_durationvalue"): """
CREATE TRIGGER insights_count AFTER INSERT OR UPDATE OR DELETE ON insights_durationvalue
FOR EACH ROW EXECUTE FUNCTION insights_count_of_value()""",
    ("insights_count", "insights_incidentstart"): """
CREATE TRIGGER insights_count AFTER INSERT OR DELETE OR UPDATE OF began, incident_id
ON insights_incidentstart FOR EACH ROW
EXECUTE FUNCTION insights_count_of_start()""",
}
FUNCTIONS = (
    "insights_values_of_milestone()",
    "insights_count_of_value()",
    "insights_count_of_start()",
    "insights_values_truncated()",
)


def duration_triggers(vendor: str) -> dict[tuple[str, str], str]:
    """(trigger, table) → its CREATE statement."""
    return _sqlite() if vendor == "sqlite" else dict(POSTGRES)


def drop(connection: Any) -> None:
    """Drop the triggers (and PostgreSQL's functions) of the kept durations."""
    db_triggers.drop(connection, duration_triggers(connection.vendor), FUNCTIONS)


def create(connection: Any) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for function in postgres_functions():
                cursor.execute(function)
        for sql in duration_triggers(connection.vendor).values():
            cursor.execute(sql)


def refill(connection: Any) -> None:
    """Recompute the copy of the definitions, every value and every count from the
    milestones and the starts (the triggers are dropped meanwhile, so that emptying the
    tables does not move the counts row by row, and put back: call it in a transaction)."""
    vendor = connection.vendor
    drop(connection)
    month = MONTH[vendor].format("st.began")
    with connection.cursor() as cursor:
        for table in ("insights_durationcount", "insights_durationvalue", "insights_metricpair"):
            cursor.execute(f"DELETE FROM {table}")
        cursor.execute(
            "INSERT INTO insights_metricpair (metric_id, start_id, end_id) "
            "SELECT id, start_id, end_id FROM incidents_durationmetric"
        )
        cursor.execute(_VALUES_OF.format(minutes=MINUTES[vendor], where_s=""))
        cursor.execute(_COUNT_ALL.format(month=month, where=""))
    create(connection)
