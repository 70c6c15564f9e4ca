"""Webhooks end to end over HTTP on 127.0.0.1: a signed PagerDuty delivery opens an incident
a person then reads; an admin's "Send test" reaches a receiver that checks the signature."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from secondstory.accounts.services import create_user
from secondstory.incidents.models import Incident
from secondstory.outgoing.models import WebhookDelivery, WebhookEndpoint
from tests.apps.alerts_in.conftest import PD_SECRET, pagerduty_events, pd_signature
from tests.apps.outgoing.conftest import SECRET, serve_receiver

if TYPE_CHECKING:
    from collections.abc import Iterator

    from playwright.sync_api import Page
    from pytest_django.live_server_helper import LiveServer

    from tests.apps.outgoing.conftest import SignedReceiver

PASSWORD = "a long enough test passphrase"

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def signed_receiver() -> Iterator[SignedReceiver]:
    with serve_receiver() as receiver:
        yield receiver


def _sign_in(page: Page, live_server: LiveServer, username: str) -> None:
    page.goto(live_server.url + "/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(live_server.url + "/")


def test_a_signed_pagerduty_delivery_opens_an_incident_people_read(
    settings: Any, page: Page, live_server: LiveServer, artifacts: Path
) -> None:
    settings.SECONDSTORY_PAGERDUTY_WEBHOOK_SECRETS = [PD_SECRET]
    create_user("rosa.responder", password=PASSWORD, display_name="Rosa Responder")
    url = live_server.url + "/integrations/pagerduty"
    with httpx.Client(timeout=30) as client:
        forged = pagerduty_events()[0]
        refused = client.post(url, content=forged, headers={"X-PagerDuty-Signature": "v1=00"})
        assert refused.status_code == 403
        answers = [
            client.post(
                url,
                content=body,
                headers={
                    "Content-Type": "application/json",
                    "X-PagerDuty-Signature": pd_signature(body),
                },
            )
            for body in pagerduty_events()
        ]
    assert {a.status_code for a in answers} == {200}
    key = answers[0].json()["incident"]
    assert Incident.objects.get().key == key

    _sign_in(page, live_server, "rosa.responder")
    page.goto(f"{live_server.url}/incidents/{key}/")
    body = page.locator("main").inner_text()
    assert "CheckoutErrorBudgetBurn" in body
    for milestone in ("detected", "acknowledged", "resolved"):
        assert milestone in body.lower()
    assert "Q2NW8KJ5T3ZPQA" in body  # the PagerDuty incident, as an external reference
    page.screenshot(path=str(artifacts / "incident-from-pagerduty.png"), full_page=True)


def test_an_admin_sends_a_test_and_reads_the_delivery_log(
    page: Page, live_server: LiveServer, signed_receiver: SignedReceiver, artifacts: Path
) -> None:
    create_user("ada.admin", password=PASSWORD, display_name="Ada Admin", role="admin")
    endpoint = WebhookEndpoint.objects.create(
        name="Chat bridge", url=signed_receiver.url, secret=SECRET, kinds=["incident.created"]
    )
    _sign_in(page, live_server, "ada.admin")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Webhooks").click()
    page.wait_for_url(f"{live_server.url}/webhooks/")
    page.get_by_role("link", name="Chat bridge").click()
    page.wait_for_url(f"**/webhooks/{endpoint.pk}/")
    page.get_by_role("button", name="Send test").click()
    page.wait_for_url(f"**/webhooks/{endpoint.pk}/")
    assert "Test delivered: HTTP 200" in page.locator("body").inner_text()
    row = page.locator("#deliveries tbody tr").first
    assert "Delivered" in row.inner_text()
    assert "1 of" in row.inner_text()
    (received,) = signed_receiver.received
    assert received.verified
    assert received.payload["type"] == "ping"
    assert WebhookDelivery.objects.get().status == "delivered"

    signed_receiver.status = 500
    page.get_by_role("button", name="Send test").click()
    page.wait_for_url(f"**/webhooks/{endpoint.pk}/")
    assert "Test not delivered (HTTP 500" in page.locator("body").inner_text()
    assert "Failed, retried later" in page.locator("#deliveries tbody tr").first.inner_text()
    page.screenshot(path=str(artifacts / "webhook-delivery-log.png"), full_page=True)
