"""Admin: tracker connections (tokens are write-only), links and the sync log."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse

from secondstory.trackers.models import SyncLog, TrackerConnection, TrackerLink, WebhookDelivery


class ConnectionForm(forms.ModelForm):  # type: ignore[type-arg]
    base_url = forms.URLField(
        label="Base URL",
        max_length=300,
        assume_scheme="https",
        help_text=TrackerConnection._meta.get_field("base_url").help_text,
    )
    new_token = forms.CharField(
        label="Token",
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False),
        help_text="Leave empty to keep the current token. Stored encrypted; never shown again.",
    )
    clear_token = forms.BooleanField(label="Remove the token", required=False)
    new_webhook_secret = forms.CharField(
        label="Webhook secret",
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False),
        help_text="The secret the tracker signs webhooks with. Leave empty to keep it.",
    )
    clear_webhook_secret = forms.BooleanField(label="Remove the webhook secret", required=False)

    class Meta:
        model = TrackerConnection
        fields = ["name", "kind", "base_url", "project", "account", "issue_type", "enabled"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == "jira" and not data.get("account"):
            self.add_error("account", "Jira needs the email address the API token belongs to.")
        if data.get("kind") == "github" and "/" not in (data.get("project") or ""):
            self.add_error("project", "GitHub needs owner/repo.")
        return data

    def save(self, commit: bool = True) -> TrackerConnection:
        connection: TrackerConnection = super().save(commit=False)
        if self.cleaned_data.get("clear_token"):
            connection.token = ""
        elif self.cleaned_data.get("new_token"):
            connection.token = self.cleaned_data["new_token"]
        if self.cleaned_data.get("clear_webhook_secret"):
            connection.webhook_secret = ""
        elif self.cleaned_data.get("new_webhook_secret"):
            connection.webhook_secret = self.cleaned_data["new_webhook_secret"]
        if commit:
            connection.save()
        return connection


@admin.register(TrackerConnection)
class TrackerConnectionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = ConnectionForm
    list_display = ("name", "kind", "project", "enabled", "token_set", "secret_set", "paused_until")
    list_filter = ("kind", "enabled")
    search_fields = ("name", "project")
    readonly_fields = ("token_set", "secret_set", "webhook_url", "paused_until")
    fields = (
        "name", "kind", "base_url", "project", "account", "issue_type", "enabled",
        "token_set", "new_token", "clear_token",
        "secret_set", "new_webhook_secret", "clear_webhook_secret",
        "webhook_url", "paused_until",
    )  # fmt: skip

    @admin.display(boolean=True, description="Token set")
    def token_set(self, connection: TrackerConnection) -> bool:
        return connection.has_token

    @admin.display(boolean=True, description="Webhook secret set")
    def secret_set(self, connection: TrackerConnection) -> bool:
        return connection.has_webhook_secret

    @admin.display(description="Webhook address (path)")
    def webhook_url(self, connection: TrackerConnection) -> str:
        if connection.pk is None:
            return "shown once saved"
        return reverse("trackers:hook", args=[connection.pk])


@admin.register(TrackerLink)
class TrackerLinkAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("external_key", "item", "connection", "state", "last_synced_at")
    list_filter = ("connection", "state")
    list_select_related = ("item", "connection")
    search_fields = ("external_key", "external_id", "item__title", "item__postmortem__key")
    raw_id_fields = ("item",)


@admin.register(SyncLog)
class SyncLogAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("at", "item", "direction", "old_status", "new_status", "outcome", "reason")
    list_filter = ("direction", "outcome")
    list_select_related = ("item",)
    search_fields = ("reason", "error", "item__title", "item__postmortem__key")
    raw_id_fields = ("item", "link")
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Deliveries received (kept to refuse replays); read-only."""

    list_display = ("received_at", "connection", "delivery_id")
    list_filter = ("connection",)
    list_select_related = ("connection",)
    search_fields = ("delivery_id",)
    date_hierarchy = "received_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
