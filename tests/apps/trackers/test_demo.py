"""On the demo organisation: an overdue item filed in each tracker, closed by a signed webhook."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from secondstory.actions.models import ActionItem
from secondstory.postmortems.demo import load_demo
from secondstory.trackers.models import TrackerLink
from tests.apps.conftest import client_for
from tests.apps.trackers.conftest import KINDS, connect
from tests.apps.trackers.fake_trackers import delivery, serve


@pytest.mark.django_db
def test_demo_items_round_trip_through_every_tracker() -> None:
    load_demo(login=False)
    today = timezone.localdate()
    overdue = list(
        ActionItem.objects.filter(status__in=("open", "in_progress"), due__lt=today)
        .select_related("postmortem__owner")
        .order_by("id")[: len(KINDS)]
    )
    assert len(overdue) == len(KINDS)
    closed_at = timezone.now() - timedelta(hours=2)
    for kind, item in zip(KINDS, overdue, strict=True):
        with serve(kind) as fake:
            connection = connect(fake)
            editor = client_for(item.postmortem.owner)
            url = f"/trackers/postmortems/{item.postmortem.key}/actions/{item.key}/issue/"
            assert editor.post(url, {"connection": connection.pk}).status_code == 302
            link = TrackerLink.objects.get(item=item, connection=connection)
            body, headers = delivery(kind, link.external_id, closed=True, at=closed_at)
            response = Client().post(
                f"/trackers/hooks/{connection.pk}/",
                data=body,
                content_type="application/json",
                headers=headers,
            )
            assert response.status_code == 200
        item.refresh_from_db()
        assert item.status == "done", kind
        assert item.done_late
        assert abs((item.completed_at - closed_at).total_seconds()) < 1  # type: ignore[operator]
        assert item.tracker_url == link.url
