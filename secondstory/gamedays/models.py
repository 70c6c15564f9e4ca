"""Game days and chaos experiments, reviewed in the same shape as an incident postmortem.

A game day owns a postmortem (its review document: timeline of observations, findings as
contributing factors, action items) covering one exercise incident; both are marked as
exercises so they stay out of incident lists and statistics (docs/game-days.md).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from secondstory.core import taxonomy
from secondstory.core.gamedays import lifecycle

MAX_SHORT = 500


class GameDay(models.Model):
    STATUS_CHOICES = [(s, lifecycle.LABELS[s]) for s in lifecycle.STATUSES]

    key = models.CharField(max_length=taxonomy.MAX_KEY, unique=True)
    title = models.CharField(max_length=taxonomy.MAX_TITLE)
    status = models.CharField(max_length=20, choices=STATUS_CHOICES, default=lifecycle.PLANNED)
    hypothesis = models.TextField(help_text="What we expect the system to do under the fault.")
    steady_state = models.CharField(
        max_length=MAX_SHORT, help_text="What is measured to tell normal behaviour."
    )
    steady_state_expected = models.CharField(
        max_length=MAX_SHORT, blank=True, help_text="Its expected value or range."
    )
    blast_radius = models.TextField(blank=True, help_text="What the fault may affect, at most.")
    abort_conditions = models.TextField(blank=True, help_text="When the experiment stops.")
    fault = models.TextField(blank=True, help_text="The fault injected, and how.")
    scheduled_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="game_days", blank=True
    )
    services = models.ManyToManyField("incidents.Service", related_name="game_days", blank=True)
    categories = models.ManyToManyField(
        "postmortems.FactorCategory", related_name="game_days", blank=True
    )
    postmortem = models.OneToOneField(
        "postmortems.Postmortem", on_delete=models.PROTECT, related_name="game_day"
    )
    near_miss = models.ForeignKey(
        "nearmiss.NearMiss",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="game_days",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "key"]
        indexes = [models.Index(fields=["status", "scheduled_at"], name="gameday_status_sched")]

    def __str__(self) -> str:
        return f"{self.key}: {self.title}"

    @property
    def times(self) -> lifecycle.Times:
        return lifecycle.Times(self.scheduled_at, self.started_at, self.ended_at)


class Verification(models.Model):
    """An action item shown to work by a game day, with the evidence."""

    item = models.ForeignKey(
        "actions.ActionItem", on_delete=models.CASCADE, related_name="verifications"
    )
    game_day = models.ForeignKey(GameDay, on_delete=models.CASCADE, related_name="verifications")
    note = models.TextField(help_text="What the game day showed about this item.")
    observation = models.ForeignKey(
        "incidents.TimelineEvent",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The observation on the game day's timeline that shows it.",
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["item", "game_day"], name="one_verification_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.item} verified by {self.game_day.key}"
