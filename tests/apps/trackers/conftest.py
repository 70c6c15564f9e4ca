"""Fixtures for tracker tests: a local fake tracker per kind and a connection to it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from secondstory.actions.models import ActionItem
from secondstory.postmortems.models import Postmortem
from secondstory.trackers.models import TrackerConnection
from tests.apps.trackers.fake_trackers import (
    JIRA_ACCOUNT,
    PROJECTS,
    SECRET,
    TOKEN,
    FakeTracker,
    serve,
)

KINDS = ["github", "gitlab", "jira", "linear"]


@pytest.fixture(autouse=True)
def short_timeout(settings: Any) -> None:
    settings.SECONDSTORY_TRACKER_TIMEOUT = 0.3
    settings.SECONDSTORY_BASE_URL = "https://postmortems.example.com"


@pytest.fixture(params=KINDS)
def tracker(request: pytest.FixtureRequest) -> Iterator[FakeTracker]:
    with serve(request.param) as fake:
        yield fake


def connect(fake: FakeTracker, **fields: Any) -> TrackerConnection:
    connection = TrackerConnection(
        kind=fake.kind,
        name=f"{fake.kind} checkout",
        base_url=fake.base_url,
        project=PROJECTS[fake.kind],
        account=JIRA_ACCOUNT if fake.kind == "jira" else "",
        **fields,
    )
    connection.token = TOKEN
    connection.webhook_secret = SECRET
    connection.save()
    return connection


@pytest.fixture
def connection(tracker: FakeTracker, db: None) -> TrackerConnection:
    return connect(tracker)


@pytest.fixture
def item(postmortem: Postmortem) -> ActionItem:
    found = postmortem.action_items.get()
    found.done_criterion = "A pool size below 5 is refused with a message."
    found.save()
    return found
