"""Seed the default contributing-factor taxonomy (editable in the admin)."""

from django.db import migrations

from secondstory.postmortems.defaults import seed_factor_categories


def seed(apps, schema_editor):
    seed_factor_categories(apps)


class Migration(migrations.Migration):
    dependencies = [("postmortems", "0001_postmortems_factors_lifecycle")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
