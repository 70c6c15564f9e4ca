"""How tracker states map onto items, and the parsing of what trackers send."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from secondstory.actions.models import ActionItem
from secondstory.actions.services import set_status
from secondstory.trackers.clients import parse_time, retry_at
from secondstory.trackers.models import SyncLog, TrackerConnection, TrackerLink
from secondstory.trackers.services import apply_state
from secondstory.trackers.webhooks import parse

AT = datetime(2026, 4, 2, 10, 15, tzinfo=UTC)


@pytest.fixture
def link(item: ActionItem) -> TrackerLink:
    connection = TrackerConnection.objects.create(
        kind="linear", name="Linear", base_url="http://127.0.0.1:1/graphql", project="team-7"
    )
    return TrackerLink.objects.create(
        item=item, connection=connection, external_id="abc", external_key="ENG-1",
        url="https://linear.app/acme/issue/ENG-1", state="open",
    )  # fmt: skip


def test_an_item_not_being_done_is_not_marked_done(item: ActionItem, link: TrackerLink) -> None:
    set_status(item, "not_doing", reason="Replaced by the new config service.")
    entry = apply_state(link, "closed", at=AT, direction="inbound", reason="Linear issue completed")
    item.refresh_from_db()
    assert item.status == "not_doing" and item.reason == "Replaced by the new config service."
    assert entry is not None and not entry.changed and "stays not doing" in entry.reason


def test_a_canceled_issue_does_not_complete_the_item(item: ActionItem, link: TrackerLink) -> None:
    entry = apply_state(link, "canceled", at=AT, direction="inbound", reason="Linear canceled")
    item.refresh_from_db()
    assert item.status == "open" and entry is not None and entry.outcome == "ok"


def test_in_progress_item_is_done_when_closed(item: ActionItem, link: TrackerLink) -> None:
    set_status(item, "in_progress")
    apply_state(link, "closed", at=AT, direction="inbound", reason="closed")
    item.refresh_from_db()
    assert (item.status, item.completed_at) == ("done", AT)


def test_a_completion_time_in_the_future_is_not_believed(
    item: ActionItem, link: TrackerLink
) -> None:
    later = timezone.now() + timedelta(days=3)
    apply_state(link, "closed", at=later, direction="inbound", reason="closed")
    item.refresh_from_db()
    assert item.completed_at is not None and item.completed_at <= timezone.now()


def test_duplicate_deliveries_change_the_item_once(item: ActionItem, link: TrackerLink) -> None:
    apply_state(link, "closed", at=AT, direction="inbound", reason="closed")
    apply_state(link, "closed", at=AT + timedelta(hours=1), direction="inbound", reason="closed")
    item.refresh_from_db()
    assert item.completed_at == AT
    assert [e.changed for e in SyncLog.objects.filter(item=item).order_by("id")] == [True, False]


def test_times_as_trackers_write_them() -> None:
    assert parse_time("2026-04-02T10:15:00Z") == AT
    assert parse_time("2026-04-02T10:15:00.000+0000") == AT
    assert parse_time("2026-04-02 10:15:00 UTC") == AT
    assert parse_time("yesterday") is None and parse_time(None) is None
    now = datetime(2026, 4, 2, tzinfo=UTC)
    assert retry_at("30", now) == now + timedelta(seconds=30)
    assert retry_at("soon", now) == now + timedelta(seconds=60)
    assert retry_at(None, now) == now + timedelta(seconds=60)


def connection_of(kind: str) -> TrackerConnection:
    return TrackerConnection(kind=kind, name=kind, base_url="http://127.0.0.1:1", project="p")


def test_jira_status_change_into_and_out_of_done() -> None:
    payload = {
        "timestamp": int(AT.timestamp() * 1000), "webhookEvent": "jira:issue_updated",
        "issue": {"id": "10001", "fields": {"status": {"statusCategory": {"key": "done"}}}},
        "changelog": {"items": [{"field": "status", "fieldId": "status"}]},
    }  # fmt: skip
    event = parse(connection_of("jira"), {}, payload)
    assert event is not None
    assert (event.external_id, event.state, event.at) == ("10001", "closed", AT)
    payload["issue"]["fields"]["status"]["statusCategory"]["key"] = "indeterminate"  # type: ignore[index]
    event = parse(connection_of("jira"), {}, payload)
    assert event is not None and event.state == "open"
    assert parse(connection_of("jira"), {}, {"webhookEvent": "jira:issue_created"}) is None


def test_github_events_other_than_issues_are_ignored() -> None:
    payload = {"action": "closed", "issue": {"number": 3}}
    assert parse(connection_of("github"), {"X-GitHub-Event": "pull_request"}, payload) is None
    assert parse(connection_of("github"), {"X-GitHub-Event": "ping"}, {"zen": "x"}) is None
    event = parse(connection_of("github"), {"X-GitHub-Event": "issues"}, payload)
    assert event is not None and event.state == "closed"


@pytest.mark.parametrize("kind", ["github", "gitlab", "jira", "linear"])
def test_garbage_payloads_are_ignored(kind: str) -> None:
    for payload in ([], "closed", 3, {"issue": None}, {"object_attributes": []}):
        assert parse(connection_of(kind), {"X-GitHub-Event": "issues"}, payload) is None
