"""Admin: chat workspaces (secrets are write-only) and the channels linked to incidents."""

from __future__ import annotations

from django import forms
from django.contrib import admin

from secondstory.chat.models import ChannelLink, ChatWorkspace

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


class WorkspaceForm(forms.ModelForm):  # type: ignore[type-arg]
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
            "integration_user", "default_severity",
        ]  # fmt: skip

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for field, _, label, help_text in _SECRETS:
            self.fields[field] = forms.CharField(
                label=label, required=False, strip=True,
                widget=forms.PasswordInput(render_value=False),
                help_text=f"{help_text} Leave empty to keep it; stored encrypted, never shown.",
            )  # fmt: skip
            self.fields[f"clear_{field}"] = forms.BooleanField(
                label=f"Remove the {label.lower()}", required=False
            )

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
