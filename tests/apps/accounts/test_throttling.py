"""Sign-in throttling per username and per address, with the wait in the message."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from secondstory.accounts.models import LoginFailure, User
from tests.apps.conftest import PASSWORD

LOGIN = "/login/"


@pytest.fixture(autouse=True)
def limits(settings) -> None:  # type: ignore[no-untyped-def]
    settings.SECONDSTORY_LOGIN_MAX_FAILURES = 3
    settings.SECONDSTORY_LOGIN_MAX_FAILURES_PER_ADDRESS = 5
    settings.SECONDSTORY_LOGIN_WINDOW_SECONDS = 600
    settings.SECONDSTORY_PROXY_COUNT = 0


def attempt(username: str, password: str, address: str = "203.0.113.7", **extra: str):  # type: ignore[no-untyped-def]
    return Client(REMOTE_ADDR=address, **extra).post(  # type: ignore[arg-type]
        LOGIN, {"username": username, "password": password}
    )


def page(response) -> str:  # type: ignore[no-untyped-def]
    return " ".join(response.content.decode().split())


def test_a_username_waits_after_too_many_failures_even_with_the_right_password(
    alice: User,
) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        for _ in range(3):
            response = attempt("alice", "wrong")
            assert response.status_code == 200
            assert "did not match" in page(response)
        refused = attempt("Alice", PASSWORD, address="198.51.100.9")
        assert refused.status_code == 429
        assert refused["Retry-After"] == "600"
        assert "Too many failed sign-ins for this username. Try again in 10 minutes." in page(
            refused
        )
        assert "_auth_user_id" not in refused.client.session
        clock.shift(timedelta(seconds=599))
        assert attempt("alice", PASSWORD).status_code == 429
        clock.shift(timedelta(seconds=2))
        assert attempt("alice", PASSWORD).status_code == 302
    assert not LoginFailure.objects.filter(username="alice").exists()


def test_an_address_waits_after_failures_across_usernames(alice: User, bob: User) -> None:
    for name in ("u1", "u2", "u3", "u4", "u5"):
        assert attempt(name, "guess").status_code == 200
    refused = attempt("bob", PASSWORD)
    assert refused.status_code == 429
    assert "Too many failed sign-ins for your address." in page(refused)
    assert attempt("bob", PASSWORD, address="198.51.100.9").status_code == 302


def test_behind_a_trusted_proxy_the_forwarded_address_counts(
    alice: User,
    settings,  # type: ignore[no-untyped-def]
) -> None:
    settings.SECONDSTORY_PROXY_COUNT = 1
    proxy = "10.0.0.2"
    for name in ("u1", "u2", "u3", "u4", "u5"):
        attempt(name, "guess", address=proxy, HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.9")
    assert set(LoginFailure.objects.values_list("address", flat=True)) == {"203.0.113.9"}
    other = attempt("alice", PASSWORD, address=proxy, HTTP_X_FORWARDED_FOR="192.0.2.44")
    assert other.status_code == 302


def test_a_success_forgets_the_usernames_failures(alice: User) -> None:
    attempt("alice", "wrong")
    attempt("alice", "wrong")
    assert attempt("alice", PASSWORD).status_code == 302
    assert attempt("alice", "wrong").status_code == 200
    assert attempt("alice", "wrong").status_code == 200
    assert attempt("alice", PASSWORD).status_code == 302


def test_the_admin_login_is_throttled_too(alice: User) -> None:
    alice.is_staff = True
    alice.save()
    for _ in range(3):
        Client().post("/admin/login/", {"username": "alice", "password": "wrong"})
    response = Client().post("/admin/login/", {"username": "alice", "password": PASSWORD})
    assert response.status_code == 200
    assert "Too many failed sign-ins for this username." in page(response)
    assert "_auth_user_id" not in response.client.session
