"""Other sources' sightings of an event ("Also reported by"), read in one query per window."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from secondstory.accounts.models import User
from secondstory.incidents.models import EventReference, TimelineEvent
from secondstory.postmortems.models import Postmortem
from tests.apps.conftest import client_for

HTMX = {"HTTP_HX_REQUEST": "true"}


def _sighted(text_start: str, *sources: tuple[str, int]) -> TimelineEvent:
    event = TimelineEvent.objects.get(text__startswith=text_start)
    for source, second in sources:
        EventReference.objects.create(
            incident=event.incident,
            event=event,
            source=source,
            source_ref=f"{source}-{event.pk}",
            at=datetime(2026, 3, 4, 13, 0, second, tzinfo=UTC),
            text="seen",
        )
    return event


def _also(html: str) -> list[str]:
    return [line for line in html.split("<p") if 'class="event-also"' in line]


def test_the_page_lists_each_events_sightings_in_time_order(
    postmortem: Postmortem, bob: User
) -> None:
    _sighted("CheckoutErrorRate firing", ("pagerduty", 30), ("grafana", 10))
    html = client_for(bob).get(f"/postmortems/{postmortem.key}/").content.decode()
    also = _also(html)
    assert len(also) == 1, "only the sighted event says so"
    assert also[0].index("grafana") < also[0].index("pagerduty")


def test_sightings_take_one_query_whatever_their_number(
    postmortem: Postmortem, bob: User, settings: Any
) -> None:
    settings.SECONDSTORY_KEPT_FRAGMENTS = 0  # the window read on every view, not kept
    client = client_for(bob)
    url = f"/postmortems/{postmortem.key}/"
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    for event in TimelineEvent.objects.filter(incident__postmortems=postmortem):
        _sighted(event.text[:20], ("grafana", 1), ("pagerduty", 2))
    with CaptureQueriesContext(connection) as after:
        html = client.get(url).content.decode()
    assert (
        len(_also(html)) == TimelineEvent.objects.filter(incident__postmortems=postmortem).count()
    )
    assert len(after.captured_queries) == len(before.captured_queries)


def test_a_starred_event_keeps_its_sightings(postmortem: Postmortem, alice: User) -> None:
    event = _sighted("CheckoutErrorRate firing", ("grafana", 10))
    url = f"/postmortems/{postmortem.key}/timeline/events/{event.pk}/star/"
    response = client_for(alice).post(url, {"starred": "1"}, **HTMX)
    assert response.status_code == 200
    assert len(_also(response.content.decode())) == 1
    assert "grafana" in _also(response.content.decode())[0]
