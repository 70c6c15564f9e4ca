"""A link between an action item and a factor moves the months of the item's postmortem
(``month_triggers``): the learning-health checks keep each month's facts, which count the
links. The triggers are re-created, in this migration's transaction."""

from typing import Any

from django.db import migrations

from secondstory.insights import month_triggers


def recreate(apps: Any, schema_editor: Any) -> None:
    connection = schema_editor.connection
    if connection.vendor in ("sqlite", "postgresql"):
        month_triggers.drop(connection)
        month_triggers.create(connection)


def previous(apps: Any, schema_editor: Any) -> None:
    """Back to the triggers without the links' (dropping all, then creating the others)."""
    connection = schema_editor.connection
    if connection.vendor not in ("sqlite", "postgresql"):
        return
    month_triggers.drop(connection)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for function in month_triggers.postgres_functions():
                cursor.execute(function)
        for (_name, table), sql in month_triggers.month_triggers(connection.vendor).items():
            if table != "actions_actionitem_factors":
                cursor.execute(sql)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "DROP FUNCTION IF EXISTS insights_month_of_actions_actionitem_factors() CASCADE"
            )


class Migration(migrations.Migration):
    dependencies = [
        ("insights", "0006_month_triggers_by_key"),
    ]

    operations = [migrations.RunPython(recreate, previous)]
