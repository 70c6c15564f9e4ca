"""Seed the default severity scale, milestone kinds and duration metrics (editable in the admin).

Frozen as written: later defaults are created after every migrate by the app's
post_migrate handler (``incidents/defaults.py``), which uses the current models.
"""

from django.db import migrations

from secondstory.core import taxonomy


def seed(apps, schema_editor):
    Severity = apps.get_model("incidents", "Severity")
    MilestoneKind = apps.get_model("incidents", "MilestoneKind")
    DurationMetric = apps.get_model("incidents", "DurationMetric")
    for severity in taxonomy.DEFAULT_SEVERITIES:
        Severity.objects.get_or_create(
            code=severity.code,
            defaults={
                "name": severity.name,
                "description": severity.description,
                "rank": severity.rank,
            },
        )
    kinds = {}
    for kind in taxonomy.DEFAULT_MILESTONE_KINDS:
        kinds[kind.code], _ = MilestoneKind.objects.get_or_create(
            code=kind.code, defaults={"name": kind.name, "position": kind.position}
        )
    for position, metric in enumerate(taxonomy.DEFAULT_DURATION_METRICS, start=1):
        DurationMetric.objects.get_or_create(
            code=metric.code,
            defaults={
                "name": metric.name,
                "start": kinds[metric.start],
                "end": kinds[metric.end],
                "position": position * 10,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("incidents", "0001_incidents_milestones_timeline")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
