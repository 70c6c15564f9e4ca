"""The word counts similar incidents compare, kept for every postmortem (``similar_terms``).

The table starts empty: until ``secondstory reindex`` fills it, a postmortem without a row is
counted on the spot, with the same result.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("library", "0007_facet_keys_in_match_rows"),
        ("postmortems", "0011_exercise_postmortems"),
    ]

    operations = [
        migrations.CreateModel(
            name="SimilarTerms",
            fields=[
                (
                    "postmortem",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="similar_terms",
                        serialize=False,
                        to="postmortems.postmortem",
                    ),
                ),
                (
                    "text",
                    models.TextField(default="{}", help_text="Title (counted twice) and summary."),
                ),
                (
                    "factors",
                    models.TextField(default="{}", help_text="Contributing factors' descriptions."),
                ),
                (
                    "timeline",
                    models.TextField(default="{}", help_text="The first timeline events' text."),
                ),
                (
                    "people",
                    models.TextField(blank=True, help_text="Words of those events' actors."),
                ),
            ],
        ),
    ]
