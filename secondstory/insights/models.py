"""The insights' one table: a token that changes whenever the data behind the figures does.

Database triggers (migration ``0001_data_changes``) write it on every insert, update and
delete of the tables the insights and the learning-health checks read, whatever wrote them
(a form, a bulk load, the admin, raw SQL). ``secondstory.insights.freshness`` reads it to
key its cache, so a figure is computed once per state of the data.
"""

from __future__ import annotations

from django.db import models

from secondstory.core import taxonomy


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


class MetricPair(models.Model):
    """A copy of each duration metric's two milestone kinds, which the milestones' triggers
    read (``insights.duration_triggers``); refilled when it differs from the definitions."""

    metric_id = models.BigIntegerField(primary_key=True)
    start_id = models.BigIntegerField()
    end_id = models.BigIntegerField()

    class Meta:
        db_table = "insights_metricpair"

    def __str__(self) -> str:
        return f"metric {self.metric_id}"


class DurationValue(models.Model):
    """One incident's value of one duration metric, in whole minutes (rounded down); kept by
    the milestones' triggers."""

    incident_id = models.BigIntegerField()
    metric_id = models.BigIntegerField()
    minutes = models.IntegerField()

    class Meta:
        db_table = "insights_durationvalue"
        constraints = [
            models.UniqueConstraint(
                fields=["incident_id", "metric_id"], name="insights_value_per_metric"
            )
        ]

    def __str__(self) -> str:
        return f"incident {self.incident_id} metric {self.metric_id}: {self.minutes} min"


class DurationCount(models.Model):
    """How many incidents that began in a UTC month had a value of a metric; kept by the
    triggers on the values and on the incidents' starts."""

    metric_id = models.BigIntegerField()
    month = models.CharField(max_length=7)  # YYYY-MM
    minutes = models.IntegerField()
    n = models.IntegerField()

    class Meta:
        db_table = "insights_durationcount"
        constraints = [
            models.UniqueConstraint(
                fields=["metric_id", "month", "minutes"], name="insights_count_per_value"
            )
        ]

    def __str__(self) -> str:
        return f"metric {self.metric_id} {self.month} {self.minutes} min: {self.n}"


class MonthVersion(models.Model):
    """A step of a UTC day's version (``*``: of every day), moved by triggers on every write
    to the data of the incidents that began on it (``month_triggers``); a month's version is
    the sum of its days'. On SQLite one row per day; on PostgreSQL a row per write, folded by
    readers."""

    month = models.CharField(max_length=10)  # YYYY-MM-DD (YYYY-MM before 0009), or "*"
    token = models.BigIntegerField()

    class Meta:
        db_table = "insights_monthversion"
        indexes = [models.Index(fields=["month"], name="insights_monthversion_month")]

    def __str__(self) -> str:
        return f"{self.month} +{self.token}"


class PostmortemIncident(models.Model):
    """A copy of the links between postmortems and incidents, for the month triggers."""

    postmortem_id = models.BigIntegerField()
    incident_id = models.BigIntegerField()

    class Meta:
        db_table = "insights_postmortemincident"
        constraints = [
            models.UniqueConstraint(
                fields=["postmortem_id", "incident_id"], name="insights_link_copy_once"
            )
        ]

    def __str__(self) -> str:
        return f"postmortem {self.postmortem_id} – incident {self.incident_id}"


class ItemPostmortem(models.Model):
    """A copy of each action item's postmortem, for the month triggers."""

    item_id = models.BigIntegerField(primary_key=True)
    postmortem_id = models.BigIntegerField()

    class Meta:
        db_table = "insights_itempostmortem"

    def __str__(self) -> str:
        return f"item {self.item_id} of postmortem {self.postmortem_id}"


class KeptPostmortem(models.Model):
    """Each postmortem's key and times, whether it is an exercise, and the words of its sections:
    the columns the learning-health checks select and sum, kept narrow beside it by the
    postmortems' triggers (``insights.postmortem_triggers``)."""

    postmortem = models.OneToOneField(
        "postmortems.Postmortem",
        primary_key=True,
        on_delete=models.DO_NOTHING,  # the triggers delete the row with the postmortem
        db_constraint=False,
        related_name="insights_kept",
    )
    key = models.CharField(max_length=taxonomy.MAX_KEY)
    created_at = models.DateTimeField()
    published_at = models.DateTimeField(null=True)
    not_required_at = models.DateTimeField(null=True)
    is_exercise = models.BooleanField()
    words = models.IntegerField(null=True)  # NULL when a section is NULL

    class Meta:
        db_table = "insights_keptpostmortem"
        indexes = [
            models.Index(fields=["created_at"], name="insights_kept_pm_created"),
            # Game days' postmortems are few: counts over every action item leave theirs out
            # through this index (``health_queries.months``).
            models.Index(
                fields=["postmortem"],
                condition=models.Q(is_exercise=True),
                name="insights_kept_pm_exercise",
            ),
        ]

    def __str__(self) -> str:
        return f"postmortem {self.postmortem_id}: {self.words} words"
