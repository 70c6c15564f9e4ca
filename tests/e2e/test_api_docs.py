"""The API's interactive documentation and the service-account page in headless Chromium:
the docs render every operation from files the server itself serves (no third-party host,
nothing the content security policy refuses); an admin gives a script a token."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from secondstory.accounts.services import create_user

if TYPE_CHECKING:
    from playwright.sync_api import Page
    from pytest_django.live_server_helper import LiveServer

PASSWORD = "a long enough test passphrase"

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_interactive_docs_render_from_local_files(
    page: Page, live_server: LiveServer, artifacts: Path
) -> None:
    refused: list[str] = []
    hosts: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
    page.on("request", lambda r: hosts.append(r.url.split("/")[2]))
    page.goto(live_server.url + "/api/docs/")
    page.get_by_text("List incidents").first.wait_for()
    assert page.get_by_text("Move along the lifecycle").count() >= 1
    page.screenshot(path=str(artifacts / "api-docs.png"), full_page=False)
    assert set(hosts) == {live_server.url.split("/")[2]}
    assert refused == []


def test_an_admin_gives_a_service_account_a_token(
    transactional_db: None, page: Page, live_server: LiveServer, artifacts: Path
) -> None:
    create_user("ada.admin", password=PASSWORD, display_name="Ada Admin", role="admin")
    page.goto(live_server.url + "/login/")
    page.get_by_label("Username").fill("ada.admin")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(live_server.url + "/")
    page.goto(live_server.url + "/account/")
    page.get_by_role("link", name="service account").click()
    page.get_by_label("Name", exact=True).fill("deploy-bot")
    page.get_by_label("Role").select_option("responder")
    page.get_by_role("button", name="Create service account").click()
    page.get_by_text("Created the service account deploy-bot.").wait_for()
    page.get_by_label("Token name").fill("pipeline")
    page.get_by_role("button", name="Create token for deploy-bot").click()
    token = page.get_by_label("Token", exact=True).input_value()
    assert token.startswith("ss_")
    page.screenshot(path=str(artifacts / "service-account-token.png"), full_page=True)
    answer = page.request.get(
        live_server.url + "/api/postmortems/", headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status == 200 and answer.json()["count"] == 0
