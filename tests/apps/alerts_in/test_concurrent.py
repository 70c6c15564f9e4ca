"""Deliveries about one new PagerDuty incident that arrive at the same moment (PagerDuty
sends in parallel) open one incident between them."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client

from secondstory.alerts_in.models import AlertLink
from secondstory.incidents.models import Incident
from tests.apps.alerts_in.conftest import pagerduty_events, post_pagerduty

pytestmark = pytest.mark.django_db(transaction=True)


def test_simultaneous_deliveries_open_one_incident() -> None:
    bodies = [pagerduty_events()[i] for i in (0, 2, 3)]  # trigger, escalation, acknowledgement
    start = threading.Barrier(len(bodies))
    statuses: list[int] = []

    def deliver(body: bytes) -> None:
        try:
            start.wait()
            statuses.append(post_pagerduty(Client(), body).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver, args=(body,)) for body in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200, 200, 200]
    incident = Incident.objects.get()
    assert AlertLink.objects.get().incident == incident
    assert incident.timeline.count() == 3
    kinds = set(incident.milestones.values_list("kind__code", flat=True))
    assert kinds == {"detected", "acknowledged"}
