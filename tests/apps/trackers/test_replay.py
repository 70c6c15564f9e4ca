"""Webhook replays: a delivery applies once, needs its id, and (where signed) a fresh time."""

from __future__ import annotations

import json
import logging
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from secondstory.accounts.models import User
from secondstory.actions.models import ActionItem
from secondstory.trackers import services
from secondstory.trackers.models import TrackerConnection, TrackerLink, WebhookDelivery
from tests.apps.conftest import client_for
from tests.apps.trackers.fake_trackers import FakeTracker, delivery, signed

CLOSED_AT = datetime(2026, 4, 2, 10, 15, tzinfo=UTC)
ID_HEADERS = {
    "github": "X-GitHub-Delivery",
    "gitlab": "X-Gitlab-Event-UUID",
    "jira": "X-Atlassian-Webhook-Identifier",
    "linear": "Linear-Delivery",
}


def send(connection: TrackerConnection, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
    response = Client().post(
        f"/trackers/hooks/{connection.pk}/",
        data=body,
        content_type="application/json",
        headers=headers,
    )
    return response.status_code, response.json().get("result", "")


def linked(alice: User, item: ActionItem, connection: TrackerConnection) -> TrackerLink:
    url = f"/trackers/postmortems/{item.postmortem.key}/actions/{item.key}/issue/"
    assert client_for(alice).post(url, {"connection": connection.pk}).status_code == 302
    return TrackerLink.objects.get(item=item, connection=connection)


def test_a_replayed_delivery_changes_nothing(
    alice: User, item: ActionItem, tracker: FakeTracker, connection: TrackerConnection
) -> None:
    link = linked(alice, item, connection)
    closing = delivery(tracker.kind, link.external_id, closed=True, at=CLOSED_AT)
    assert send(connection, *closing) == (200, "applied")
    reopening = delivery(tracker.kind, link.external_id, closed=False, at=CLOSED_AT)
    assert send(connection, *reopening) == (200, "applied")
    item.refresh_from_db()
    assert item.status == "open"
    # the closing delivery again, byte for byte, correctly signed: recognised, not applied
    assert send(connection, *closing) == (200, "duplicate")
    item.refresh_from_db()
    assert item.status == "open"
    assert WebhookDelivery.objects.filter(connection=connection).count() == 2


def test_a_delivery_without_its_id_is_refused(
    alice: User,
    item: ActionItem,
    tracker: FakeTracker,
    connection: TrackerConnection,
    caplog: pytest.LogCaptureFixture,
) -> None:
    link = linked(alice, item, connection)
    body, headers = delivery(tracker.kind, link.external_id, closed=True, at=CLOSED_AT)
    del headers[ID_HEADERS[tracker.kind]]
    with caplog.at_level(logging.WARNING, logger="secondstory.trackers"):
        assert send(connection, body, headers)[0] == 403
    assert f"has no {ID_HEADERS[tracker.kind]} header" in caplog.text
    item.refresh_from_db()
    assert item.status == "open"


@pytest.mark.parametrize("kind", ["jira", "linear"])
@pytest.mark.parametrize("offset", [timedelta(minutes=-6), timedelta(minutes=6)])
def test_a_signed_time_outside_the_window_is_refused(
    alice: User, item: ActionItem, kind: str, offset: timedelta
) -> None:
    from tests.apps.trackers.conftest import connect
    from tests.apps.trackers.fake_trackers import serve

    field = {"jira": "timestamp", "linear": "webhookTimestamp"}[kind]
    with serve(kind) as fake:
        connection = connect(fake)
        link = linked(alice, item, connection)
        body, _ = delivery(kind, link.external_id, closed=True, at=CLOSED_AT)
        payload = json.loads(body)
        payload[field] = int((time.time() + offset.total_seconds()) * 1000)
        assert send(connection, *signed(kind, payload))[0] == 403
        payload[field] = int((time.time() - 60) * 1000)
        assert send(connection, *signed(kind, payload)) == (200, "applied")
    item.refresh_from_db()
    assert item.status == "done"


def test_deliveries_are_forgotten_after_the_remembered_days(
    connection: TrackerConnection,
    settings,  # type: ignore[no-untyped-def]
) -> None:
    settings.SECONDSTORY_WEBHOOK_REMEMBER_DAYS = 30
    old = WebhookDelivery.objects.create(
        connection=connection, delivery_id="d-old", received_at=timezone.now() - timedelta(days=31)
    )
    assert services.remember_delivery(connection, "d-new")
    assert not services.remember_delivery(connection, "d-new")
    assert not WebhookDelivery.objects.filter(pk=old.pk).exists()
