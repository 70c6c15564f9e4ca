"""The insights' one table: a token that changes whenever the data behind the figures does.

Database triggers (migration ``0001_data_changes``) write it on every insert, update and
delete of the tables the insights and the learning-health checks read, whatever wrote them
(a form, a bulk load, the admin, raw SQL). ``secondstory.insights.freshness`` reads it to
key its cache, so a figure is computed once per state of the data.
"""

from __future__ import annotations

from django.db import models


class DataChange(models.Model):
    """One row per writing statement on PostgreSQL (no row is shared between writers, so
    concurrent transactions never wait on each other); one row updated in place on SQLite,
    which has one writer at a time. Each change adds a random token, so a rolled-back
    change never leaves a state that a later, different change could reproduce."""

    token = models.BigIntegerField(default=0)

    class Meta:
        db_table = "insights_datachange"

    def __str__(self) -> str:
        return f"data change {self.token}"


class IncidentStart(models.Model):
    """When each incident began: its earliest milestone, else when it was recorded.

    Kept by database triggers on the incidents and their milestones (``insights.triggers``),
    so that a page finds the incidents of a date range through the index on ``began``
    instead of working out every incident's start on each query.
    """

    incident = models.OneToOneField(
        "incidents.Incident",
        primary_key=True,
        on_delete=models.DO_NOTHING,  # the triggers delete the row with the incident
        db_constraint=False,
        related_name="insights_start",
    )
    recorded = models.DateTimeField(null=True)  # the incident's created_at
    first_milestone = models.DateTimeField(null=True)
    began = models.DateTimeField()

    class Meta:
        db_table = "insights_incidentstart"
        indexes = [models.Index(fields=["began", "incident"], name="insights_start_began")]

    def __str__(self) -> str:
        return f"incident {self.incident_id} began {self.began.isoformat()}"
