"""Outgoing webhooks: the endpoints admins add, and one row per event and endpoint."""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models

#: The events an endpoint may subscribe to (their payloads: ``outgoing.payloads``).
EVENT_KINDS = [
    ("incident.created", "Incident created"),
    ("postmortem.review_requested", "Review requested"),
    ("postmortem.published", "Postmortem published"),
    ("action_item.created", "Action item created"),
    ("action_item.overdue", "Action item overdue"),
    ("action_item.done", "Action item done"),
]
KIND_CODES = frozenset(code for code, _ in EVENT_KINDS)
#: What "Send test" sends; every endpoint gets it, whatever it subscribes to.
TEST_KIND = "ping"


def new_secret() -> str:
    return "whsec_" + secrets.token_hex(24)


class WebhookEndpoint(models.Model):
    """A URL that receives signed JSON events of the kinds it subscribes to."""

    name = models.CharField(max_length=100, unique=True)
    url = models.URLField(max_length=500, help_text="Where events are POSTed (http or https).")
    secret = models.CharField(
        max_length=200,
        default=new_secret,
        help_text="Signs every delivery (X-Secondstory-Signature); give it to the receiver.",
    )
    kinds = models.JSONField(
        default=list, blank=True, help_text="Event kinds sent here (see docs/webhooks.md)."
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, str] = {}
        try:
            URLValidator(schemes=["http", "https"])(self.url.strip())
        except ValidationError:
            errors["url"] = "a webhook needs an http(s) URL"
        if not isinstance(self.kinds, list) or not all(isinstance(k, str) for k in self.kinds):
            errors["kinds"] = "a list of event kinds"
        elif set(self.kinds) - KIND_CODES:
            unknown = sorted(set(self.kinds) - KIND_CODES)
            errors["kinds"] = (
                f"unknown event kinds {unknown}; known: {', '.join(sorted(KIND_CODES))}"
            )
        if len(self.secret.strip()) < 16:
            errors["secret"] = "a signing secret has at least 16 characters"
        if errors:
            raise ValidationError(errors)
        self.url, self.secret = self.url.strip(), self.secret.strip()


class WebhookDelivery(models.Model):
    """One event for one endpoint, from queued to delivered or given up.

    Written (``pending``) in the transaction of the change that caused it. The worker claims
    a row by switching it to ``sending`` with a lease in one conditional UPDATE, so two
    overlapping runs never send it twice; a failed try waits ``next_attempt_at`` (doubling
    each time) and is given up (``failed``) after the configured number of tries.
    """

    STATUS_CHOICES = [
        ("pending", "Pending"),
        ("sending", "Sending"),
        ("retrying", "Failed, retried later"),
        ("delivered", "Delivered"),
        ("failed", "Failed, given up"),
    ]

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event_id = models.CharField(max_length=40, help_text="The payload's id (same on retries).")
    kind = models.CharField(max_length=40)
    key = models.CharField(max_length=200, help_text="One delivery per endpoint and key.")
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=STATUS_CHOICES, default="pending")
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    claimed_until = models.DateTimeField(null=True, blank=True)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "key"], name="one_webhook_per_key")
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due")]

    def __str__(self) -> str:
        return f"{self.kind} to {self.endpoint_id}: {self.status}"
