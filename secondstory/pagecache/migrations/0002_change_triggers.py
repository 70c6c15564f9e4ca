"""The triggers that move the page change tokens on every write to a table the page reads."""

from typing import Any

from django.db import migrations


def create(apps: Any, schema_editor: Any) -> None:
    from secondstory.pagecache import triggers

    if schema_editor.connection.vendor in ("sqlite", "postgresql"):
        triggers.create(schema_editor.connection)


def drop(apps: Any, schema_editor: Any) -> None:
    from secondstory.pagecache import triggers

    if schema_editor.connection.vendor in ("sqlite", "postgresql"):
        triggers.drop(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("pagecache", "0001_change_tokens"),
        ("accounts", "0006_service_accounts"),
        ("actions", "0003_follow_through_policy"),
        ("incidents", "0009_exercise_incidents"),
        ("postmortems", "0011_exercise_postmortems"),
    ]

    operations = [migrations.RunPython(create, drop)]
