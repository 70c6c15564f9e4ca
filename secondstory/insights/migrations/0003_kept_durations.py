"""Each incident's duration values and their counts per month, kept by triggers
(``secondstory.insights.duration_triggers``)."""


from typing import Any

from django.db import migrations, models

from secondstory.insights import duration_triggers


def create(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor in ("sqlite", "postgresql"):
        duration_triggers.refill(schema_editor.connection)  # fills, then creates the triggers


def drop(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor in ("sqlite", "postgresql"):
        duration_triggers.drop(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ('insights', '0002_incident_starts'),
    ]

    operations = [
        migrations.CreateModel(
            name='MetricPair',
            fields=[
                ('metric_id', models.BigIntegerField(primary_key=True, serialize=False)),
                ('start_id', models.BigIntegerField()),
                ('end_id', models.BigIntegerField()),
            ],
            options={
                'db_table': 'insights_metricpair',
            },
        ),
        migrations.CreateModel(
            name='DurationCount',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('metric_id', models.BigIntegerField()),
                ('month', models.CharField(max_length=7)),
                ('minutes', models.IntegerField()),
                ('n', models.IntegerField()),
            ],
            options={
                'db_table': 'insights_durationcount',
                'constraints': [models.UniqueConstraint(fields=('metric_id', 'month', 'minutes'), name='insights_count_per_value')],
            },
        ),
        migrations.CreateModel(
            name='DurationValue',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('incident_id', models.BigIntegerField()),
                ('metric_id', models.BigIntegerField()),
                ('minutes', models.IntegerField()),
            ],
            options={
                'db_table': 'insights_durationvalue',
                'constraints': [models.UniqueConstraint(fields=('incident_id', 'metric_id'), name='insights_value_per_metric')],
            },
        ),
        migrations.RunPython(create, drop),
    ]
