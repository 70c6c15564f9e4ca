"""Creating an issue from the postmortem page: who may, what they see, and failures."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from secondstory.accounts.models import User
from secondstory.actions.models import ActionItem
from secondstory.postmortems.models import Postmortem
from secondstory.trackers.clients import TrackerError
from secondstory.trackers.models import SyncLog, TrackerConnection, TrackerLink
from secondstory.trackers.services import create_issue
from tests.apps.conftest import client_for
from tests.apps.trackers.conftest import connect
from tests.apps.trackers.fake_trackers import FakeTracker, serve


def create_url(item: ActionItem) -> str:
    return f"/trackers/postmortems/{item.postmortem.key}/actions/{item.key}/issue/"


def page(user: User, key: str = "PM-1") -> str:
    response = client_for(user).get(f"/postmortems/{key}/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def github(db: None) -> Iterator[FakeTracker]:
    with serve("github") as fake:
        yield fake


def test_editors_see_the_create_form_readers_do_not(
    alice: User, charlie: User, item: ActionItem, github: FakeTracker
) -> None:
    connect(github)
    assert "Create an issue" in page(alice)
    assert "Create an issue" not in page(charlie)
    response = client_for(charlie).post(
        create_url(item), {"connection": TrackerConnection.objects.get().pk}
    )
    assert response.status_code == 403
    assert not TrackerLink.objects.exists()
    assert github.requests == []


def test_no_connection_no_form(alice: User, item: ActionItem) -> None:
    assert "Create an issue" not in page(alice)


def test_page_shows_link_and_sync_log(alice: User, item: ActionItem, github: FakeTracker) -> None:
    connection = connect(github)
    response = client_for(alice).post(create_url(item), {"connection": connection.pk}, follow=True)
    html = response.content.decode()
    assert "A1 is now acme/checkout#1 in github checkout." in html
    assert 'href="https://github.com/acme/checkout/issues/1"' in html
    assert "Sync log" in html and "GitHub issue acme/checkout#1 created" in html
    # one issue per tracker: the form is gone once linked
    assert "Create an issue" not in html


def test_restricted_postmortem_is_not_found_for_outsiders(
    charlie: User, restricted: Postmortem, github: FakeTracker
) -> None:
    connection = connect(github)
    item = restricted.action_items.get()
    response = client_for(charlie).post(create_url(item), {"connection": connection.pk})
    assert response.status_code == 404
    assert github.requests == []


def test_bad_connection_names_the_field(alice: User, item: ActionItem) -> None:
    response = client_for(alice).post(create_url(item), {"connection": "x"}, follow=True)
    assert "connection: choose one of the trackers offered." in response.content.decode()
    response = client_for(alice).post(create_url(item), {"connection": "4711"}, follow=True)
    assert "connection: choose one of the trackers offered." in response.content.decode()


def test_failed_create_is_shown_and_logged(
    alice: User, item: ActionItem, github: FakeTracker
) -> None:
    connection = connect(github)
    github.failure = (401, {}, {"message": "Bad credentials"})
    response = client_for(alice).post(create_url(item), {"connection": connection.pk}, follow=True)
    html = response.content.decode()
    assert "the issue was not created (GitHub refused the token (HTTP 401))" in html
    assert not TrackerLink.objects.exists()
    entry = SyncLog.objects.get(item=item)
    assert (entry.direction, entry.outcome) == ("create", "failed")
    item.refresh_from_db()
    assert item.tracker_url == ""


def test_unreachable_tracker(alice: User, item: ActionItem, github: FakeTracker) -> None:
    connection = connect(github)
    connection.base_url = "http://127.0.0.1:1"
    connection.save()
    with pytest.raises(TrackerError, match="could not reach GitHub"):
        create_issue(item, connection)
    assert SyncLog.objects.get(item=item).outcome == "failed"


def test_a_second_issue_in_the_same_tracker_is_refused(
    item: ActionItem, github: FakeTracker
) -> None:
    connection = connect(github)
    create_issue(item, connection)
    with pytest.raises(TrackerError, match="already has an issue"):
        create_issue(item, connection)
    assert len(github.requests) == 1


def test_an_unusable_issue_address_is_refused(item: ActionItem, github: FakeTracker) -> None:
    connection = connect(github)
    github.failure = (201, {}, {"number": 1, "html_url": "javascript:alert(1)", "state": "open"})
    with pytest.raises(TrackerError, match="unusable issue address"):
        create_issue(item, connection)
    assert not TrackerLink.objects.exists()
    item.refresh_from_db()
    assert item.tracker_url == ""
