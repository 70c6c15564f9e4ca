"""Pull sync: the fallback for missed webhooks, and what an outage does (nothing to items)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.utils import timezone

from secondstory.actions.models import ActionItem
from secondstory.notify.stopping import clear_stop, request_stop
from secondstory.trackers import jobs
from secondstory.trackers.models import SyncLog, TrackerConnection, TrackerLink
from secondstory.trackers.services import create_issue, pull_sync
from tests.apps.trackers.fake_trackers import FakeTracker

CLOSED_AT = datetime(2026, 4, 2, 10, 15, tzinfo=UTC)


def linked(item: ActionItem, connection: TrackerConnection) -> TrackerLink:
    return create_issue(item, connection)


def snapshot(item: ActionItem) -> tuple[object, ...]:
    item.refresh_from_db()
    return (item.status, item.completed_at, item.title, item.due, item.tracker_url, item.reason)


def test_pull_closes_the_item_when_the_issue_was_closed(
    item: ActionItem, tracker: FakeTracker, connection: TrackerConnection
) -> None:
    link = linked(item, connection)
    report = pull_sync()
    assert (report.checked, report.changed, report.failed) == (1, 0, 0)
    assert snapshot(item)[0] == "open"
    tracker.set_state(link.external_id, closed=True)
    report = jobs.pull_sync()
    assert (report.checked, report.changed) == (1, 1)
    item.refresh_from_db()
    assert item.status == "done" and item.completed_at == CLOSED_AT
    entry = SyncLog.objects.filter(item=item, direction="pull").get()
    assert (entry.old_status, entry.new_status, entry.outcome) == ("open", "done", "ok")
    assert "pull sync" in entry.reason
    request = tracker.requests[-1]
    if tracker.kind == "github":
        assert request.path == f"/repos/acme/checkout/issues/{link.external_id}"
    elif tracker.kind == "gitlab":
        assert request.path == f"/api/v4/projects/payments%2Fcheckout/issues/{link.external_id}"
    elif tracker.kind == "jira":
        assert request.path.startswith(f"/rest/api/3/issue/{link.external_id}?fields=")
    else:
        assert request.body["variables"] == {"id": link.external_id}
    # reopened in the tracker: the next pull reopens the item
    tracker.set_state(link.external_id, closed=False)
    assert pull_sync().changed == 1
    assert snapshot(item)[0] == "open"


def test_pull_does_not_undo_a_change_made_by_hand(
    item: ActionItem, tracker: FakeTracker, connection: TrackerConnection
) -> None:
    link = linked(item, connection)
    tracker.set_state(link.external_id, closed=True)
    pull_sync()
    item.refresh_from_db()
    item.status, item.completed_at = "open", None
    item.save()
    assert pull_sync().changed == 0
    assert snapshot(item)[0] == "open"


def test_errors_leave_the_item_intact_and_are_retried(
    item: ActionItem, tracker: FakeTracker, connection: TrackerConnection
) -> None:
    link = linked(item, connection)
    tracker.set_state(link.external_id, closed=True)
    before = snapshot(item)
    failures = [
        ((401, {}, {"message": "Bad credentials"}), "refused the token (HTTP 401)"),
        ((404, {}, {"message": "Not Found"}), "HTTP 404"),
        ((500, {}, {"message": "Server Error"}), "HTTP 500"),
        ((200, {}, {"unexpected": True}), "answered without"),
        ("slow", "did not answer within 0.3s"),
    ]
    for failure, message in failures:
        tracker.failure = failure
        report = pull_sync()
        assert (report.failed, report.changed) == (1, 0)
        assert snapshot(item) == before
        entry = SyncLog.objects.filter(item=item, direction="pull").first()
        assert entry is not None and entry.outcome == "failed"
        assert message in entry.error, (failure, entry.error)
        assert entry.old_status == entry.new_status == ""
    link.refresh_from_db()
    assert link.state == "open"
    tracker.failure = None
    report = pull_sync()
    assert (report.failed, report.changed) == (0, 1)
    item.refresh_from_db()
    assert item.status == "done"


def test_rate_limit_pauses_until_retry_after(
    item: ActionItem, tracker: FakeTracker, connection: TrackerConnection
) -> None:
    link = linked(item, connection)
    tracker.set_state(link.external_id, closed=True)
    tracker.failure = (429, {"Retry-After": "120"}, {"message": "API rate limit exceeded"})
    started = timezone.now()
    report = pull_sync()
    assert (report.failed, report.changed) == (1, 0)
    connection.refresh_from_db()
    assert connection.paused_until is not None
    assert started + timedelta(seconds=119) <= connection.paused_until
    assert connection.paused_until <= timezone.now() + timedelta(seconds=121)
    entry = SyncLog.objects.get(item=item, direction="pull")
    assert entry.outcome == "failed" and "paused until" in entry.reason
    assert snapshot(item)[0] == "open"
    # before Retry-After has passed, the tracker is not called at all
    calls = len(tracker.requests)
    tracker.failure = None
    report = pull_sync()
    assert (report.checked, report.skipped) == (0, 1)
    assert len(tracker.requests) == calls
    # once it has, the pull goes on and clears the pause
    TrackerConnection.objects.filter(pk=connection.pk).update(
        paused_until=timezone.now() - timedelta(seconds=1)
    )
    assert pull_sync().changed == 1
    connection.refresh_from_db()
    assert connection.paused_until is None
    assert snapshot(item)[0] == "done"


def test_rate_limit_with_an_http_date(
    item: ActionItem, tracker: FakeTracker, connection: TrackerConnection
) -> None:
    linked(item, connection)
    tracker.failure = (429, {"Retry-After": "Wed, 21 Oct 2099 07:28:00 GMT"}, {})
    pull_sync()
    connection.refresh_from_db()
    assert connection.paused_until == datetime(2099, 10, 21, 7, 28, tzinfo=UTC)


def test_disabled_connections_are_not_pulled(
    item: ActionItem, tracker: FakeTracker, connection: TrackerConnection
) -> None:
    linked(item, connection)
    calls = len(tracker.requests)
    connection.enabled = False
    connection.save()
    assert pull_sync().checked == 0
    assert len(tracker.requests) == calls


def test_github_secondary_rate_limit_is_a_pause_not_a_refusal(
    item: ActionItem, tracker: FakeTracker, connection: TrackerConnection
) -> None:
    linked(item, connection)
    tracker.failure = (403, {"Retry-After": "30"}, {"message": "secondary rate limit"})
    pull_sync()
    connection.refresh_from_db()
    assert connection.paused_until is not None
    assert "rate limit reached (HTTP 403)" in SyncLog.objects.get(direction="pull").error
    tracker.failure = (403, {}, {"message": "Resource not accessible by integration"})
    TrackerConnection.objects.filter(pk=connection.pk).update(paused_until=None)
    pull_sync()
    assert "refused the token (HTTP 403)" in SyncLog.objects.filter(direction="pull").first().error  # type: ignore[union-attr]


def test_a_stopping_worker_calls_the_tracker_no_more(
    item: ActionItem, tracker: FakeTracker, connection: TrackerConnection
) -> None:
    link = linked(item, connection)
    tracker.set_state(link.external_id, closed=True)
    request_stop()
    try:
        report = pull_sync()
    finally:
        clear_stop()
    assert (report.checked, report.changed, report.skipped) == (0, 0, 1)
    assert pull_sync().changed == 1
