"""PagerDuty v3 deliveries open one incident per PagerDuty incident, with its milestones."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client

from secondstory.accounts.models import Team
from secondstory.alerts_in.models import AlertLink
from secondstory.audit.models import AuditEvent
from secondstory.core.timeline.sources.base import Source
from secondstory.incidents.editing import IncidentFields, create_incident
from secondstory.incidents.importing import ImportRequest, import_events
from secondstory.incidents.models import Incident, Milestone, Service, Severity, TimelineEvent
from tests.apps.alerts_in.conftest import (
    FIXTURES,
    PD_SECRET,
    pagerduty_events,
    pd_signature,
    post_pagerduty,
)

pytestmark = pytest.mark.django_db

PD_ID = "Q2NW8KJ5T3ZPQA"
DETECTED = datetime(2026, 3, 4, 14, 2, 30, 412000, tzinfo=UTC)
ACKNOWLEDGED = datetime(2026, 3, 4, 14, 9, 12, 250000, tzinfo=UTC)
RESOLVED = datetime(2026, 3, 4, 14, 31, 44, 918273, tzinfo=UTC)


def _milestones(incident: Incident) -> dict[str, datetime]:
    return {m.kind.code: m.at for m in incident.milestones.select_related("kind")}


def _deliver_all(bodies: list[bytes]) -> list[dict[str, Any]]:
    client = Client()
    answers = []
    for body in bodies:
        response = post_pagerduty(client, body)
        assert response.status_code == 200, response.content
        answers.append(response.json())
    return answers


def test_a_triggered_incident_opens_an_incident_detected_at_the_trigger() -> None:
    trigger = pagerduty_events()[0]
    answer = post_pagerduty(Client(), trigger).json()
    assert answer["result"] == "created"
    incident = Incident.objects.get(key=answer["incident"])
    assert incident.title == "[FIRING:1] CheckoutErrorBudgetBurn (checkout-api eu-west)"
    assert incident.severity.code == "SEV2"  # urgency high
    assert [(r.system, r.identifier) for r in incident.external_references.all()] == [
        ("pagerduty", PD_ID)
    ]
    assert _milestones(incident) == {"detected": DETECTED}
    event = TimelineEvent.objects.get(incident=incident)
    assert (event.source, event.source_ref, event.kind) == (
        "pagerduty",
        "01EVT0TRIG000000000000001",
        "page",
    )


def test_every_delivery_lands_on_one_incident_with_its_milestones() -> None:
    answers = _deliver_all(pagerduty_events())
    assert {a["incident"] for a in answers} == {answers[0]["incident"]}
    assert [a["result"] for a in answers[:2]] == ["created", "unchanged"]  # a redelivery
    incident = Incident.objects.get()
    assert _milestones(incident) == {
        "detected": DETECTED,
        "acknowledged": ACKNOWLEDGED,
        "resolved": RESOLVED,
    }
    assert incident.timeline.count() == 8  # nine deliveries, one sent twice
    assert AlertLink.objects.get().deliveries == 9


def test_deliveries_in_reverse_order_give_the_same_incident() -> None:
    _deliver_all(list(reversed(pagerduty_events())))
    incident = Incident.objects.get()
    assert _milestones(incident) == {
        "detected": DETECTED,
        "acknowledged": ACKNOWLEDGED,
        "resolved": RESOLVED,
    }
    assert incident.timeline.count() == 8


def test_a_milestone_a_person_moved_is_left_alone() -> None:
    bodies = pagerduty_events()
    _deliver_all(bodies[:1])
    incident = Incident.objects.get()
    moved = datetime(2026, 3, 4, 14, 0, tzinfo=UTC)
    Milestone.objects.filter(incident=incident, kind__code="detected").update(at=moved)
    _deliver_all(bodies[1:])
    assert _milestones(incident)["detected"] == moved
    assert _milestones(incident)["resolved"] == RESOLVED


def test_a_milestone_that_would_break_the_order_is_left_out() -> None:
    bodies = pagerduty_events()
    _deliver_all(bodies[:1])
    incident = Incident.objects.get()
    late = datetime(2026, 3, 4, 15, 0, tzinfo=UTC)
    Milestone.objects.create(incident=incident, kind_id=_kind("mitigated"), at=late)
    answers = _deliver_all(bodies[1:])
    assert "resolved" not in _milestones(incident)  # 14:31 is before mitigated at 15:00
    assert _milestones(incident)["acknowledged"] == ACKNOWLEDGED
    assert answers[-1]["events_added"] == 1  # the event is still on the timeline


def _kind(code: str) -> int:
    from secondstory.incidents.models import MilestoneKind

    return MilestoneKind.objects.get(code=code).pk


def test_service_and_team_come_from_a_service_of_the_same_name(alice: Any) -> None:
    team = Team.objects.create(slug="payments", name="Payments")
    service = Service.objects.create(slug="checkout-api", name="Checkout API", team=team)
    answer = post_pagerduty(Client(), pagerduty_events()[0]).json()
    incident = Incident.objects.get(key=answer["incident"])
    assert list(incident.services.all()) == [service]
    assert list(incident.teams.all()) == [team]


def test_priority_maps_to_severity_and_the_mapping_is_configurable(settings: Any) -> None:
    payload = json.loads(pagerduty_events()[0])
    payload["event"]["data"]["priority"] = {"summary": "P1", "type": "priority_reference"}
    body = json.dumps(payload).encode()
    answer = post_pagerduty(Client(), body).json()
    assert Incident.objects.get(key=answer["incident"]).severity.code == "SEV1"
    settings.SECONDSTORY_ALERT_SEVERITIES = ["P1=SEV3"]
    payload["event"]["data"]["id"] = "OTHER"
    payload["event"]["id"] = "OTHER-EVENT"
    body = json.dumps(payload).encode()
    answer = post_pagerduty(Client(), body).json()
    assert Incident.objects.get(key=answer["incident"]).severity.code == "SEV3"


def test_everything_is_in_the_audit_log_under_the_integration(
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _deliver_all(pagerduty_events()[:4])
    actors = set(AuditEvent.objects.values_list("actor", flat=True))
    assert actors == {"PagerDuty webhook"}
    kinds = set(AuditEvent.objects.values_list("object_type", "action"))
    assert ("incidents.incident", "create") in kinds
    assert ("incidents.milestone", "create") in kinds
    assert ("incidents.incident", "bulk") in kinds  # each delivery's import, summed up


def test_a_file_import_after_the_webhooks_adds_nothing_twice() -> None:
    _deliver_all(pagerduty_events())
    incident = Incident.objects.get()
    before = incident.timeline.count()
    source = Source(FIXTURES / "pagerduty" / "webhooks.jsonl")
    summary = import_events(incident, ImportRequest([source], fmt="pagerduty"))
    assert summary.added == 0
    assert summary.duplicates == summary.parsed
    assert incident.timeline.count() == before


def test_webhooks_after_a_file_import_land_on_that_incident_and_add_nothing(alice: Any) -> None:
    incident = create_incident(
        IncidentFields(
            title="Checkout errors",
            severity=Severity.objects.get(code="SEV1"),
            visibility="internal",
            services=[],
            teams=[],
            tags=[],
            external_references=[("pagerduty", PD_ID, "")],
            milestones={},
        ),
        by=alice,
    )
    source = Source(FIXTURES / "pagerduty" / "webhooks.jsonl")
    added = import_events(incident, ImportRequest([source], fmt="pagerduty")).added
    answers = _deliver_all(pagerduty_events())
    assert {a["incident"] for a in answers} == {incident.key}
    assert {a["events_added"] for a in answers} == {0}
    assert Incident.objects.count() == 1
    assert incident.timeline.count() == added
    assert incident.severity.code == "SEV1"  # the declared incident keeps what people chose


def test_an_unsigned_or_wrongly_signed_delivery_is_refused() -> None:
    body = pagerduty_events()[0]
    client = Client()
    assert (
        client.post("/integrations/pagerduty", body, content_type="application/json").status_code
        == 403
    )
    assert post_pagerduty(client, body, pd_signature(body, "wrong")).status_code == 403
    assert post_pagerduty(client, body + b" ", pd_signature(body)).status_code == 403
    assert not Incident.objects.exists()


def test_any_of_several_signatures_and_secrets_will_do(settings: Any) -> None:
    settings.SECONDSTORY_PAGERDUTY_WEBHOOK_SECRETS = ["another-subscription", PD_SECRET]
    body = pagerduty_events()[0]
    header = f"{pd_signature(body, 'rotated-away')},{pd_signature(body)}"
    assert post_pagerduty(Client(), body, header).status_code == 200


def test_unconfigured_it_is_not_there(settings: Any) -> None:
    settings.SECONDSTORY_PAGERDUTY_WEBHOOK_SECRETS = []
    body = pagerduty_events()[0]
    assert post_pagerduty(Client(), body).status_code == 404


def test_a_bad_body_gets_a_message_naming_the_field() -> None:
    client = Client()
    response = post_pagerduty(client, b"{not json")
    assert response.status_code == 400
    assert response.json() == {"error": "the body is not JSON"}
    payload = json.loads(pagerduty_events()[0])
    del payload["event"]["occurred_at"]
    response = post_pagerduty(client, json.dumps(payload).encode())
    assert response.status_code == 400
    assert "occurred_at" in response.json()["error"]
    response = post_pagerduty(client, b'{"messages": []}')
    assert response.status_code == 400
    assert "event.event_type" in response.json()["error"]
    assert not Incident.objects.exists()


def test_a_ping_or_a_service_event_is_answered_and_ignored() -> None:
    body = json.dumps(
        {
            "event": {
                "id": "P1",
                "event_type": "pagey.ping",
                "occurred_at": "2026-03-04T14:00:00Z",
                "resource_type": "pagey",
                "data": {"message": "Hello from your friend Pagey!", "type": "ping"},
            }
        }
    ).encode()
    response = post_pagerduty(Client(), body)
    assert response.status_code == 200
    assert response.json()["result"] == "ignored"
    assert not Incident.objects.exists()


def test_only_post_is_answered() -> None:
    assert Client().get("/integrations/pagerduty").status_code == 405


def test_an_incident_an_alert_opens_is_announced_to_outgoing_webhooks() -> None:
    from secondstory.outgoing.models import WebhookDelivery, WebhookEndpoint

    WebhookEndpoint.objects.create(
        name="Chat", url="https://chat.example.com/hooks/1", kinds=["incident.created"]
    )
    _deliver_all(pagerduty_events())
    (delivery,) = WebhookDelivery.objects.all()
    assert delivery.payload["type"] == "incident.created"
    assert delivery.payload["data"]["key"] == Incident.objects.get().key


def test_a_delivery_the_import_would_refuse_opens_no_incident() -> None:
    payload = json.loads(pagerduty_events()[0])
    payload["event"]["id"] = "01EVT\x00TRIG"  # PostgreSQL stores no NUL character
    response = post_pagerduty(Client(), json.dumps(payload).encode())
    assert response.status_code == 400
    assert "NUL character" in response.json()["error"]
    assert not Incident.objects.exists()
    assert not AlertLink.objects.exists()
