"""Each postmortem's times, exercise flag and words beside it, kept by triggers
(``secondstory.insights.postmortem_triggers``), for the learning-health checks."""

from typing import Any

import django.db.models.deletion
from django.db import migrations, models

from secondstory.core import taxonomy
from secondstory.insights import postmortem_triggers


def create(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor not in ("sqlite", "postgresql"):
        return
    postmortem_triggers.refill(schema_editor.connection)
    postmortem_triggers.create(schema_editor.connection)
    if schema_editor.connection.vendor == "postgresql":
        # the planner's statistics of the new table: without them it guesses a few
        # thousand rows where an organisation has one per postmortem
        schema_editor.execute(f"ANALYZE {postmortem_triggers.TABLE}")


def drop(apps: Any, schema_editor: Any) -> None:
    connection = schema_editor.connection
    if connection.vendor not in ("sqlite", "postgresql"):
        return
    for name, table in postmortem_triggers.postmortem_triggers(connection.vendor):
        on = "" if connection.vendor == "sqlite" else f" ON {table}"
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}{on}")
    if connection.vendor == "postgresql":
        for function in postmortem_triggers.FUNCTION_NAMES:
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {function}")


class Migration(migrations.Migration):
    dependencies = [
        ("insights", "0004_month_versions"),
        ("postmortems", "0011_exercise_postmortems"),
    ]

    operations = [
        migrations.CreateModel(
            name="KeptPostmortem",
            fields=[
                (
                    "postmortem",
                    models.OneToOneField(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="insights_kept",
                        serialize=False,
                        to="postmortems.postmortem",
                    ),
                ),
                ("key", models.CharField(max_length=taxonomy.MAX_KEY)),
                ("created_at", models.DateTimeField()),
                ("published_at", models.DateTimeField(null=True)),
                ("not_required_at", models.DateTimeField(null=True)),
                ("is_exercise", models.BooleanField()),
                ("words", models.IntegerField(null=True)),
            ],
            options={
                "db_table": "insights_keptpostmortem",
                "indexes": [models.Index(fields=["created_at"], name="insights_kept_pm_created")],
            },
        ),
        migrations.RunPython(create, drop),
    ]
