"""The admin pages of notification channels and deliveries render for staff."""

from __future__ import annotations

from django.urls import reverse

from secondstory.accounts.models import User
from secondstory.notify.models import NotificationChannel
from secondstory.notify.services import send
from tests.apps.conftest import client_for
from tests.apps.notify.conftest import Inbox


def test_staff_see_channels_and_the_delivery_log(smtp: Inbox, alice: User) -> None:
    alice.is_staff = alice.is_superuser = True
    alice.save()
    channel = NotificationChannel.objects.create(
        name="Team list", kind="email", target="team@example.com"
    )
    [_, delivery] = send(alice, kind="note", subject="Hello there", text="t", key="n1")
    client = client_for(alice)

    pages = [
        reverse("admin:notify_notificationchannel_changelist"),
        reverse("admin:notify_notificationchannel_add"),
        reverse("admin:notify_notificationchannel_change", args=[channel.pk]),
        reverse("admin:notify_delivery_changelist"),
        reverse("admin:notify_delivery_change", args=[delivery.pk]),
    ]
    for page in pages:
        assert client.get(page).status_code == 200, page
    log = client.get(reverse("admin:notify_delivery_changelist")).content.decode()
    assert "Team list" in log and "Hello there" not in log and delivery.status == "sent"
    assert client.get(reverse("admin:notify_delivery_add")).status_code == 403


def test_the_admin_refuses_a_slack_channel_without_a_url(alice: User) -> None:
    alice.is_staff = alice.is_superuser = True
    alice.save()
    response = client_for(alice).post(
        reverse("admin:notify_notificationchannel_add"),
        {"name": "Ops", "kind": "slack", "target": "not a url", "enabled": "on"},
    )
    assert response.status_code == 200
    assert "a Slack or webhook channel needs an http(s) URL" in response.content.decode()
    assert not NotificationChannel.objects.exists()
