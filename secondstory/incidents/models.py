"""Incidents, their milestones and their timelines."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import models

from secondstory.core import taxonomy
from secondstory.core.invariants import milestone_order_problems
from secondstory.core.record import Milestone as MilestoneData
from secondstory.core.timeline.event import with_offset

# An import's id: ``<start, unix seconds>-<32 hex digits>``.
PENDING_IMPORT_LENGTH = 48


class Severity(models.Model):
    """One step of the configurable severity scale (rank 1 is the most severe)."""

    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    rank = models.PositiveSmallIntegerField(unique=True)
    slo_days = models.PositiveSmallIntegerField(
        default=60, help_text="Days to complete an action item of an incident of this severity."
    )

    class Meta:
        ordering = ["rank"]
        verbose_name_plural = "severities"

    def __str__(self) -> str:
        return self.code


class MilestoneKind(models.Model):
    code = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=100)
    position = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.name


class DurationMetric(models.Model):
    """A duration defined as ``end - start`` of two milestone kinds."""

    code = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=100)
    start = models.ForeignKey(MilestoneKind, on_delete=models.PROTECT, related_name="+")
    end = models.ForeignKey(MilestoneKind, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def definition(self) -> str:
        """E.g. ``time to detect = detected − impact started``."""
        return f"{self.name} = {self.end.name} − {self.start.name}"

    def clean(self) -> None:
        if self.start_id is not None and self.start_id == self.end_id:
            raise ValidationError({"end": "a duration needs two different milestone kinds"})


class Service(models.Model):
    slug = models.SlugField(max_length=taxonomy.MAX_SLUG, unique=True)
    name = models.CharField(max_length=150)
    team = models.ForeignKey(
        "accounts.Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="services"
    )
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    slug = models.SlugField(max_length=taxonomy.MAX_SLUG, unique=True)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.slug


class Incident(models.Model):
    VISIBILITY_CHOICES = [(v, v.capitalize()) for v in taxonomy.VISIBILITIES]

    key = models.CharField(max_length=taxonomy.MAX_KEY, unique=True)
    title = models.CharField(max_length=taxonomy.MAX_TITLE)
    severity = models.ForeignKey(Severity, on_delete=models.PROTECT, related_name="incidents")
    visibility = models.CharField(max_length=20, choices=VISIBILITY_CHOICES, default="internal")
    services = models.ManyToManyField(Service, related_name="incidents", blank=True)
    teams = models.ManyToManyField("accounts.Team", related_name="incidents", blank=True)
    tags = models.ManyToManyField(Tag, related_name="incidents", blank=True)
    milestone_order_note = models.TextField(
        blank=True, help_text="Explains milestones that are deliberately out of the usual order."
    )
    is_exercise = models.BooleanField(
        default=False,
        editable=False,
        help_text="A game day's exercise: left out of incident lists, counts and durations.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "key"]
        # Exercises are few: counts over every incident leave them out through this index.
        indexes = [
            models.Index(
                fields=["id"], condition=models.Q(is_exercise=True), name="incident_exercises"
            )
        ]

    def __str__(self) -> str:
        return f"{self.key}: {self.title}"

    @property
    def is_restricted(self) -> bool:
        return self.visibility == "restricted"

    def milestone_at(self, kind: str) -> datetime | None:
        for milestone in self.milestones.all():
            if milestone.kind.code == kind:
                return milestone.at
        return None

    def check_milestone_order(self, milestones: list[Milestone] | None = None) -> None:
        """Raise a ValidationError naming the milestone that is out of order."""
        milestones = milestones if milestones is not None else list(self.milestones.all())
        data = [MilestoneData(m.kind.code, m.at) for m in milestones]
        problems = milestone_order_problems(data, self.milestone_order_note)
        if problems:
            raise ValidationError({"milestones": [p.message for p in problems]})


class ExternalReference(models.Model):
    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, related_name="external_references"
    )
    system = models.CharField(max_length=taxonomy.MAX_SYSTEM)
    identifier = models.CharField(max_length=taxonomy.MAX_IDENTIFIER)
    url = models.URLField(max_length=taxonomy.MAX_URL, blank=True)

    class Meta:
        ordering = ["system", "identifier"]
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "system", "identifier"], name="unique_external_reference"
            )
        ]

    def __str__(self) -> str:
        return f"{self.system}:{self.identifier}"


class OffsetInstant(models.Model):
    """An instant stored in UTC plus the UTC offset it was originally recorded in."""

    at = models.DateTimeField(help_text="The instant, stored in UTC.")
    utc_offset_minutes = models.SmallIntegerField(default=0)

    class Meta:
        abstract = True

    @property
    def local_at(self) -> datetime:
        """The instant at its original offset."""
        return with_offset(self.at, self.utc_offset_minutes)

    def clean(self) -> None:
        if not -18 * 60 <= self.utc_offset_minutes <= 18 * 60:
            raise ValidationError({"utc_offset_minutes": "a UTC offset lies within ±18 hours"})


class Milestone(OffsetInstant):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="milestones")
    kind = models.ForeignKey(MilestoneKind, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["kind__position", "at"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "kind"], name="one_milestone_per_kind")
        ]
        # "On this day" and the insights look milestones of one kind up by instant.
        indexes = [models.Index(fields=["kind", "at"], name="milestone_kind_at")]

    def __str__(self) -> str:
        return f"{self.kind.name} at {self.local_at.isoformat()}"


class VisibleEventManager(models.Manager["TimelineEvent"]):
    """Events on the timeline: rows an import is still writing (or a crashed import left
    behind) are out of sight everywhere, since every queryset and relation starts here."""

    def get_queryset(self) -> models.QuerySet[TimelineEvent]:
        return super().get_queryset().filter(pending_import="")


class TimelineEvent(OffsetInstant):
    KIND_CHOICES = [(k, k) for k in taxonomy.TIMELINE_KINDS]

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="timeline")
    kind = models.CharField(max_length=20, choices=KIND_CHOICES)
    source = models.CharField(max_length=taxonomy.MAX_SOURCE)
    source_ref = models.CharField(max_length=taxonomy.MAX_SOURCE_REF)
    actor = models.CharField(max_length=taxonomy.MAX_ACTOR, blank=True)
    actor_role = models.CharField(max_length=taxonomy.MAX_ROLE, blank=True)
    text = models.TextField()
    starred = models.BooleanField(default=False)
    known_at_the_time = models.BooleanField(default=True)
    evidence_url = models.URLField(max_length=taxonomy.MAX_URL, blank=True)
    raw = models.JSONField(null=True, blank=True)
    signal = models.CharField(
        max_length=taxonomy.MAX_SIGNAL,
        blank=True,
        help_text="An imported alert's identity across tools (its name, normalised).",
    )
    state = models.CharField(
        max_length=20, blank=True, help_text="firing, acknowledged or resolved (imported alerts)."
    )
    pending_import = models.CharField(
        max_length=PENDING_IMPORT_LENGTH,
        blank=True,
        default="",
        editable=False,
        help_text="The import still writing this event (empty once it is on the timeline).",
    )

    objects = VisibleEventManager()
    # Every row, pending ones included: only the import and its clean-up use it.
    with_pending = models.Manager["TimelineEvent"]()

    class Meta:
        ordering = ["at", "source", "source_ref"]
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "source", "source_ref"], name="unique_event_source_ref"
            )
        ]
        indexes = [
            # The timeline's order, so a window of events is read from the index without
            # sorting the incident's whole timeline (docs/timeline.md).
            models.Index(
                fields=["incident", "at", "source", "source_ref"], name="timeline_incident_order"
            ),
            models.Index(
                fields=["pending_import"],
                name="timeline_pending_import",
                condition=~models.Q(pending_import=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.local_at.isoformat()} {self.kind}: {self.text[:60]}"

    @property
    def ref(self) -> str:
        return f"{self.source}:{self.source_ref}"


class EventReference(models.Model):
    """The same happening seen through another source, grouped into one timeline event.

    An import that meets an alert through two tools keeps one event and records the other
    sighting here, payload and all: nothing is lost, and re-importing either source adds
    nothing (its reference is known).
    """

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="+")
    event = models.ForeignKey(TimelineEvent, on_delete=models.CASCADE, related_name="also")
    source = models.CharField(max_length=taxonomy.MAX_SOURCE)
    source_ref = models.CharField(max_length=taxonomy.MAX_SOURCE_REF)
    at = models.DateTimeField()
    utc_offset_minutes = models.SmallIntegerField(default=0)
    text = models.TextField(blank=True)
    raw = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["at", "source", "source_ref"]
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "source", "source_ref"], name="unique_grouped_reference"
            )
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.source_ref}"

    @property
    def ref(self) -> str:
        return f"{self.source}:{self.source_ref}"

    @property
    def local_at(self) -> datetime:
        return with_offset(self.at, self.utc_offset_minutes)
