"""Answers and learning checks change the insights' data-change token (see
secondstory/insights/triggers.py): the learning-health checks read them, and their results
are cached per state of the data."""

from typing import Any

from django.db import migrations

TABLES = ("learningcheck_answer", "learningcheck_survey")
OPERATIONS = ("insert", "update", "delete")
SQLITE_TRIGGER = """
CREATE TRIGGER insights_change_{table}_{op} AFTER {op} ON {table} BEGIN
    INSERT INTO insights_datachange (id, token) VALUES (1, 1 + abs(random() % 2147483647))
    ON CONFLICT (id) DO UPDATE SET token = (token + excluded.token) % 4611686018427387903;
END
"""
POSTGRES_TRIGGER = """
CREATE TRIGGER insights_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
FOR EACH STATEMENT EXECUTE FUNCTION insights_note_change()
"""


def create_triggers(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor == "sqlite":
            for op in OPERATIONS:
                schema_editor.execute(SQLITE_TRIGGER.format(table=table, op=op))
        elif vendor == "postgresql":
            schema_editor.execute(POSTGRES_TRIGGER.format(table=table))


def drop_triggers(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor == "sqlite":
            for op in OPERATIONS:
                schema_editor.execute(f"DROP TRIGGER IF EXISTS insights_change_{table}_{op}")
        elif vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS insights_change ON {table}")


class Migration(migrations.Migration):
    dependencies = [
        ("insights", "0001_data_changes"),
        ("learningcheck", "0001_learning_checks"),
    ]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
