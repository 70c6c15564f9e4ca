"""Each service emits its event, once, with a payload its schema (and the OpenAPI document)
describes; restricted items never leave with their titles."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
import time_machine
from django.db import transaction

from secondstory.accounts.models import User
from secondstory.actions.services import create_action_item, set_status
from secondstory.incidents.editing import IncidentFields, create_incident
from secondstory.incidents.models import Severity
from secondstory.outgoing import payloads
from secondstory.outgoing.jobs import queue_overdue
from secondstory.outgoing.models import WebhookDelivery, WebhookEndpoint
from secondstory.postmortems.models import Postmortem
from secondstory.postmortems.services import transition

pytestmark = pytest.mark.django_db


def _kinds() -> list[str]:
    return list(WebhookDelivery.objects.order_by("id").values_list("kind", flat=True))


def _declare(user: User, title: str = "Checkout errors", visibility: str = "internal") -> Any:
    return create_incident(
        IncidentFields(
            title=title,
            severity=Severity.objects.get(code="SEV2"),
            visibility=visibility,
            services=[],
            teams=list(user.teams.all()),
            tags=[],
            external_references=[],
            milestones={},
        ),
        by=user,
    )


def _every_kind_once(alice: User, bob: User, postmortem: Postmortem) -> None:
    _declare(alice)
    transition(postmortem, "in_review", by=alice)
    transition(postmortem, "approved", by=bob)
    transition(postmortem, "published", by=alice)
    item = create_action_item(
        postmortem, title="Alert on pool exhaustion", type="detect", priority="P2",
        owner=alice, due=date(2026, 3, 20),
    )  # fmt: skip
    set_status(item, "done")
    set_status(item, "done")  # already done: no second event


def _schema(name: str) -> dict[str, Any]:
    return dict(payloads.openapi_components()[name])


def test_every_event_is_emitted_once_and_matches_its_schema(
    alice: User, bob: User, postmortem: Postmortem, endpoint: WebhookEndpoint
) -> None:
    with time_machine.travel("2026-03-10 09:00Z", tick=False):
        endpoint.created_at = endpoint.created_at.replace(year=2026, month=3, day=1)
        endpoint.save()
        _every_kind_once(alice, bob, postmortem)
    with time_machine.travel("2026-04-10 09:00Z", tick=False):
        assert queue_overdue() == 1  # A1, due 2026-04-04, still open
        assert queue_overdue() == 0
    assert _kinds() == [
        "incident.created",
        "postmortem.review_requested",
        "postmortem.published",
        "action_item.created",
        "action_item.done",
        "action_item.overdue",
    ]
    document = payloads.openapi_document()
    for delivery in WebhookDelivery.objects.all():
        payloads.validate(delivery.payload)  # raises when the payload is not its model's
        operation = document["webhooks"][delivery.kind]["post"]
        ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        schema = _schema(ref.rsplit("/", 1)[1])
        assert set(delivery.payload) == set(schema["properties"]) == set(schema["required"])
        data_ref = schema["properties"]["data"]["$ref"].rsplit("/", 1)[1]
        assert set(delivery.payload["data"]) == set(_schema(data_ref)["properties"])


def test_the_payload_says_what_happened(
    alice: User, bob: User, postmortem: Postmortem, endpoint: WebhookEndpoint
) -> None:
    transition(postmortem, "in_review", by=alice)
    data = WebhookDelivery.objects.get().payload["data"]
    assert data["key"] == postmortem.key
    assert data["title"] == "Checkout errors after a configuration change"
    assert data["status"] == "in_review"
    assert data["owner"] == "alice"
    assert data["incidents"] == ["INC-PM-1"]
    assert data["url"].endswith(f"/postmortems/{postmortem.key}/")
    assert data["restricted"] is False


def test_restricted_items_leave_without_their_titles(
    alice: User, bob: User, restricted: Postmortem, endpoint: WebhookEndpoint
) -> None:
    transition(restricted, "in_review", by=alice)
    incident = _declare(alice, "Secret breach", visibility="restricted")
    for delivery in WebhookDelivery.objects.all():
        assert delivery.payload["data"]["restricted"] is True
        assert delivery.payload["data"]["title"] == ""
    assert WebhookDelivery.objects.filter(payload__data__key=incident.key).exists()


def test_only_active_endpoints_that_subscribe_get_an_event(
    alice: User, endpoint: WebhookEndpoint
) -> None:
    WebhookEndpoint.objects.create(
        name="Off", url=endpoint.url, kinds=["incident.created"], active=False
    )
    WebhookEndpoint.objects.create(name="Other", url=endpoint.url, kinds=["postmortem.published"])
    _declare(alice)
    assert list(WebhookDelivery.objects.values_list("endpoint__name", flat=True)) == ["Receiver"]


def test_a_change_rolled_back_sends_nothing(alice: User, endpoint: WebhookEndpoint) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        _declare(alice)
        raise RuntimeError("the change fails after the incident was written")
    assert not WebhookDelivery.objects.exists()


def test_overdue_items_from_before_the_endpoint_are_not_sent(
    alice: User, postmortem: Postmortem, endpoint: WebhookEndpoint
) -> None:
    # The endpoint was added today; A1 was due on 2026-04-04.
    with time_machine.travel(endpoint.created_at + timedelta(days=400), tick=False):
        assert queue_overdue() == 0


def test_every_reference_of_the_openapi_document_resolves() -> None:
    document = payloads.openapi_document("1.0")
    refs: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            refs.extend(v for k, v in value.items() if k == "$ref")
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(document)
    assert len(refs) > len(payloads.EVENTS)
    for ref in refs:
        target: Any = document
        for part in ref.removeprefix("#/").split("/"):
            target = target[part]
        assert target["type"] == "object"
    assert sorted(document["webhooks"]) == sorted(payloads.EVENTS)
