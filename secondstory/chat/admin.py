"""Admin: chat workspaces (secrets are write-only) and the channels linked to incidents."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin

from secondstory.chat.models import MATTERMOST, SLACK, ChannelLink, ChatWorkspace

# (form field, model property, label, help)
_SECRETS = (
    ("new_signing_secret", "signing_secret", "Signing secret",
     "Slack: Basic Information → App Credentials → Signing Secret."),
    ("new_bot_token", "bot_token", "Bot token",
     "Slack: the xoxb- token (OAuth & Permissions), used to read pinned messages and people."),
    ("new_command_token", "command_token", "Slash command token",
     "Mattermost: the token shown when the /postmortem slash command was created."),
    ("new_webhook_token", "webhook_token", "Outgoing webhook token",
     "Mattermost: the token shown when the outgoing webhook was created."),
)  # fmt: skip


def _secret_field(label: str, help_text: str) -> forms.CharField:
    return forms.CharField(
        label=label, required=False, strip=True, widget=forms.PasswordInput(render_value=False),
        help_text=f"{help_text} Leave empty to keep it; stored encrypted, never shown.",
    )  # fmt: skip


class WorkspaceForm(forms.ModelForm):  # type: ignore[type-arg]
    new_signing_secret = _secret_field(*_SECRETS[0][2:])
    clear_new_signing_secret = forms.BooleanField(label="Remove the signing secret", required=False)
    new_bot_token = _secret_field(*_SECRETS[1][2:])
    clear_new_bot_token = forms.BooleanField(label="Remove the bot token", required=False)
    new_command_token = _secret_field(*_SECRETS[2][2:])
    clear_new_command_token = forms.BooleanField(
        label="Remove the slash command token", required=False
    )
    new_webhook_token = _secret_field(*_SECRETS[3][2:])
    clear_new_webhook_token = forms.BooleanField(
        label="Remove the outgoing webhook token", required=False
    )
    api_base_url = forms.URLField(
        label="Slack Web API",
        max_length=300,
        assume_scheme="https",
        initial="https://slack.com/api",
        help_text=ChatWorkspace._meta.get_field("api_base_url").help_text,
    )

    class Meta:
        model = ChatWorkspace
        fields = [
            "platform", "team_id", "name", "enabled", "api_base_url", "capture_emoji",
            "integration_user", "match_usernames", "default_severity",
        ]  # fmt: skip

    def _will_have(self, field: str) -> bool:
        if self.cleaned_data.get(f"clear_{field}"):
            return False
        stored = getattr(self.instance, f"{field.removeprefix('new_')}_encrypted", "")
        return bool(self.cleaned_data.get(field) or stored)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("platform") == SLACK and not self._will_have("new_signing_secret"):
            self.add_error("new_signing_secret", "Slack requests cannot be checked without it.")
        if data.get("platform") == MATTERMOST and not (
            self._will_have("new_command_token") or self._will_have("new_webhook_token")
        ):
            self.add_error(
                "new_command_token", "Mattermost needs the slash command's or webhook's token."
            )
        return data

    def save(self, commit: bool = True) -> ChatWorkspace:
        workspace: ChatWorkspace = super().save(commit=False)
        for field, prop, _, _ in _SECRETS:
            if self.cleaned_data.get(f"clear_{field}"):
                setattr(workspace, prop, "")
            elif self.cleaned_data.get(field):
                setattr(workspace, prop, self.cleaned_data[field])
        if commit:
            workspace.save()
        return workspace


@admin.register(ChatWorkspace)
class ChatWorkspaceAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = WorkspaceForm
    list_display = ("name", "platform", "team_id", "enabled", "secrets_set", "integration_user")
    list_filter = ("platform", "enabled")
    search_fields = ("name", "team_id")

    def get_fields(self, request: object, obj: ChatWorkspace | None = None) -> list[str]:
        fields = list(WorkspaceForm.Meta.fields)
        for field, *_ in _SECRETS:
            fields += [field, f"clear_{field}"]
        return [*fields, "secrets_set"]

    readonly_fields = ("secrets_set",)

    @admin.display(description="Secrets set")
    def secrets_set(self, obj: ChatWorkspace) -> str:
        names = [
            label for field, _, label, _ in _SECRETS
            if getattr(obj, f"{field.removeprefix('new_')}_encrypted")
        ]  # fmt: skip
        return ", ".join(names) or "none"


@admin.register(ChannelLink)
class ChannelLinkAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = (
        "channel_name",
        "channel_id",
        "workspace",
        "incident",
        "linked_by",
        "created_at",
    )
    list_filter = ("workspace",)
    search_fields = ("channel_name", "channel_id", "incident__key")
    raw_id_fields = ("incident",)
