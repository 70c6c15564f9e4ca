"""A running test identity provider, and the application configured to sign in through it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from django.test import Client
from django.test.client import Client as DjangoClient

from secondstory.core.claims import parse_mapping
from tests.apps.notify.conftest import smtp  # noqa: F401 (a real SMTP server for reset mail)
from tests.oidc_provider import Provider, running_provider

BASE_URL = "http://testserver"
CALLBACK = f"{BASE_URL}/login/sso/callback/"


@pytest.fixture
def provider(settings: Any, db: None) -> Iterator[Provider]:
    with running_provider([CALLBACK]) as provider:
        provider.add_person("dana", name="Dana Reyes", groups=["engineering", "payments-eng"])
        settings.SECONDSTORY_BASE_URL = BASE_URL
        settings.SECONDSTORY_OIDC_ISSUER = provider.issuer
        settings.SECONDSTORY_OIDC_CLIENT_ID = provider.client_id
        settings.SECONDSTORY_OIDC_CLIENT_SECRET = provider.client_secret
        settings.SECONDSTORY_OIDC_MAPPING = parse_mapping(
            roles='{"sre-leads": "admin", "engineering": "responder"}',
            teams='{"payments-eng": "payments", "search-eng": ["search"]}',
            maintainers='{"payments-leads": "payments"}',
            default_role="viewer",
        )
        yield provider


def start(client: DjangoClient, next_url: str = "") -> str:
    """Ask the application to sign in; the provider's authorization URL it redirects to."""
    response = client.get("/login/sso/", {"next": next_url} if next_url else {})
    assert response.status_code == 302, response.content.decode()
    return str(response["Location"])


def choose_account(provider: Provider, authorize_url: str, username: str) -> str:
    """What the person does at the provider: pick an account and submit. The callback URL."""
    query = dict(parse_qsl(urlsplit(authorize_url).query))
    page = httpx.get(authorize_url)
    assert page.status_code == 200, page.text
    answer = httpx.post(f"{provider.issuer}/authorize", data={**query, "username": username})
    assert answer.status_code == 302, answer.text
    return str(answer.headers["location"])


def sign_in(client: Client, provider: Provider, username: str = "dana", next_url: str = "") -> Any:
    """The whole round trip; the application's answer to the callback."""
    return client.get(choose_account(provider, start(client, next_url), username))
