"""The account page: profile, time zone, password change; local passwords switched off."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import authenticate
from django.test import Client

from secondstory.accounts.models import SingleSignOnIdentity, User
from tests.apps.conftest import PASSWORD, client_for

ACCOUNT = "/account/"
NEW_PASSWORD = "a different long passphrase"


def test_the_page_needs_a_login_and_is_linked_from_every_page(alice: User) -> None:
    assert Client().get(ACCOUNT)["Location"] == f"/login/?next={ACCOUNT}"
    html = client_for(alice).get("/").content.decode()
    assert '<a class="account-link" href="/account/">' in html


def test_display_name_e_mail_and_time_zone_are_saved(alice: User) -> None:
    client = client_for(alice)
    response = client.post(
        "/account/profile/",
        {"display_name": "Alice O.", "email": "a.owner@example.com", "time_zone": "Europe/Berlin"},
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert (alice.display_name, alice.email, alice.time_zone) == (
        "Alice O.",
        "a.owner@example.com",
        "Europe/Berlin",
    )
    html = client.get(ACCOUNT).content.decode()
    assert "Your profile is saved." in html
    assert '<option value="Europe/Berlin" selected>' in html


def test_an_unknown_time_zone_is_refused(alice: User) -> None:
    response = client_for(alice).post(
        "/account/profile/", {"display_name": "X", "email": "", "time_zone": "Mars/Olympus"}
    )
    assert response.status_code == 400
    assert "Time zone: Select a valid choice." in response.content.decode()
    alice.refresh_from_db()
    assert (alice.display_name, alice.time_zone) == ("Alice Owner", "")


def test_a_single_sign_on_account_keeps_the_providers_e_mail(alice: User) -> None:
    SingleSignOnIdentity.objects.create(user=alice, issuer="https://idp.example", subject="a1")
    client = client_for(alice)
    assert 'name="email"' not in client.get(ACCOUNT).content.decode()
    client.post("/account/profile/", {"display_name": "A", "email": "x@evil.example"})
    alice.refresh_from_db()
    assert alice.email == "alice@example.com"


def test_changing_the_password(alice: User) -> None:
    client = client_for(alice)
    other_session = client_for(alice)
    response = client.post(
        "/account/password/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert authenticate(username="alice", password=NEW_PASSWORD) == alice
    assert client.get(ACCOUNT).status_code == 200  # this session stays signed in
    assert other_session.get(ACCOUNT).status_code == 302  # the others are signed out


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("wrong", NEW_PASSWORD, "Your old password was entered incorrectly."),
        (PASSWORD, "short", "This password is too short."),
        (PASSWORD, "password123", "This password is too common."),
    ],
)
def test_a_bad_password_change_is_refused(alice: User, old: str, new: str, message: str) -> None:
    response = client_for(alice).post(
        "/account/password/", {"old_password": old, "new_password1": new, "new_password2": new}
    )
    assert response.status_code == 400
    assert message in response.content.decode().replace("&#x27;", "'")
    assert authenticate(username="alice", password=PASSWORD) == alice


def test_accounts_without_a_password_cannot_set_one_here(alice: User) -> None:
    alice.set_unusable_password()
    alice.save()
    client = client_for(alice)
    assert "Change password" not in client.get(ACCOUNT).content.decode()
    response = client.post(
        "/account/password/",
        {"old_password": "", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 404


@pytest.fixture
def sso_only(settings: Any) -> None:
    settings.SECONDSTORY_OIDC_ISSUER = "https://idp.example"
    settings.SECONDSTORY_OIDC_CLIENT_ID = "secondstory"
    settings.SECONDSTORY_LOCAL_PASSWORDS = False
    settings.EMAIL_HOST = "127.0.0.1"


def test_with_local_passwords_off_only_single_sign_on_signs_in(alice: User, sso_only: None) -> None:
    html = Client().get("/login/").content.decode()
    assert "Log in with single sign-on" in html
    assert 'name="password"' not in html and "Forgot your password?" not in html
    client = Client()
    response = client.post("/login/", {"username": "alice", "password": PASSWORD})
    assert response.status_code == 200
    assert client.get(ACCOUNT).status_code == 302
    assert authenticate(username="alice", password=PASSWORD) is None
    assert Client().get("/password-reset/").status_code == 404
    signed_in = client_for(alice)
    assert "Change password" not in signed_in.get(ACCOUNT).content.decode()
    response = signed_in.post(
        "/account/password/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 404


def test_admins_see_people_tokens_and_identities_in_the_admin(alice: User, bob: User) -> None:
    from secondstory.accounts.tokens import create_token

    alice.is_staff = alice.is_superuser = True
    alice.save()
    token = create_token(bob, name="bob's script", scopes=["read"], expires_at=None)
    SingleSignOnIdentity.objects.create(user=bob, issuer="https://idp.example", subject="b1")
    client = client_for(alice)
    html = client.get(f"/admin/accounts/user/{bob.pk}/change/").content.decode()
    assert 'name="role"' in html and 'name="time_zone"' in html
    assert "bob&#x27;s script" in client.get("/admin/accounts/apitoken/").content.decode()
    assert "b1" in client.get("/admin/accounts/singlesignonidentity/").content.decode()
    assert client.get("/admin/accounts/apitoken/add/").status_code == 403
    response = client.post(
        "/admin/accounts/apitoken/",
        {"action": "revoke_tokens", "_selected_action": [token.token.pk]},
    )
    assert response.status_code == 302
    token.token.refresh_from_db()
    assert token.token.revoked_at is not None
