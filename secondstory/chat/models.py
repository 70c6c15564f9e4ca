"""Chat workspaces that may capture timeline events, and the channels linked to incidents.

Secrets (Slack's signing secret and bot token, Mattermost's command and webhook tokens) are
stored encrypted like the tracker credentials and are never shown again once saved.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from secondstory.trackers import crypto

SLACK = "slack"
MATTERMOST = "mattermost"
SLACK_API = "https://slack.com/api"


class ChatWorkspace(models.Model):
    """A Slack workspace or a Mattermost team whose ``/postmortem`` requests are accepted."""

    PLATFORM_CHOICES = [(SLACK, "Slack"), (MATTERMOST, "Mattermost")]

    platform = models.CharField(max_length=12, choices=PLATFORM_CHOICES)
    team_id = models.CharField(
        max_length=64,
        help_text="Slack: the workspace id (T…); Mattermost: the team id sent with commands.",
    )
    name = models.CharField(max_length=100, help_text="What people call the workspace or team.")
    signing_secret_encrypted = models.TextField(blank=True, editable=False)
    bot_token_encrypted = models.TextField(blank=True, editable=False)
    command_token_encrypted = models.TextField(blank=True, editable=False)
    webhook_token_encrypted = models.TextField(blank=True, editable=False)
    api_base_url = models.URLField(
        max_length=300,
        default=SLACK_API,
        help_text="Slack only: the Web API the bot token is used against (https://slack.com/api).",
    )
    capture_emoji = models.CharField(
        max_length=100,
        default="pushpin",
        help_text="Slack only: reacting with this emoji (its name, without colons) adds the "
        "message to the linked incident's timeline.",
    )
    integration_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Acts for chat users who match no secondstory account (by e-mail or "
        "username). Empty: such people are refused.",
    )
    match_usernames = models.BooleanField(
        default=False,
        help_text="Also take a chat user whose e-mail address is unknown for the secondstory "
        "account with the same username. Only when both get their usernames from the same "
        "directory (SSO): anyone who can choose a chat username could otherwise act as that "
        "account.",
    )
    default_severity = models.ForeignKey(
        "incidents.Severity",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Severity of incidents declared with /postmortem start TITLE "
        "(empty: the least severe).",
    )
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["platform", "name"]
        constraints = [
            models.UniqueConstraint(fields=["platform", "team_id"], name="one_chat_workspace")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_platform_display()})"

    def _secret(self, field: str) -> str:
        return crypto.decrypt(getattr(self, field))

    @property
    def signing_secret(self) -> str:
        return self._secret("signing_secret_encrypted")

    @signing_secret.setter
    def signing_secret(self, value: str) -> None:
        self.signing_secret_encrypted = crypto.encrypt(value)

    @property
    def bot_token(self) -> str:
        return self._secret("bot_token_encrypted")

    @bot_token.setter
    def bot_token(self, value: str) -> None:
        self.bot_token_encrypted = crypto.encrypt(value)

    @property
    def command_token(self) -> str:
        return self._secret("command_token_encrypted")

    @command_token.setter
    def command_token(self, value: str) -> None:
        self.command_token_encrypted = crypto.encrypt(value)

    @property
    def webhook_token(self) -> str:
        return self._secret("webhook_token_encrypted")

    @webhook_token.setter
    def webhook_token(self, value: str) -> None:
        self.webhook_token_encrypted = crypto.encrypt(value)


class ChannelLink(models.Model):
    """A chat channel whose notes and pinned messages go to one incident's timeline."""

    workspace = models.ForeignKey(ChatWorkspace, on_delete=models.CASCADE, related_name="links")
    channel_id = models.CharField(max_length=64)
    channel_name = models.CharField(max_length=200, blank=True)
    incident = models.ForeignKey(
        "incidents.Incident", on_delete=models.CASCADE, related_name="chat_links"
    )
    linked_by = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["workspace", "channel_name"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "channel_id"], name="one_link_per_channel")
        ]

    def __str__(self) -> str:
        return f"#{self.channel_name or self.channel_id} → {self.incident_id}"


class ChatDelivery(models.Model):
    """An Events API delivery already handled: Slack retries one it thinks was lost, with the
    same ``event_id``, and a retry must change nothing."""

    workspace = models.ForeignKey(
        ChatWorkspace, on_delete=models.CASCADE, related_name="deliveries"
    )
    event_id = models.CharField(max_length=100)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "event_id"], name="one_chat_delivery")
        ]

    def __str__(self) -> str:
        return self.event_id
