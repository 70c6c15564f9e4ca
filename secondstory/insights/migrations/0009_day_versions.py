"""Versions per UTC day rather than per month (``month_triggers``): the key grows to ten
characters and the triggers are made again to write days. Rows written per month before
still count for their month."""

from typing import Any

from django.db import migrations

from secondstory.insights import month_triggers


def forwards(apps: Any, schema_editor: Any) -> None:
    connection = schema_editor.connection
    if connection.vendor not in ("sqlite", "postgresql"):
        return
    month_triggers.drop(connection)
    if connection.vendor == "postgresql":
        # 0004 now creates the column this wide; databases made before are widened here
        # (SQLite does not check a text column's length).
        schema_editor.execute(
            "ALTER TABLE insights_monthversion ALTER COLUMN month TYPE varchar(10)"
        )
    month_triggers.create(connection)


class Migration(migrations.Migration):
    dependencies = [
        ("insights", "0008_exercise_index"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
