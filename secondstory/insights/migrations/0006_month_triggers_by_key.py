"""The month triggers look each link's incident start up by its key (``month_triggers``):
re-created with their new bodies, in this migration's transaction."""

from typing import Any

from django.db import migrations

from secondstory.insights import month_triggers


def recreate(apps: Any, schema_editor: Any) -> None:
    connection = schema_editor.connection
    if connection.vendor in ("sqlite", "postgresql"):
        month_triggers.drop(connection)
        month_triggers.create(connection)


class Migration(migrations.Migration):
    dependencies = [
        ("insights", "0005_health_kept_postmortems"),
    ]

    # Backwards too: the bodies before and after name the same months.
    operations = [migrations.RunPython(recreate, recreate)]
