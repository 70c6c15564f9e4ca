"""Each incident's start beside it, kept by triggers (``secondstory.insights.triggers``)."""

from typing import Any

import django.db.models.deletion
from django.db import migrations, models

from secondstory.insights import triggers


def create(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor not in ("sqlite", "postgresql"):
        return
    triggers.refill_starts(schema_editor.connection)
    triggers.create_start_triggers(schema_editor.connection)


def drop(apps: Any, schema_editor: Any) -> None:
    connection = schema_editor.connection
    if connection.vendor == "sqlite":
        for name, _table in triggers.start_triggers("sqlite"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
    elif connection.vendor == "postgresql":
        for name, table in triggers.start_triggers("postgresql"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        for function in (
            "insights_start_of_incident()",
            "insights_start_of_milestone()",
            "insights_starts_truncated()",
        ):
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {function}")


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0008_milestone_kind_at"),
        ("insights", "0001_data_changes"),
    ]

    operations = [
        migrations.CreateModel(
            name="IncidentStart",
            fields=[
                (
                    "incident",
                    models.OneToOneField(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="insights_start",
                        serialize=False,
                        to="incidents.incident",
                    ),
                ),
                ("recorded", models.DateTimeField(null=True)),
                ("first_milestone", models.DateTimeField(null=True)),
                ("began", models.DateTimeField()),
            ],
            options={
                "db_table": "insights_incidentstart",
                "indexes": [
                    models.Index(fields=["began", "incident"], name="insights_start_began")
                ],
            },
        ),
        migrations.RunPython(create, drop),
    ]
