"""The worker delivers each webhook signed to a real receiver, retries with backoff, gives up
after the configured tries, and overlapping runs never deliver one twice."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from secondstory.outgoing import events
from secondstory.outgoing.models import WebhookDelivery, WebhookEndpoint
from secondstory.outgoing.sender import backoff, deliver_due
from secondstory.outgoing.tasks import deliver_webhooks
from tests.apps.outgoing.conftest import SignedReceiver


def _queue(endpoint: WebhookEndpoint, count: int = 1) -> list[WebhookDelivery]:
    rows = []
    for _ in range(count):
        row = events.ping(endpoint)
        assert row is not None
        rows.append(row)
    return rows


@pytest.mark.django_db
def test_the_worker_task_delivers_signed_json(
    endpoint: WebhookEndpoint, signed_receiver: SignedReceiver
) -> None:
    (row,) = _queue(endpoint)
    assert deliver_webhooks.call() == {"delivered": 1, "failed": 0}
    (received,) = signed_receiver.received
    assert received.verified
    assert received.payload == row.payload
    assert received.headers["X-Secondstory-Event"] == "ping"
    assert received.headers["X-Secondstory-Delivery"] == row.event_id
    assert received.headers["Content-Type"] == "application/json"
    row.refresh_from_db()
    assert (row.status, row.attempts, row.response_code) == ("delivered", 1, 200)
    assert row.duration_ms is not None
    assert deliver_due() == []  # delivered: never again


@pytest.mark.django_db
def test_a_500_is_retried_after_a_growing_wait_then_delivered(
    endpoint: WebhookEndpoint, signed_receiver: SignedReceiver
) -> None:
    signed_receiver.statuses = [500, 503]
    (row,) = _queue(endpoint)
    deliver_due()
    row.refresh_from_db()
    assert (row.status, row.attempts, row.response_code) == ("retrying", 1, 500)
    assert "HTTP 500" in row.error
    assert row.next_attempt_at - row.last_attempt_at == backoff(1) == timedelta(seconds=30)
    assert deliver_due() == []  # not due yet
    with time_machine.travel(row.next_attempt_at + timedelta(seconds=1)):
        deliver_due()
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("retrying", 2)
    assert row.next_attempt_at - row.last_attempt_at == backoff(2) == timedelta(seconds=60)
    with time_machine.travel(row.next_attempt_at + timedelta(seconds=1)):
        deliver_due()
    row.refresh_from_db()
    assert (row.status, row.attempts, row.response_code, row.error) == ("delivered", 3, 200, "")
    assert len(signed_receiver.received) == 3
    assert {r.payload["id"] for r in signed_receiver.received} == {row.event_id}


@pytest.mark.django_db
def test_it_gives_up_after_the_configured_tries(
    settings: Any, endpoint: WebhookEndpoint, signed_receiver: SignedReceiver
) -> None:
    settings.SECONDSTORY_OUTGOING_WEBHOOK_ATTEMPTS = 2
    signed_receiver.status = 500
    (row,) = _queue(endpoint)
    deliver_due()
    with time_machine.travel(timezone.now() + timedelta(hours=1)):
        deliver_due()
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        assert deliver_due() == []
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("failed", 2)
    assert len(signed_receiver.received) == 2


@pytest.mark.django_db
def test_an_unreachable_receiver_is_a_recorded_failure(endpoint: WebhookEndpoint) -> None:
    endpoint.url = "http://127.0.0.1:9/nothing-listens"
    endpoint.save()
    (row,) = _queue(endpoint)
    deliver_due()
    row.refresh_from_db()
    assert row.status == "retrying"
    assert row.response_code is None
    assert row.error.startswith("127.0.0.1:9: ")


@pytest.mark.django_db
def test_an_inactive_endpoint_gets_nothing(
    endpoint: WebhookEndpoint, signed_receiver: SignedReceiver
) -> None:
    _queue(endpoint)
    endpoint.active = False
    endpoint.save()
    assert deliver_due() == []
    assert signed_receiver.received == []


@pytest.mark.django_db(transaction=True)
def test_overlapping_runs_deliver_each_event_once(
    endpoint: WebhookEndpoint, signed_receiver: SignedReceiver
) -> None:
    rows = _queue(endpoint, 6)
    signed_receiver.delay = 0.05
    start = threading.Barrier(3)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            start.wait()
            deliver_due()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    ids = sorted(r.payload["id"] for r in signed_receiver.received)
    assert ids == sorted(row.event_id for row in rows)
    assert set(WebhookDelivery.objects.values_list("status", "attempts")) == {("delivered", 1)}


@pytest.mark.django_db
def test_a_failed_delivery_schedules_the_worker_for_its_retry(
    endpoint: WebhookEndpoint, signed_receiver: SignedReceiver
) -> None:
    from django_tasks_db.models import DBTaskResult

    signed_receiver.status = 500
    (row,) = _queue(endpoint)
    deliver_webhooks.call()
    row.refresh_from_db()
    waiting = DBTaskResult.objects.filter(task_path=deliver_webhooks.module_path, status="READY")
    assert [t.run_after for t in waiting] == [row.next_attempt_at]


@pytest.mark.django_db
def test_a_stopping_worker_leaves_the_rest_queued(
    endpoint: WebhookEndpoint, signed_receiver: SignedReceiver
) -> None:
    from secondstory.notify.stopping import clear_stop, request_stop

    rows = _queue(endpoint, 3)
    request_stop()
    try:
        assert deliver_due() == []
    finally:
        clear_stop()
    assert signed_receiver.received == []
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"pending"}
    assert len(deliver_due()) == len(rows)
