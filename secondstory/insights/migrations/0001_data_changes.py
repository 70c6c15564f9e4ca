"""The data-change token behind the insights' cache, and the triggers that write it.

Every insert, update and delete on a table the insights or the learning-health checks read
changes the token, whoever writes (the ORM, a bulk load, raw SQL), so a cached figure can
never outlive the data it was computed from.
"""

import secrets
from typing import Any

from django.db import migrations, models

#: The tables the insights pages and the learning-health checks read.
WATCHED = [
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
    "postmortems_contributingfactor",
    "postmortems_factorcategory",
    "postmortems_postmortem",
    "postmortems_postmortem_incidents",
    "postmortems_reviewcache",
    "postmortems_reviewdismissal",
]
OPERATIONS = ("insert", "update", "delete")
# SQLite has one writer at a time: one row, moved on by a random step per written row.
SQLITE_TRIGGER = """
CREATE TRIGGER insights_change_{table}_{op} AFTER {op} ON {table} BEGIN
    INSERT INTO insights_datachange (id, token) VALUES (1, 1 + abs(random() % 2147483647))
    ON CONFLICT (id) DO UPDATE SET token = (token + excluded.token) % 4611686018427387903;
END
"""
# PostgreSQL: one new row per statement, so concurrent writers never share a row (no lock
# waits, no deadlocks); readers sum them and fold them into one now and then.
POSTGRES_FUNCTION = """
CREATE FUNCTION insights_note_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO insights_datachange (token) VALUES (1 + floor(random() * 2147483646)::bigint);
    RETURN NULL;
END
$$
"""
POSTGRES_TRIGGER = """
CREATE TRIGGER insights_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
FOR EACH STATEMENT EXECUTE FUNCTION insights_note_change()
"""


def create_triggers(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for table in WATCHED:
            for op in OPERATIONS:
                schema_editor.execute(SQLITE_TRIGGER.format(table=table, op=op))
    elif vendor == "postgresql":
        schema_editor.execute(POSTGRES_FUNCTION)
        for table in WATCHED:
            schema_editor.execute(POSTGRES_TRIGGER.format(table=table))
    # A random start, so that two installations never share a state's token.
    token = 1 + secrets.randbelow(2**31)
    schema_editor.execute("INSERT INTO insights_datachange (token) VALUES (%s)", [token])


def drop_triggers(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for table in WATCHED:
            for op in OPERATIONS:
                schema_editor.execute(f"DROP TRIGGER IF EXISTS insights_change_{table}_{op}")
    elif vendor == "postgresql":
        for table in WATCHED:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS insights_change ON {table}")
        schema_editor.execute("DROP FUNCTION IF EXISTS insights_note_change()")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0003_roles_and_maintainers"),
        ("actions", "0003_follow_through_policy"),
        ("incidents", "0007_timeline_order_index"),
        ("postmortems", "0007_revision_timeline_changes"),
    ]

    operations = [
        migrations.CreateModel(
            name="DataChange",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("token", models.BigIntegerField(default=0)),
            ],
            options={"db_table": "insights_datachange"},
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
