"""Personal API tokens: shown once, stored as a digest, scoped, expiring, revocable."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from secondstory.accounts import tokens
from secondstory.accounts.models import ApiToken, TokenScope, User
from tests.apps.conftest import client_for

ACCOUNT = "/account/"


def test_a_new_token_authenticates_and_only_its_digest_is_stored(alice: User) -> None:
    new = tokens.create_token(alice, name="deploy pipeline", scopes=["read"], expires_at=None)
    assert new.raw.startswith("ss_") and len(new.raw) == 46
    stored = ApiToken.objects.get()
    assert new.raw not in (stored.token_hash, stored.hint)
    assert stored.token_hash == tokens.token_digest(new.raw)
    found = tokens.authenticate_token(new.raw)
    assert found is not None and found.pk == stored.pk and found.user == alice
    assert found.allows(TokenScope.READ) and not found.allows(TokenScope.WRITE)


@pytest.mark.parametrize("raw", ["", "ss_", "ss_unknown", "no-prefix", "ss_" + "a" * 43])
def test_unknown_secrets_authenticate_nobody(alice: User, raw: str) -> None:
    tokens.create_token(alice, name="ci", scopes=["read"], expires_at=None)
    assert tokens.authenticate_token(raw) is None


def test_write_includes_read() -> None:
    token = ApiToken(scopes=["write"])
    assert token.allows("read") and token.allows("write")
    assert not ApiToken(scopes=[]).allows("read")


def test_revoked_expired_and_inactive_tokens_stop_working(alice: User, bob: User) -> None:
    revoked = tokens.create_token(alice, name="old", scopes=["read"], expires_at=None)
    tokens.revoke(revoked.token)
    assert tokens.authenticate_token(revoked.raw) is None

    soon = timezone.now() + timedelta(days=1)
    expiring = tokens.create_token(alice, name="short", scopes=["read"], expires_at=soon)
    assert tokens.authenticate_token(expiring.raw) is not None
    with time_machine.travel(soon + timedelta(seconds=1)):
        assert tokens.authenticate_token(expiring.raw) is None

    bobs = tokens.create_token(bob, name="bob's", scopes=["write"], expires_at=None)
    bob.is_active = False
    bob.save()
    assert tokens.authenticate_token(bobs.raw) is None


def test_last_used_is_recorded_at_most_once_a_minute(alice: User) -> None:
    new = tokens.create_token(alice, name="ci", scopes=["read"], expires_at=None)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        tokens.authenticate_token(new.raw)
    with time_machine.travel(start + timedelta(seconds=30), tick=False):
        tokens.authenticate_token(new.raw)
    new.token.refresh_from_db()
    assert new.token.last_used_at == start
    with time_machine.travel(start + timedelta(minutes=2), tick=False):
        tokens.authenticate_token(new.raw)
    new.token.refresh_from_db()
    assert new.token.last_used_at == start + timedelta(minutes=2)


@pytest.mark.parametrize(
    ("name", "scopes", "message"),
    [("ci", [], "scopes"), ("ci", ["admin"], "scopes"), ("  ", ["read"], "name")],
)
def test_bad_tokens_are_refused(alice: User, name: str, scopes: list[str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        tokens.create_token(alice, name=name, scopes=scopes, expires_at=None)
    assert not ApiToken.objects.exists()


def test_the_account_page_shows_a_new_token_once(alice: User) -> None:
    client = client_for(alice)
    form = {"name": "deploy pipeline", "scopes": ["read", "write"], "lifetime": "30"}
    response = client.post("/account/tokens/", form)
    assert response.status_code == 200
    html = response.content.decode()
    raw = re.search(r'id="new-token" type="text" readonly size="60" value="(ss_[^"]+)"', html)
    assert raw is not None
    token = tokens.authenticate_token(raw.group(1))
    assert token is not None and token.scopes == ["read", "write"]
    assert token.expires_at is not None
    assert timedelta(days=29) < token.expires_at - timezone.now() <= timedelta(days=30)
    later = client.get(ACCOUNT).content.decode()
    assert raw.group(1) not in later
    assert "deploy pipeline" in later and f"{token.hint}…" in later


def test_a_token_without_a_scope_is_refused_on_the_page(alice: User) -> None:
    response = client_for(alice).post("/account/tokens/", {"name": "ci", "lifetime": ""})
    assert response.status_code == 400
    assert "Scopes: This field is required." in response.content.decode()
    assert not ApiToken.objects.exists()


def test_people_revoke_their_own_tokens_only(alice: User, bob: User) -> None:
    mine = tokens.create_token(alice, name="mine", scopes=["read"], expires_at=None)
    theirs = tokens.create_token(bob, name="theirs", scopes=["read"], expires_at=None)
    client = client_for(alice)
    assert client.post(f"/account/tokens/{theirs.token.pk}/revoke/").status_code == 404
    assert tokens.authenticate_token(theirs.raw) is not None
    response = client.post(f"/account/tokens/{mine.token.pk}/revoke/")
    assert response.status_code == 302
    assert tokens.authenticate_token(mine.raw) is None
    assert "Revoked" in client.get(ACCOUNT).content.decode()
    assert "theirs" not in client.get(ACCOUNT).content.decode()
