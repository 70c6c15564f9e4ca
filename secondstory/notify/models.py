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
    """One notification to one channel, from queued to sent or given up.

    A row is written (``pending``) before anything is sent. A sender claims it by switching it
    to ``sending`` with a lease (``claimed_until``) in one conditional UPDATE, so two runs never
    send the same row; a claim whose sender died is taken over once its lease has passed. A
    failed try leaves it ``retrying`` until ``MAX_ATTEMPTS`` tries have failed, then ``failed``
    for good (the admin lists it).

    With a ``key`` there is one row per (channel, recipient, key): the same key is never
    delivered to that channel twice.
    """

    STATUS_CHOICES = [
        ("pending", "Pending"),
        ("sending", "Sending"),
        ("retrying", "Failed, retried next run"),
        ("sent", "Sent"),
        ("failed", "Failed, given up"),
    ]
    # States a sender may still claim (``sending`` only once its lease has passed).
    OPEN_STATES = ("pending", "sending", "retrying")

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
    calendar = models.TextField(
        blank=True, help_text="An iCalendar invite sent as an attachment (review meetings)."
    )
    status = models.CharField(max_length=10, choices=STATUS_CHOICES, default="pending")
    error = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    last_attempt_at = models.DateTimeField()
    claimed_until = models.DateTimeField(
        null=True, blank=True, help_text="While sending: when another run may take it over."
    )
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


class WorkerHeartbeat(models.Model):
    """The last sign of life of one ``secondstory worker`` process (``/readyz`` reads them).

    A row in the database rather than a file: the web servers that answer ``/readyz`` and
    the workers may run on different machines or containers, and the database is the one
    thing they all share.
    """

    worker_id = models.CharField(max_length=64, unique=True)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    beat_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-beat_at"]

    def __str__(self) -> str:
        return f"worker {self.host}:{self.pid} last seen {self.beat_at:%Y-%m-%d %H:%M:%S}"
