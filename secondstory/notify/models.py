"""Models of the notify app: extra notification channels and the log of every delivery."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import models


class NotificationChannel(models.Model):
    """A channel configured in the admin, used in addition to the ones set by env vars.

    A Slack or webhook channel posts to its URL; an email channel sends a copy of every
    notification to one fixed address (a team list, for example).
    """

    KIND_CHOICES = [
        ("email", "Email copy"),
        ("slack", "Slack incoming webhook"),
        ("webhook", "JSON webhook"),
    ]

    name = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=10, choices=KIND_CHOICES)
    target = models.CharField(
        max_length=500,
        help_text="The webhook URL (Slack, JSON webhook) or the email address (email copy).",
    )
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        target = self.target.strip()
        if self.kind == "email":
            try:
                validate_email(target)
            except ValidationError as exc:
                raise ValidationError(
                    {"target": "an email channel needs an email address"}
                ) from exc
        else:
            try:
                URLValidator(schemes=["http", "https"])(target)
            except ValidationError as exc:
                raise ValidationError(
                    {"target": "a Slack or webhook channel needs an http(s) URL"}
                ) from exc
        self.target = target


class Delivery(models.Model):
    """One notification to one channel: sent, or failed and retried on the next run.

    With a ``key`` there is one row per (channel, recipient, key): once it is sent, the same
    key is never delivered to that channel again.
    """

    STATUS_CHOICES = [("sent", "Sent"), ("failed", "Failed")]

    channel_key = models.CharField(
        max_length=40, help_text="email, slack, webhook (env vars) or channel:<id> (admin)."
    )
    channel = models.ForeignKey(
        NotificationChannel, null=True, blank=True, on_delete=models.SET_NULL
    )
    channel_label = models.CharField(max_length=120)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deliveries",
    )
    address = models.CharField(max_length=500, blank=True, help_text="Where it went.")
    kind = models.CharField(max_length=40)
    key = models.CharField(max_length=200, blank=True)
    item = models.ForeignKey(
        "actions.ActionItem",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deliveries",
    )
    subject = models.CharField(max_length=300)
    text = models.TextField()
    status = models.CharField(max_length=10, choices=STATUS_CHOICES)
    error = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    last_attempt_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-last_attempt_at", "-id"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["channel_key", "recipient", "key"],
                condition=~models.Q(key=""),
                name="unique_delivery_key",
            )
        ]
        indexes = [models.Index(fields=["status", "last_attempt_at"], name="delivery_status")]

    def __str__(self) -> str:
        return f"{self.kind} to {self.address or self.channel_label}: {self.status}"
