"""Seed the default severity scale, milestone kinds and duration metrics (editable in the admin)."""

from django.db import migrations

from secondstory.incidents.defaults import seed_vocabularies


def seed(apps, schema_editor):
    seed_vocabularies(apps)


class Migration(migrations.Migration):
    dependencies = [("incidents", "0001_incidents_milestones_timeline")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
