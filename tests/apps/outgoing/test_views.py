"""The webhook pages are for admins: the list, one endpoint's delivery log, Send test."""

from __future__ import annotations

from typing import Any

import pytest

from secondstory.accounts.models import User
from secondstory.outgoing.models import WebhookDelivery, WebhookEndpoint
from tests.apps.conftest import client_for
from tests.apps.outgoing.conftest import SignedReceiver

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(alice: User) -> User:
    alice.role = "admin"
    alice.save()
    return alice


def test_an_admin_reads_the_log_and_sends_a_test(
    admin: User, endpoint: WebhookEndpoint, signed_receiver: SignedReceiver
) -> None:
    client = client_for(admin)
    listing = client.get("/webhooks/")
    assert listing.status_code == 200
    assert f"/webhooks/{endpoint.pk}/" in listing.content.decode()
    response = client.post(f"/webhooks/{endpoint.pk}/test", follow=True)
    assert "Test delivered: HTTP 200" in response.content.decode()
    delivery = WebhookDelivery.objects.get()
    assert (delivery.kind, delivery.status) == ("ping", "delivered")
    log = client.get(f"/webhooks/{endpoint.pk}/").content.decode()
    assert delivery.event_id in log
    assert "Delivered" in log
    filtered = client.get(f"/webhooks/{endpoint.pk}/?status=failed").content.decode()
    assert delivery.event_id not in filtered


def test_a_failed_test_says_why(
    admin: User, endpoint: WebhookEndpoint, signed_receiver: SignedReceiver
) -> None:
    signed_receiver.status = 500
    response = client_for(admin).post(f"/webhooks/{endpoint.pk}/test", follow=True)
    assert "Test not delivered (HTTP 500" in response.content.decode()
    assert WebhookDelivery.objects.get().status == "retrying"


@pytest.mark.parametrize("who", ["bob", "charlie"])
def test_it_checks_the_role(who: str, request: Any, endpoint: WebhookEndpoint) -> None:
    client = client_for(request.getfixturevalue(who))
    assert client.get("/webhooks/").status_code == 403
    assert client.get(f"/webhooks/{endpoint.pk}/").status_code == 403
    assert client.post(f"/webhooks/{endpoint.pk}/test").status_code == 403
    assert not WebhookDelivery.objects.exists()


def test_signed_out_people_are_sent_to_sign_in(endpoint: WebhookEndpoint) -> None:
    from django.test import Client

    response = Client().get(f"/webhooks/{endpoint.pk}/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_the_endpoint_form_refuses_unknown_kinds_and_bad_urls(admin: User) -> None:
    from django.core.exceptions import ValidationError

    endpoint = WebhookEndpoint(name="x", url="ftp://example.com", kinds=["incident.deleted"])
    with pytest.raises(ValidationError) as error:
        endpoint.full_clean()
    assert set(error.value.message_dict) == {"url", "kinds"}
    assert "incident.deleted" in error.value.message_dict["kinds"][0]
    assert WebhookEndpoint(name="y", url="https://example.com/h").secret.startswith("whsec_")


def test_a_delivery_given_up_can_be_tried_again(
    settings: Any,
    admin: User,
    bob: User,
    endpoint: WebhookEndpoint,
    signed_receiver: SignedReceiver,
) -> None:
    settings.SECONDSTORY_OUTGOING_WEBHOOK_ATTEMPTS = 1
    signed_receiver.status = 500
    client = client_for(admin)
    client.post(f"/webhooks/{endpoint.pk}/test")
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "failed"
    assert "Try again" in client.get(f"/webhooks/{endpoint.pk}/").content.decode()
    signed_receiver.status = 200
    url = f"/webhooks/{endpoint.pk}/deliveries/{delivery.pk}/retry"
    response = client.post(url, follow=True)
    assert f"{delivery.event_id} delivered." in response.content.decode()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("delivered", 1)
    assert client.post(url).status_code == 404  # only a given-up delivery is tried again
    assert client_for(bob).post(url).status_code == 403
