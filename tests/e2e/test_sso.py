"""Single sign-on in a real browser, through the test OpenID Connect provider on 127.0.0.1,
and the account page that follows."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from secondstory.accounts import tokens
from secondstory.accounts.models import Role, User
from secondstory.core.claims import parse_mapping
from tests.oidc_provider import Provider, running_provider

if TYPE_CHECKING:
    from playwright.sync_api import Page
    from pytest_django.live_server_helper import LiveServer

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def provider(live_server: LiveServer, settings: Any) -> Iterator[Provider]:
    with running_provider([f"{live_server.url}/login/sso/callback/"]) as provider:
        provider.add_person("dana", name="Dana Reyes", groups=["engineering", "payments-eng"])
        settings.SECONDSTORY_BASE_URL = live_server.url
        settings.SECONDSTORY_OIDC_ISSUER = provider.issuer
        settings.SECONDSTORY_OIDC_CLIENT_ID = provider.client_id
        settings.SECONDSTORY_OIDC_CLIENT_SECRET = provider.client_secret
        settings.SECONDSTORY_OIDC_NAME = "Test IdP"
        settings.SECONDSTORY_OIDC_MAPPING = parse_mapping(
            roles='{"engineering": "responder"}', teams='{"payments-eng": "payments"}'
        )
        yield provider


def test_signing_in_through_the_provider(
    provider: Provider, live_server: LiveServer, page: Page, artifacts: Path
) -> None:
    from playwright.sync_api import expect

    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
    page.goto(live_server.url + "/actions/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/actions/$"))
    page.screenshot(path=artifacts / "sso-00-login.png")
    page.get_by_role("link", name="Log in with Test IdP").click()

    expect(page.get_by_role("heading", name="Test identity provider")).to_be_visible()
    assert page.url.startswith(provider.issuer + "/authorize?")
    page.get_by_label("Account").select_option("dana")
    page.get_by_role("button", name="Sign in").click()

    page.wait_for_url(live_server.url + "/actions/")
    expect(page.locator(".user-name")).to_have_text("Dana Reyes")
    page.screenshot(path=artifacts / "sso-01-signed-in.png", full_page=True)
    dana = User.objects.get(username="dana")
    assert dana.role == Role.RESPONDER
    assert list(dana.teams.values_list("slug", flat=True)) == ["payments"]

    # The account page: a time zone and a token, shown once.
    page.get_by_role("link", name="Dana Reyes").click()
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()
    expect(page.get_by_text("signs in with Test IdP")).to_be_visible()
    expect(page.get_by_role("button", name="Change password")).to_have_count(0)
    page.get_by_label("Time zone").select_option("Europe/Lisbon")
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_text("Your profile is saved.")).to_be_visible()
    page.get_by_label("Token name").fill("deploy pipeline")
    page.get_by_label("Expires after").select_option(label="30 days")
    page.get_by_role("button", name="Create token").click()
    raw = page.locator("#new-token").input_value()
    token = tokens.authenticate_token(raw)
    assert token is not None and token.user == dana and token.scopes == ["read"]
    page.screenshot(path=artifacts / "sso-02-account.png", full_page=True)
    page.get_by_role("button", name="Revoke deploy pipeline").click()
    expect(page.get_by_text("Revoked “deploy pipeline”")).to_be_visible()
    assert tokens.authenticate_token(raw) is None
    dana.refresh_from_db()
    assert dana.time_zone == "Europe/Lisbon"
    assert refused == []
