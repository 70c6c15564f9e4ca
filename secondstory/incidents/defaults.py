"""The default severity scale, milestone kinds and duration metrics.

Created by the data migration on a new installation and again after every
``migrate`` (post_migrate), so they are there even after a database flush.
Existing rows are never changed: admins own them once they exist.
"""

from __future__ import annotations

from typing import Any

from secondstory.core import taxonomy


def seed_vocabularies(apps: Any) -> None:
    Severity = apps.get_model("incidents", "Severity")
    MilestoneKind = apps.get_model("incidents", "MilestoneKind")
    DurationMetric = apps.get_model("incidents", "DurationMetric")
    if not Severity.objects.exists():
        for severity in taxonomy.DEFAULT_SEVERITIES:
            Severity.objects.create(
                code=severity.code,
                name=severity.name,
                description=severity.description,
                rank=severity.rank,
                slo_days=severity.slo_days,
            )
    if MilestoneKind.objects.exists():
        return
    kinds = {
        kind.code: MilestoneKind.objects.create(
            code=kind.code, name=kind.name, position=kind.position
        )
        for kind in taxonomy.DEFAULT_MILESTONE_KINDS
    }
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
