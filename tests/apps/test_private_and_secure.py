"""Data files readable by their owner only, and Secure cookies whenever served over HTTPS."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from secondstory.accounts.models import User
from tests.apps.conftest import PASSWORD

CREATE = """
import django
django.setup()
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("CREATE TABLE probe (id integer)")
    cursor.execute("INSERT INTO probe VALUES (1)")
"""


def test_a_new_home_database_and_secret_key_are_private(tmp_path: Path) -> None:
    home = tmp_path / "fresh" / "home"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("SECONDSTORY_")},
        "SECONDSTORY_HOME": str(home),
        "DJANGO_SETTINGS_MODULE": "secondstory.settings",
    }
    subprocess.run(
        [sys.executable, "-c", CREATE],
        env=env,
        check=True,
        preexec_fn=lambda: os.umask(0o022),  # a common umask: new files 0644 by default
    )
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    for name in ("secondstory.sqlite3", "secret_key"):
        assert stat.S_IMODE((home / name).stat().st_mode) == 0o600, name
    for extra in home.glob("secondstory.sqlite3-*"):  # the write-ahead log and shared memory
        assert stat.S_IMODE(extra.stat().st_mode) == 0o600, extra.name


def login_cookies(client: Client, **extra: str) -> dict[str, bool]:
    client.get("/login/", **extra)  # type: ignore[arg-type]
    token = client.cookies["csrftoken"].value
    response = client.post(
        "/login/",
        {"username": "alice", "password": PASSWORD, "csrfmiddlewaretoken": token},
        HTTP_REFERER="https://testserver/login/",
        **extra,  # type: ignore[arg-type]
    )
    assert response.status_code == 302
    return {name: bool(morsel["secure"]) for name, morsel in response.cookies.items()}


def test_cookies_are_secure_when_the_request_came_over_https(alice: User) -> None:
    cookies = login_cookies(Client(enforce_csrf_checks=True), secure="true")  # type: ignore[arg-type]
    assert cookies == {"sessionid": True, "csrftoken": True}


def test_plain_http_cookies_stay_usable_in_development(alice: User) -> None:
    cookies = login_cookies(Client(enforce_csrf_checks=True))
    assert cookies["sessionid"] is False


@pytest.mark.parametrize("trusted", [True, False])
def test_a_proxys_forwarded_proto_counts_only_when_trusted(
    alice: User,
    settings,
    trusted: bool,  # type: ignore[no-untyped-def]
) -> None:
    if trusted:
        settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    client = Client(HTTP_X_FORWARDED_PROTO="https")
    assert login_cookies(client)["sessionid"] is trusted
