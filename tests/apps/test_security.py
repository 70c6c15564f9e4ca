"""Security headers on every page: a strict Content-Security-Policy and friends."""

from __future__ import annotations

import re

from django.test import Client

from secondstory.accounts.models import User
from secondstory.postmortems.models import Postmortem
from tests.apps.conftest import client_for


def _csp(response) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    policy = response["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in policy.split(";") if part.strip())
    }


def test_pages_allow_scripts_only_from_the_app(postmortem: Postmortem, alice: User) -> None:
    for response in (
        Client().get("/login/"),
        client_for(alice).get(f"/postmortems/{postmortem.key}/"),
    ):
        policy = _csp(response)
        assert policy["script-src"] == ["'self'"]
        assert policy["default-src"] == ["'self'"]
        assert policy["object-src"] == ["'none'"]
        assert policy["frame-ancestors"] == ["'none'"]
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"


def test_pages_contain_no_inline_scripts_or_handlers(postmortem: Postmortem, alice: User) -> None:
    html = client_for(alice).get(f"/postmortems/{postmortem.key}/").content.decode()
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts and all("src=" in tag for tag in scripts)
    assert not re.search(r"\son[a-z]+\s*=", html)


def test_forms_are_refused_without_a_csrf_token(alice: User) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/login/", {"username": "alice", "password": "x"})
    assert response.status_code == 403


def test_secure_cookies_over_https(settings) -> None:  # type: ignore[no-untyped-def]
    import importlib
    import os

    from secondstory import settings as module

    os.environ["SECONDSTORY_HTTPS"] = "true"
    try:
        reloaded = importlib.reload(module)
        assert reloaded.SESSION_COOKIE_SECURE and reloaded.CSRF_COOKIE_SECURE
        assert reloaded.SECURE_HSTS_SECONDS > 0 and reloaded.SECURE_SSL_REDIRECT
    finally:
        del os.environ["SECONDSTORY_HTTPS"]
        reloaded = importlib.reload(module)
    assert not reloaded.SESSION_COOKIE_SECURE
