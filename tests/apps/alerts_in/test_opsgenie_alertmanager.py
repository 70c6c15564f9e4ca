"""Opsgenie alerts and Alertmanager groups open incidents through their token."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client

from secondstory.incidents.models import Incident
from tests.apps.alerts_in.conftest import (
    AM_TOKEN,
    OG_TOKEN,
    alertmanager_events,
    basic,
    opsgenie_events,
)

pytestmark = pytest.mark.django_db


def _post(path: str, body: bytes, **headers: str) -> Any:
    return Client().post(path, body, content_type="application/json", headers=headers)


def _milestones(incident: Incident) -> dict[str, datetime]:
    return {m.kind.code: m.at for m in incident.milestones.select_related("kind")}


def test_an_opsgenie_alert_opens_one_incident_with_its_milestones() -> None:
    bodies = opsgenie_events()
    answers = [
        _post("/integrations/opsgenie", body, **{"X-Secondstory-Token": OG_TOKEN}).json()
        for body in bodies
    ]
    assert answers[0]["result"] == "created"
    assert {a["incident"] for a in answers} == {answers[0]["incident"]}
    incident = Incident.objects.get()
    assert incident.title == "Ledger write latency above 800 ms"
    assert incident.severity.code == "SEV2"  # P2
    assert [(r.system, r.identifier) for r in incident.external_references.all()] == [
        ("opsgenie", "7c1e9a52-4b3d-4f7e-9d21-0a6b5c8e3f14-1772632931512")
    ]
    milestones = _milestones(incident)
    assert set(milestones) == {"detected", "acknowledged", "resolved"}
    assert milestones["detected"] == datetime.fromtimestamp(1772632931.544, tz=UTC)
    assert incident.timeline.count() == len(bodies)


def test_opsgenie_takes_the_token_as_basic_auth_or_bearer_and_refuses_others() -> None:
    body = opsgenie_events()[0]
    assert (
        _post("/integrations/opsgenie", body, Authorization=basic("og", OG_TOKEN)).status_code
        == 200
    )
    assert (
        _post("/integrations/opsgenie", body, Authorization=f"Bearer {OG_TOKEN}").status_code == 200
    )
    assert (
        _post("/integrations/opsgenie", body, Authorization=basic("og", "nope")).status_code == 403
    )
    assert _post("/integrations/opsgenie", body).status_code == 403
    assert Incident.objects.count() == 1


def test_an_alertmanager_group_is_one_incident_from_firing_to_resolved() -> None:
    bodies = alertmanager_events()
    answers = [
        _post("/integrations/alertmanager", body, Authorization=f"Bearer {AM_TOKEN}").json()
        for body in bodies
    ]
    checkout = {answers[i]["incident"] for i in (0, 1, 3)}
    assert len(checkout) == 1
    assert answers[2]["incident"] not in checkout  # another group key: another incident
    incident = Incident.objects.get(key=checkout.pop())
    assert (
        incident.title == "CheckoutErrorBudgetBurn: Checkout is burning its error budget too fast"
    )
    assert set(_milestones(incident)) == {"detected", "resolved"}
    assert Incident.objects.count() == 2


def test_alertmanager_basic_auth_and_refusals() -> None:
    body = alertmanager_events()[0]
    auth = basic("alertmanager", AM_TOKEN)
    assert _post("/integrations/alertmanager", body, Authorization=auth).status_code == 200
    assert _post("/integrations/alertmanager", body, Authorization="Bearer x").status_code == 403
    group = json.loads(body)
    del group["groupKey"]
    response = _post("/integrations/alertmanager", json.dumps(group).encode(), Authorization=auth)
    assert response.status_code == 400
    assert "groupKey" in response.json()["error"]


def test_an_unconfigured_token_turns_the_endpoint_off(settings: Any) -> None:
    settings.SECONDSTORY_ALERTMANAGER_WEBHOOK_TOKEN = ""
    body = alertmanager_events()[0]
    response = _post("/integrations/alertmanager", body, Authorization="Bearer ")
    assert response.status_code == 404


def test_a_body_over_2_mb_is_refused_unread() -> None:
    body = b'{"alerts": [], "groupKey": "x", "padding": "' + b"a" * (2 * 1024 * 1024) + b'"}'
    response = _post("/integrations/alertmanager", body, Authorization=f"Bearer {AM_TOKEN}")
    assert response.status_code == 413
    assert not Incident.objects.exists()
