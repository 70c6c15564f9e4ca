"""Chat workspaces in the admin: secrets are saved encrypted and never shown back."""

from __future__ import annotations

import json

from secondstory.accounts.models import User
from secondstory.chat.models import ChatWorkspace
from tests.apps.conftest import client_for


def test_secrets_are_write_only(db: None) -> None:
    root = User.objects.create_superuser("root", "root@example.com", "x")
    client = client_for(root)
    form = {
        "platform": "slack", "team_id": "T0TEAM", "name": "Acme", "enabled": "on",
        "api_base_url": "https://slack.com/api", "capture_emoji": "pushpin",
        "new_signing_secret": "s3cret-signing", "new_bot_token": "xoxb-111",
    }  # fmt: skip
    refused = client.post("/admin/chat/chatworkspace/add/", {**form, "new_signing_secret": ""})
    assert "Slack requests cannot be checked without it." in refused.content.decode()
    response = client.post("/admin/chat/chatworkspace/add/", form)
    assert response.status_code == 302, response.content
    workspace = ChatWorkspace.objects.get()
    assert workspace.signing_secret == "s3cret-signing"
    assert "s3cret-signing" not in workspace.signing_secret_encrypted
    page = client.get(f"/admin/chat/chatworkspace/{workspace.pk}/change/").content.decode()
    assert "s3cret-signing" not in page and "xoxb-111" not in page
    assert "Signing secret, Bot token" in page
    form.pop("new_bot_token")
    form["clear_new_bot_token"] = "on"
    client.post(f"/admin/chat/chatworkspace/{workspace.pk}/change/", form)
    workspace.refresh_from_db()
    assert (workspace.bot_token, workspace.signing_secret) == ("", "s3cret-signing")


def test_people_who_are_not_admins_cannot_open_it(alice: User) -> None:
    response = client_for(alice).get("/admin/chat/chatworkspace/")
    assert response.status_code == 302  # to the admin's sign-in


def test_the_audit_log_records_workspaces_without_their_secrets(db: None) -> None:
    from secondstory.audit.models import AuditEvent

    workspace = ChatWorkspace(platform="slack", team_id="T0TEAM", name="Acme")
    workspace.signing_secret = "s3cret-signing"
    workspace.save()
    event = AuditEvent.objects.get(object_type="chat.chatworkspace", action="create")
    assert event.object_label == "Acme"
    assert "s3cret" not in json.dumps(event.after)
    assert event.after["signing_secret_encrypted"] != workspace.signing_secret_encrypted
