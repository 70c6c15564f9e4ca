"""Issue tracker connections, the issues linked to action items, and the sync log."""

from __future__ import annotations

from django.db import models

from secondstory.trackers import crypto

DEFAULT_BASE_URLS = {
    "github": "https://api.github.com",
    "gitlab": "https://gitlab.com/api/v4",
    "jira": "https://your-site.atlassian.net",
    "linear": "https://api.linear.app/graphql",
}


class TrackerConnection(models.Model):
    """One tracker project the organisation files action items into."""

    KIND_CHOICES = [
        ("github", "GitHub"),
        ("gitlab", "GitLab"),
        ("jira", "Jira Cloud"),
        ("linear", "Linear"),
    ]

    kind = models.CharField(max_length=10, choices=KIND_CHOICES)
    name = models.CharField(max_length=100, unique=True)
    base_url = models.URLField(
        max_length=300,
        help_text=(
            "GitHub: https://api.github.com; GitLab: https://gitlab.com/api/v4 (or your "
            "instance's /api/v4); Jira: https://<site>.atlassian.net; "
            "Linear: https://api.linear.app/graphql."
        ),
    )
    project = models.CharField(
        max_length=200,
        help_text=(
            "GitHub: owner/repo; GitLab: project id or path (group/project); "
            "Jira: project key; Linear: team id."
        ),
    )
    account = models.CharField(
        max_length=200,
        blank=True,
        help_text="Jira only: the email address of the account the API token belongs to.",
    )
    issue_type = models.CharField(
        max_length=100, blank=True, default="", help_text="Jira only: issue type (default Task)."
    )
    token_encrypted = models.TextField(blank=True, editable=False)
    webhook_secret_encrypted = models.TextField(blank=True, editable=False)
    enabled = models.BooleanField(default=True)
    paused_until = models.DateTimeField(
        null=True, blank=True, help_text="Rate limited by the tracker: pull sync waits until then."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"

    @property
    def token(self) -> str:
        return crypto.decrypt(self.token_encrypted)

    @token.setter
    def token(self, value: str) -> None:
        self.token_encrypted = crypto.encrypt(value)

    @property
    def webhook_secret(self) -> str:
        return crypto.decrypt(self.webhook_secret_encrypted)

    @webhook_secret.setter
    def webhook_secret(self, value: str) -> None:
        self.webhook_secret_encrypted = crypto.encrypt(value)

    @property
    def has_token(self) -> bool:
        return bool(self.token_encrypted)

    @property
    def has_webhook_secret(self) -> bool:
        return bool(self.webhook_secret_encrypted)


class TrackerLink(models.Model):
    """An action item's issue in a tracker."""

    item = models.ForeignKey(
        "actions.ActionItem", on_delete=models.CASCADE, related_name="tracker_links"
    )
    connection = models.ForeignKey(
        TrackerConnection, on_delete=models.PROTECT, related_name="links"
    )
    external_id = models.CharField(
        max_length=200, help_text="The tracker's id of the issue (number, iid, key or uuid)."
    )
    external_key = models.CharField(max_length=200, help_text="What people call it: #12, PAY-7.")
    url = models.URLField(max_length=500)
    state = models.CharField(max_length=20, help_text="Last known state: open or closed.")
    last_synced_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["connection", "external_id"], name="unique_tracker_issue"
            ),
            models.UniqueConstraint(fields=["item", "connection"], name="one_issue_per_tracker"),
        ]

    def __str__(self) -> str:
        return f"{self.item} ↔ {self.external_key}"


class SyncLog(models.Model):
    """What a sync did to an action item, and why (or why it failed)."""

    DIRECTION_CHOICES = [("create", "Create"), ("inbound", "Inbound"), ("pull", "Pull")]
    OUTCOME_CHOICES = [("ok", "OK"), ("failed", "Failed")]

    item = models.ForeignKey(
        "actions.ActionItem", on_delete=models.CASCADE, related_name="sync_logs"
    )
    link = models.ForeignKey(
        TrackerLink, on_delete=models.SET_NULL, null=True, blank=True, related_name="logs"
    )
    at = models.DateTimeField()
    direction = models.CharField(max_length=10, choices=DIRECTION_CHOICES)
    old_status = models.CharField(max_length=20, blank=True)
    new_status = models.CharField(max_length=20, blank=True)
    reason = models.CharField(max_length=300)
    outcome = models.CharField(max_length=10, choices=OUTCOME_CHOICES)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["item", "at"], name="synclog_item_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.direction} {self.outcome}: {self.reason}"

    @property
    def changed(self) -> bool:
        return self.old_status != self.new_status


class WebhookDelivery(models.Model):
    """A webhook delivery already received, by the tracker's delivery id: the same delivery
    sent again (a retry or a replay) changes nothing twice."""

    connection = models.ForeignKey(
        TrackerConnection, on_delete=models.CASCADE, related_name="deliveries"
    )
    delivery_id = models.CharField(max_length=200)
    received_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["connection", "delivery_id"], name="unique_webhook_delivery"
            )
        ]

    def __str__(self) -> str:
        return f"{self.connection_id}:{self.delivery_id}"
