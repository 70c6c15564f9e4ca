"""Tokens and webhook secrets are encrypted at rest and never shown by the admin."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import connection as db
from django.urls import reverse

from secondstory.accounts.models import User
from secondstory.actions.models import ActionItem
from secondstory.trackers import crypto
from secondstory.trackers.crypto import CredentialError
from secondstory.trackers.models import TrackerConnection, TrackerLink
from secondstory.trackers.services import log
from tests.apps.conftest import client_for

TOKEN = "ghp_0123456789abcdefTOKEN"
SECRET = "hook-secret-42"


def raw_columns(pk: int) -> tuple[str, str]:
    with db.cursor() as cursor:
        cursor.execute(
            "SELECT token_encrypted, webhook_secret_encrypted FROM trackers_trackerconnection "
            "WHERE id = %s",
            [pk],
        )
        row = cursor.fetchone()
    return str(row[0]), str(row[1])


@pytest.fixture
def stored(db: None) -> TrackerConnection:
    connection = TrackerConnection(
        kind="github", name="GitHub", base_url="https://api.github.com", project="acme/checkout"
    )
    connection.token = TOKEN
    connection.webhook_secret = SECRET
    connection.save()
    return connection


def test_credentials_are_not_stored_in_clear(stored: TrackerConnection) -> None:
    token, secret = raw_columns(stored.pk)
    assert TOKEN not in token and SECRET not in secret
    assert token and secret
    fresh = TrackerConnection.objects.get(pk=stored.pk)
    assert (fresh.token, fresh.webhook_secret) == (TOKEN, SECRET)
    assert fresh.has_token and fresh.has_webhook_secret


def test_configured_key_is_used(settings: Any, stored: TrackerConnection) -> None:
    settings.SECONDSTORY_TRACKER_KEY = "a passphrase of the operator"
    with pytest.raises(CredentialError, match="SECONDSTORY_TRACKER_KEY"):
        TrackerConnection.objects.get(pk=stored.pk).token  # noqa: B018
    stored.token = TOKEN
    stored.save()
    assert TrackerConnection.objects.get(pk=stored.pk).token == TOKEN
    settings.SECONDSTORY_TRACKER_KEY = ""
    with pytest.raises(CredentialError):
        TrackerConnection.objects.get(pk=stored.pk).token  # noqa: B018


def test_a_fernet_key_is_taken_as_it_is(settings: Any) -> None:
    from cryptography.fernet import Fernet

    key = Fernet.generate_key()
    settings.SECONDSTORY_TRACKER_KEY = key.decode()
    assert Fernet(key).decrypt(crypto.encrypt("x").encode()) == b"x"
    assert crypto.encrypt("") == "" and crypto.decrypt("") == ""


@pytest.fixture
def staff(alice: User) -> User:
    alice.is_staff = alice.is_superuser = True
    alice.save()
    return alice


def test_admin_shows_whether_a_token_is_set_never_the_token(
    staff: User, stored: TrackerConnection
) -> None:
    client = client_for(staff)
    change = reverse("admin:trackers_trackerconnection_change", args=[stored.pk])
    html = client.get(change).content.decode()
    assert TOKEN not in html and SECRET not in html
    assert raw_columns(stored.pk)[0] not in html
    assert "Token set" in html
    assert f"/trackers/hooks/{stored.pk}/" in html
    listing = client.get(reverse("admin:trackers_trackerconnection_changelist")).content.decode()
    assert TOKEN not in listing


def test_every_tracker_model_has_a_working_admin_list(
    staff: User, stored: TrackerConnection, item: ActionItem
) -> None:
    link = TrackerLink.objects.create(
        item=item, connection=stored, external_id="7", external_key="acme/checkout#7",
        url="https://github.com/acme/checkout/issues/7", state="open",
    )  # fmt: skip
    log(item, link=link, direction="create", reason="GitHub issue acme/checkout#7 created")
    client = client_for(staff)
    for model in apps.get_app_config("trackers").get_models():
        assert model in admin.site._registry, model
        path = reverse(f"admin:trackers_{model._meta.model_name}_changelist")
        for query in ({}, {"q": "checkout"}):
            response = client.get(path, query)
            assert response.status_code == 200, path
            assert TOKEN not in response.content.decode()
    html = client.get(reverse("admin:trackers_synclog_changelist")).content.decode()
    assert "GitHub issue acme/checkout#7 created" in html


def form_data(**extra: str) -> dict[str, str]:
    return {
        "name": "GitHub", "kind": "github", "base_url": "https://api.github.com",
        "project": "acme/checkout", "account": "", "issue_type": "", "enabled": "on",
        "new_token": "", "new_webhook_secret": "", **extra,
    }  # fmt: skip


def test_admin_keeps_replaces_and_clears_the_token(staff: User, stored: TrackerConnection) -> None:
    client = client_for(staff)
    change = reverse("admin:trackers_trackerconnection_change", args=[stored.pk])
    assert client.post(change, form_data()).status_code == 302
    assert TrackerConnection.objects.get(pk=stored.pk).token == TOKEN
    assert client.post(change, form_data(new_token="new-token")).status_code == 302
    assert TrackerConnection.objects.get(pk=stored.pk).token == "new-token"
    assert "new-token" not in raw_columns(stored.pk)[0]
    assert client.post(change, form_data(clear_webhook_secret="on")).status_code == 302
    fresh = TrackerConnection.objects.get(pk=stored.pk)
    assert fresh.webhook_secret == "" and fresh.token == "new-token"


def test_admin_names_the_field_in_errors(staff: User) -> None:
    client = client_for(staff)
    add = reverse("admin:trackers_trackerconnection_add")
    html = client.post(add, form_data(kind="jira", project="PAY")).content.decode()
    assert "Jira needs the email address the API token belongs to." in html
    html = client.post(add, form_data(project="checkout")).content.decode()
    assert "GitHub needs owner/repo." in html
    assert not TrackerConnection.objects.exists()
