"""Seed the default contributing-factor taxonomy (editable in the admin)."""

from django.db import migrations

from secondstory.core import taxonomy


def seed(apps, schema_editor):
    FactorCategory = apps.get_model("postmortems", "FactorCategory")
    for position, category in enumerate(taxonomy.DEFAULT_FACTOR_CATEGORIES, start=1):
        FactorCategory.objects.get_or_create(
            code=category.code,
            defaults={
                "name": category.name,
                "description": category.description,
                "position": position * 10,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("postmortems", "0001_postmortems_factors_lifecycle")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
