"""Action items: what the organisation will change, each with one owner and a due date."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from secondstory.core import taxonomy


class ActionItem(models.Model):
    TYPE_CHOICES = [(t, t.capitalize()) for t in taxonomy.ACTION_TYPES]
    PRIORITY_CHOICES = [(p, p) for p in taxonomy.ACTION_PRIORITIES]
    STATUS_CHOICES = [
        ("open", "Open"),
        ("in_progress", "In progress"),
        ("done", "Done"),
        ("not_doing", "Not doing"),
    ]

    postmortem = models.ForeignKey(
        "postmortems.Postmortem", on_delete=models.CASCADE, related_name="action_items"
    )
    key = models.CharField(max_length=taxonomy.MAX_KEY)
    position = models.PositiveIntegerField(default=0)
    title = models.CharField(
        max_length=taxonomy.MAX_TITLE, help_text="Verb first: what will change."
    )
    type = models.CharField(max_length=20, choices=TYPE_CHOICES)
    priority = models.CharField(max_length=2, choices=PRIORITY_CHOICES)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="action_items"
    )
    due = models.DateField()
    status = models.CharField(max_length=20, choices=STATUS_CHOICES, default="open")
    reason = models.TextField(blank=True, help_text="Why it is not being done.")
    done_criterion = models.TextField(blank=True)
    tracker_url = models.URLField(max_length=taxonomy.MAX_URL, blank=True)
    factors = models.ManyToManyField(
        "postmortems.ContributingFactor", related_name="action_items", blank=True
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["postmortem", "key"], name="unique_action_item_key"),
            models.CheckConstraint(
                condition=~models.Q(status="not_doing", reason=""),
                name="not_doing_needs_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["owner", "status", "due"], name="action_owner_status_due"),
            # The learning-health checks count items closed per month and open at month ends
            # from this index alone (``insights.health_queries.months``).
            models.Index(
                fields=["completed_at", "status", "postmortem"], name="action_completed_status"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.status == "not_doing" and not self.reason.strip():
            raise ValidationError(
                {"reason": "an action item that is not being done needs a reason"}
            )
        if self.status == "done" and self.completed_at is None:
            raise ValidationError({"completed_at": "a done action item needs completed_at"})

    def is_overdue(self, today: date) -> bool:
        return self.status in ("open", "in_progress") and self.due < today

    def days_overdue(self, today: date) -> int:
        return (today - self.due).days if self.is_overdue(today) else 0

    @property
    def done_late(self) -> bool:
        return (
            self.status == "done"
            and self.completed_at is not None
            and self.completed_at.date() > self.due
        )


class PriorityPolicy(models.Model):
    """How many days an action item of one priority may take at most (P0 15, P1 30 by default).

    The due date an item gets by default is the shorter of this and its incident severity's
    ``slo_days``; without a row for a priority, the severity alone decides.
    """

    priority = models.CharField(max_length=2, unique=True, choices=ActionItem.PRIORITY_CHOICES)
    slo_days = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["priority"]
        verbose_name_plural = "priority policies"

    def __str__(self) -> str:
        return f"{self.priority}: {self.slo_days} days"


class SavedFilter(models.Model):
    """A named filter of the organisation-wide action item list, shared by its URL."""

    name = models.CharField(max_length=taxonomy.MAX_TITLE)
    query = models.TextField(help_text="The list's query string, without the leading '?'.")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_filters"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="unique_saved_filter_name")
        ]

    def __str__(self) -> str:
        return self.name


class Recurrence(models.Model):
    """A done action item whose factor came back: a later incident has a contributing factor
    of the same category on one of the same services, within the watch window."""

    item = models.ForeignKey(ActionItem, on_delete=models.CASCADE, related_name="recurrences")
    factor = models.ForeignKey(
        "postmortems.ContributingFactor", on_delete=models.CASCADE, related_name="recurrences"
    )
    found_at = models.DateTimeField()
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["found_at"]
        constraints = [models.UniqueConstraint(fields=["item", "factor"], name="unique_recurrence")]

    def __str__(self) -> str:
        return f"{self.item} recurred in {self.factor.postmortem.key}"
