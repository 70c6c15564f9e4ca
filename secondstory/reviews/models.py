"""Review meetings of a postmortem, the decisions they record, and the review policy."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models


class ReviewPolicy(models.Model):
    """How many business days after resolution an incident of one severity is reviewed.

    Without a row for a severity, the default by rank applies (rank 1: 3 business days,
    rank 2: 5, others 10; see ``core.reviews.policy``).
    """

    severity = models.OneToOneField(
        "incidents.Severity", on_delete=models.CASCADE, related_name="review_policy"
    )
    business_days = models.PositiveSmallIntegerField(
        help_text="Business days (Monday to Friday) after resolution to hold the review."
    )

    class Meta:
        ordering = ["severity__rank"]
        verbose_name_plural = "review policies"

    def __str__(self) -> str:
        return f"{self.severity.code}: review within {self.business_days} business days"


class ReviewMeeting(models.Model):
    """One review meeting of a postmortem, from scheduled to held or cancelled.

    ``uid`` names the meeting in every invite (the calendar event it updates), and
    ``sequence`` grows with each reschedule and the cancellation, as RFC 5545 asks.
    """

    STATUS_CHOICES = [
        ("scheduled", "Scheduled"),
        ("held", "Held"),
        ("cancelled", "Cancelled"),
    ]

    postmortem = models.ForeignKey(
        "postmortems.Postmortem", on_delete=models.CASCADE, related_name="review_meetings"
    )
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=STATUS_CHOICES, default="scheduled")
    starts_at = models.DateTimeField()
    time_zone = models.CharField(max_length=64, help_text="The zone the time was given in.")
    duration_minutes = models.PositiveSmallIntegerField(default=60)
    location = models.CharField(max_length=500, blank=True, help_text="A room or a call link.")
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="facilitated_reviews",
    )
    organizer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="organized_reviews"
    )
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="review_invitations", blank=True
    )
    attended = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="reviews_attended", blank=True
    )
    notes = models.TextField(blank=True)
    held_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["postmortem", "status"], name="review_pm_status")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="held", held_at__isnull=True),
                name="held_review_has_held_at",
            ),
            # Two people scheduling at once: the database keeps one.
            models.UniqueConstraint(
                fields=["postmortem"],
                condition=models.Q(status="scheduled"),
                name="one_scheduled_review",
            ),
        ]

    def __str__(self) -> str:
        return f"Review of {self.postmortem.key} at {self.starts_at:%Y-%m-%d %H:%M} UTC"

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def is_open(self) -> bool:
        return self.status == "scheduled"


class Decision(models.Model):
    """A decision taken at a review, recorded into the postmortem's record."""

    meeting = models.ForeignKey(ReviewMeeting, on_delete=models.CASCADE, related_name="decisions")
    postmortem = models.ForeignKey(
        "postmortems.Postmortem", on_delete=models.CASCADE, related_name="review_decisions"
    )
    text = models.TextField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["recorded_at", "id"]

    def __str__(self) -> str:
        return self.text[:80]
