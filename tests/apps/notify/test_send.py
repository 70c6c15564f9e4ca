"""notify.services.send: every channel, once per key, failures recorded and retried."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from secondstory.accounts.models import User
from secondstory.actions.models import ActionItem
from secondstory.notify.channels import active_channels
from secondstory.notify.models import Delivery, NotificationChannel
from secondstory.notify.services import retry_failed, send
from secondstory.postmortems.models import Postmortem
from tests.apps.notify.conftest import Inbox, Receiver, free_port


def _item(postmortem: Postmortem) -> ActionItem:
    return postmortem.action_items.get(key="A1")


def test_email_goes_to_the_local_smtp_server(
    smtp: Inbox, alice: User, postmortem: Postmortem
) -> None:
    deliveries = send(
        alice, kind="overdue", subject="Overdue: A1", text="Please look", item=_item(postmortem)
    )

    assert [(d.channel_key, d.status, d.address) for d in deliveries] == [
        ("email", "sent", "alice@example.com")
    ]
    assert len(smtp.messages) == 1
    recipients, message = smtp.messages[0]
    assert recipients == ["alice@example.com"]
    assert message["Subject"] == "Overdue: A1"
    assert smtp.body(0).strip() == "Please look"
    assert Delivery.objects.get().item == _item(postmortem)


def test_a_key_is_delivered_once_per_channel(smtp: Inbox, alice: User) -> None:
    first = send(alice, kind="recurrence", subject="s", text="t", key="recurrence:1")
    second = send(alice, kind="recurrence", subject="s", text="t", key="recurrence:1")

    assert len(smtp.messages) == 1
    assert [d.status for d in first] == ["sent"]
    assert second == []
    assert Delivery.objects.get().attempts == 1
    send(alice, kind="recurrence", subject="s", text="t", key="recurrence:2")
    assert len(smtp.messages) == 2


def test_without_a_key_every_call_is_delivered(smtp: Inbox, alice: User) -> None:
    send(alice, kind="note", subject="s", text="t")
    send(alice, kind="note", subject="s", text="t")
    assert len(smtp.messages) == 2
    assert Delivery.objects.count() == 2


def test_slack_gets_text_and_the_webhook_the_documented_object(
    settings: Any, receiver: Receiver, no_channels: None, alice: User, postmortem: Postmortem
) -> None:
    settings.SECONDSTORY_SLACK_WEBHOOK_URL = f"{receiver.url}/slack"
    settings.SECONDSTORY_NOTIFY_WEBHOOK_URL = f"{receiver.url}/hook"
    settings.SECONDSTORY_BASE_URL = "https://postmortems.example.com/"
    item = _item(postmortem)

    deliveries = send(alice, kind="overdue", subject="Overdue", text="A1 is late", item=item)

    assert sorted(d.channel_key for d in deliveries if d.status == "sent") == ["slack", "webhook"]
    by_path = dict(receiver.requests)
    assert by_path["/slack"] == {"text": "A1 is late"}
    assert by_path["/hook"] == {
        "kind": "overdue",
        "subject": "Overdue",
        "message": "A1 is late",
        "recipient": {"username": "alice", "name": "Alice Owner"},
        "item": {
            "postmortem": "PM-1",
            "key": "A1",
            "title": "Validate pool sizes in the config tool",
            "owner": "alice",
            "due": "2026-04-04",
            "status": "open",
            "url": "https://postmortems.example.com/postmortems/PM-1/#action-A1",
        },
    }


def test_a_500_is_recorded_and_retried_next_run_then_never_again(
    settings: Any, receiver: Receiver, no_channels: None, alice: User
) -> None:
    settings.SECONDSTORY_SLACK_WEBHOOK_URL = receiver.url
    receiver.status = 500

    [failed] = send(alice, kind="recurrence", subject="s", text="came back", key="k1")

    assert failed.status == "retrying"
    assert "HTTP 500" in failed.error
    receiver.status = 200
    [retried] = retry_failed(before=timezone.now() + timedelta(seconds=1))
    assert retried.pk == failed.pk
    assert retried.status == "sent" and retried.attempts == 2 and retried.error == ""
    assert retry_failed(before=timezone.now() + timedelta(seconds=1)) == []
    assert send(alice, kind="recurrence", subject="s", text="came back", key="k1") == []
    assert len(receiver.requests) == 2  # the failed try and the one success
    assert Delivery.objects.count() == 1


def test_connection_refused_is_recorded_not_raised(
    settings: Any, no_channels: None, alice: User
) -> None:
    settings.SECONDSTORY_NOTIFY_WEBHOOK_URL = f"http://127.0.0.1:{free_port()}/hook"

    [delivery] = send(alice, kind="digest", subject="s", text="t", key="d1")

    assert delivery.status == "retrying"
    assert delivery.error.startswith("127.0.0.1:")
    assert Delivery.objects.get().status == "retrying"


def test_a_slow_receiver_times_out_and_is_recorded(
    settings: Any,
    receiver: Receiver,
    no_channels: None,
    alice: User,
) -> None:
    settings.SECONDSTORY_NOTIFY_TIMEOUT = 0.2
    receiver.delay = 1.0
    settings.SECONDSTORY_SLACK_WEBHOOK_URL = receiver.url

    [delivery] = send(alice, kind="digest", subject="s", text="t", key="d1")

    assert delivery.status == "retrying"
    assert "timed out" in delivery.error


def test_smtp_outage_is_recorded_and_retried(settings: Any, smtp: Inbox, alice: User) -> None:
    port = settings.EMAIL_PORT
    settings.EMAIL_PORT = free_port()
    [delivery] = send(alice, kind="recurrence", subject="s", text="t", key="r1")
    assert delivery.status == "retrying"
    assert delivery.error.startswith("email to alice@example.com:")

    settings.EMAIL_PORT = port
    [retried] = retry_failed(before=timezone.now() + timedelta(seconds=1))
    assert retried.status == "sent"
    assert len(smtp.messages) == 1


def test_shared_channels_get_only_a_link_for_a_restricted_postmortem(
    settings: Any, smtp: Inbox, receiver: Receiver, alice: User, restricted: Postmortem
) -> None:
    settings.SECONDSTORY_SLACK_WEBHOOK_URL = receiver.url
    item = _item(restricted)

    send(alice, kind="overdue", subject=f"Overdue: {item.title}", text=item.title, item=item)

    assert item.title in smtp.body(0)
    assert item.title not in receiver.json()["text"]
    assert "PM-R A1" in receiver.json()["text"]
    assert "/postmortems/PM-R/#action-A1" in receiver.json()["text"]


def test_admin_channels_add_to_the_env_ones(
    settings: Any, smtp: Inbox, receiver: Receiver, alice: User
) -> None:
    NotificationChannel.objects.create(name="Ops room", kind="slack", target=receiver.url)
    NotificationChannel.objects.create(
        name="Off", kind="webhook", target=receiver.url, enabled=False
    )
    NotificationChannel.objects.create(name="Team list", kind="email", target="team@example.com")

    deliveries = send(alice, kind="note", subject="Hello", text="t")

    assert sorted(d.channel_label for d in deliveries) == ["Ops room", "Team list", "email"]
    assert sorted(rcpt[0] for rcpt, _ in smtp.messages) == [
        "alice@example.com",
        "team@example.com",
    ]
    assert receiver.requests == [("/", {"text": "t"})]


def test_slack_text_is_escaped(
    settings: Any, receiver: Receiver, no_channels: None, alice: User
) -> None:
    settings.SECONDSTORY_SLACK_WEBHOOK_URL = receiver.url
    send(alice, kind="note", subject="s", text="pool <1> & <!channel>")
    assert receiver.json() == {"text": "pool &lt;1&gt; &amp; &lt;!channel&gt;"}


def test_no_smtp_host_means_no_email(settings: Any, no_channels: None, alice: User) -> None:
    NotificationChannel.objects.create(name="Team list", kind="email", target="team@example.com")
    assert active_channels() == []
    assert send(alice, kind="note", subject="s", text="t") == []


@pytest.mark.parametrize(
    ("kind", "target"),
    [("email", "not an address"), ("slack", "team@example.com"), ("webhook", "ftp://x/y")],
)
def test_a_channel_target_is_checked(db: None, kind: str, target: str) -> None:
    with pytest.raises(ValidationError) as error:
        NotificationChannel(name="x", kind=kind, target=target).full_clean()
    assert "target" in error.value.message_dict


def test_a_user_without_email_is_skipped_by_email(smtp: Inbox, alice: User) -> None:
    alice.email = ""
    alice.save()
    assert send(alice, kind="note", subject="s", text="t") == []
    assert smtp.messages == []
