"""Create an issue from an action item, then close and reopen it from the tracker by webhook."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from secondstory.accounts.models import User
from secondstory.actions.models import ActionItem
from secondstory.trackers.models import SyncLog, TrackerConnection, TrackerLink
from tests.apps.conftest import client_for
from tests.apps.trackers.conftest import connect
from tests.apps.trackers.fake_trackers import (
    SECRET,
    UNRELATED,
    FakeTracker,
    delivery,
    hex_signature,
    serve,
    signed,
)

CLOSED_AT = datetime(2026, 4, 2, 10, 15, tzinfo=UTC)


def create_url(item: ActionItem) -> str:
    return f"/trackers/postmortems/{item.postmortem.key}/actions/{item.key}/issue/"


def hook_url(connection: TrackerConnection) -> str:
    return f"/trackers/hooks/{connection.pk}/"


def send(connection: TrackerConnection, body: bytes, headers: dict[str, str]) -> int:
    response = Client().post(
        hook_url(connection), data=body, content_type="application/json", headers=headers
    )
    return response.status_code


def create(alice: User, item: ActionItem, connection: TrackerConnection) -> TrackerLink:
    response = client_for(alice).post(create_url(item), {"connection": connection.pk})
    assert response.status_code == 302
    return TrackerLink.objects.get(item=item, connection=connection)


def test_round_trip(
    alice: User, item: ActionItem, tracker: FakeTracker, connection: TrackerConnection
) -> None:
    link = create(alice, item, connection)
    item.refresh_from_db()
    assert item.tracker_url == link.url
    assert link.state == "open"
    sent = tracker.requests[-1]
    assert sent.method == "POST"
    text = str(sent.body)
    assert "Validate pool sizes in the config tool" in text
    assert "https://postmortems.example.com/postmortems/PM-1/#action-A1" in text
    assert "A pool size below 5 is refused with a message." in text
    assert "2026-04-04" in text
    created = SyncLog.objects.get(item=item, direction="create")
    assert created.outcome == "ok" and link.external_key in created.reason

    body, headers = delivery(tracker.kind, link.external_id, closed=True, at=CLOSED_AT)
    assert send(connection, body, headers) == 200
    item.refresh_from_db()
    assert item.status == "done"
    assert item.completed_at == CLOSED_AT
    entry = SyncLog.objects.filter(item=item, direction="inbound").first()
    assert entry is not None
    assert (entry.old_status, entry.new_status, entry.outcome) == ("open", "done", "ok")
    assert "closed" in entry.reason or "completed" in entry.reason or "done" in entry.reason

    body, headers = delivery(tracker.kind, link.external_id, closed=False, at=CLOSED_AT)
    assert send(connection, body, headers) == 200
    item.refresh_from_db()
    assert item.status == "open" and item.completed_at is None


def test_create_request_shapes(
    alice: User, item: ActionItem, tracker: FakeTracker, connection: TrackerConnection
) -> None:
    create(alice, item, connection)
    sent = tracker.requests[-1]
    if tracker.kind == "github":
        assert sent.path == "/repos/acme/checkout/issues"
        assert sent.headers["accept"] == "application/vnd.github+json"
        assert sent.headers["x-github-api-version"] == "2022-11-28"
        assert set(sent.body) == {"title", "body"}
    elif tracker.kind == "gitlab":
        assert sent.path == "/api/v4/projects/payments%2Fcheckout/issues"
        assert set(sent.body) == {"title", "description"}
    elif tracker.kind == "jira":
        assert sent.path == "/rest/api/3/issue"
        fields = sent.body["fields"]
        assert fields["issuetype"] == {"name": "Task"}
        assert fields["summary"] == item.title
        description = fields["description"]
        assert description["type"] == "doc" and description["version"] == 1
        marks = [
            node.get("marks")
            for paragraph in description["content"]
            for node in paragraph["content"]
        ]
        assert [
            {
                "type": "link",
                "attrs": {"href": "https://postmortems.example.com/postmortems/PM-1/#action-A1"},
            }
        ] in marks
    else:
        assert sent.path == "/graphql"
        assert "issueCreate(input: $input)" in sent.body["query"]
        assert sent.body["variables"]["input"]["teamId"] == "team-7"


def test_forged_webhook_is_refused_and_logged(
    alice: User, item: ActionItem, tracker: FakeTracker, connection: TrackerConnection,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    link = create(alice, item, connection)
    body, headers = delivery(
        tracker.kind, link.external_id, closed=True, at=CLOSED_AT, secret="guess"
    )
    with caplog.at_level(logging.WARNING, logger="secondstory.trackers"):
        assert send(connection, body, headers) == 403
    assert "refused webhook" in caplog.text
    genuine, genuine_headers = delivery(tracker.kind, link.external_id, closed=True, at=CLOSED_AT)
    # the genuine body with the signature of another body
    _, other_headers = delivery(tracker.kind, link.external_id, closed=False, at=CLOSED_AT)
    if tracker.kind != "gitlab":
        assert send(connection, genuine, other_headers) == 403
    assert send(connection, genuine, {}) == 403
    item.refresh_from_db()
    assert item.status == "open"
    assert not SyncLog.objects.filter(item=item, direction="inbound").exists()
    assert send(connection, genuine, genuine_headers) == 200
    item.refresh_from_db()
    assert item.status == "done"


def test_webhook_without_secret_is_refused(
    item: ActionItem, tracker: FakeTracker, connection: TrackerConnection
) -> None:
    connection.webhook_secret = ""
    connection.save()
    body, headers = delivery(tracker.kind, "1", closed=True, at=CLOSED_AT, secret="")
    assert send(connection, body, headers) == 403


def test_other_events_and_unknown_issues_are_ignored(
    alice: User, item: ActionItem, tracker: FakeTracker, connection: TrackerConnection
) -> None:
    link = create(alice, item, connection)
    body, headers = delivery(tracker.kind, "999999", closed=True, at=CLOSED_AT)
    response = Client().post(
        hook_url(connection), data=body, content_type="application/json", headers=headers
    )
    assert response.status_code == 200 and response.json() == {"result": "not linked"}
    payload = dict(UNRELATED[tracker.kind])
    body, headers = signed(tracker.kind, payload)
    response = Client().post(
        hook_url(connection), data=body, content_type="application/json", headers=headers
    )
    assert response.status_code == 200 and response.json() == {"result": "ignored"}
    item.refresh_from_db()
    assert item.status == "open"
    assert link.external_id in {"1", "10001", "9c1f0001-linear-uuid"}
    assert not SyncLog.objects.filter(item=item, direction="inbound").exists()


def test_body_that_is_not_json_is_refused(
    item: ActionItem, tracker: FakeTracker, connection: TrackerConnection
) -> None:
    body = b"closed=1"
    _, headers = signed(tracker.kind, {})
    digest = hex_signature(SECRET, body)
    for name in headers:
        if "Signature" in name:
            headers[name] = digest if name == "Linear-Signature" else f"sha256={digest}"
    assert send(connection, body, headers) == 400


def test_stale_linear_delivery_is_refused(alice: User, item: ActionItem) -> None:
    with serve("linear") as fake:
        connection = connect(fake)
        link = create(alice, item, connection)
        stale = int((timezone.now() - timedelta(hours=1)).timestamp() * 1000)
        payload = {
            "action": "update", "type": "Issue", "webhookTimestamp": stale,
            "data": {"id": link.external_id, "state": {"type": "completed"}},
            "updatedFrom": {"stateId": "s-1"},
        }  # fmt: skip
        body, headers = signed("linear", payload)
        assert send(connection, body, headers) == 403
        payload["webhookTimestamp"] = int(timezone.now().timestamp() * 1000)
        body, headers = signed("linear", payload)
        assert send(connection, body, headers) == 200
    item.refresh_from_db()
    assert item.status == "done"


def test_webhook_needs_no_session_or_csrf_token(
    alice: User, item: ActionItem, tracker: FakeTracker, connection: TrackerConnection
) -> None:
    link = create(alice, item, connection)
    body, headers = delivery(tracker.kind, link.external_id, closed=True, at=CLOSED_AT)
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        hook_url(connection), data=body, content_type="application/json", headers=headers
    )
    assert response.status_code == 200


def test_get_on_hook_is_not_allowed(connection: TrackerConnection) -> None:
    assert Client().get(hook_url(connection)).status_code == 405
