"""The postmortem's timeline token: its incidents link, people and dismissals, and the columns
of the postmortem its timeline window shows, move it instead of the postmortem's token."""

from typing import Any

from django.db import migrations, models


def timeline_layout(apps: Any, schema_editor: Any) -> None:
    from secondstory.pagecache import triggers

    if schema_editor.connection.vendor in ("sqlite", "postgresql"):
        triggers.drop(schema_editor.connection)
        triggers.create(schema_editor.connection, timeline=True)


def earlier_layout(apps: Any, schema_editor: Any) -> None:
    from secondstory.pagecache import triggers

    if schema_editor.connection.vendor in ("sqlite", "postgresql"):
        triggers.drop(schema_editor.connection)
        triggers.create(schema_editor.connection, timeline=False)


class Migration(migrations.Migration):
    dependencies = [
        ("pagecache", "0002_change_triggers"),
    ]

    operations = [
        migrations.CreateModel(
            name="TimelineChange",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("postmortem_id", models.BigIntegerField(db_index=True)),
                ("token", models.BigIntegerField()),
            ],
        ),
        migrations.RunPython(timeline_layout, earlier_layout),
    ]
