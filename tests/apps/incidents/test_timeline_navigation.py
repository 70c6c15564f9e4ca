"""Finding one's way through a long timeline: key events, jumps, collapsed chatter."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from django.urls import reverse

from secondstory.accounts.models import User
from secondstory.incidents import timeline_context
from secondstory.incidents.models import Incident, TimelineEvent
from secondstory.postmortems.models import Postmortem
from tests.apps.conftest import client_for
from tests.apps.factories import START

HTMX = {"HTTP_HX_REQUEST": "true"}
DAY = START + timedelta(days=2)  # after every event of the shared fixture


@pytest.fixture
def chatty(postmortem: Postmortem, monkeypatch: pytest.MonkeyPatch) -> Incident:
    """Two days later: Ana says five things in one minute, Bo two, then 30 status lines."""
    monkeypatch.setattr(timeline_context, "WINDOW", 10)
    incident = postmortem.incidents.get()
    rows = [
        TimelineEvent(
            incident=incident,
            at=DAY + timedelta(seconds=5 * n),
            kind="chat",
            source="slack",
            source_ref=f"ana-{n}",
            actor="Ana",
            text=f"Ana says {n}",
        )
        for n in range(5)
    ]
    rows += [
        TimelineEvent(
            incident=incident,
            at=DAY + timedelta(seconds=40 + n),
            kind="chat",
            source="slack",
            source_ref=f"bo-{n}",
            actor="Bo",
            text=f"Bo says {n}",
        )
        for n in range(2)
    ]
    rows += [
        TimelineEvent(
            incident=incident,
            at=DAY + timedelta(minutes=5 + n),
            kind="status",
            source="statuspage",
            source_ref=f"status-{n:02d}",
            text=f"Status line {n:02d}",
        )
        for n in range(30)
    ]
    TimelineEvent.objects.bulk_create(rows)
    return incident


def timeline(user: User, **params: str) -> str:
    path = reverse("postmortems:timeline", args=["PM-1"])
    return client_for(user).get(path, params).content.decode()


def test_a_run_of_chat_collapses_and_opens(chatty: Incident, charlie: User) -> None:
    first = TimelineEvent.objects.get(source_ref="ana-0")
    html = timeline(charlie, kind="chat")
    assert "Ana says 0" in html and "Ana says 1" not in html
    assert "4 more messages from Ana in this minute" in html
    assert "Bo says 0" in html and "Bo says 1" in html  # two messages stay as they are
    # Without JavaScript: the link opens the timeline at the run, every message shown.
    assert f"chatter=on&amp;event={first.pk}#event-{first.pk}" in html
    opened = timeline(charlie, kind="chat", chatter="on", event=str(first.pk))
    assert all(f"Ana says {n}" in opened for n in range(5))
    # With htmx: the four hidden messages alone.
    path = reverse("postmortems:timeline", args=["PM-1"])
    part = client_for(charlie).get(
        path, {"kind": "chat", "after": first.pk, "size": 4, "part": "run"}, **HTMX
    )
    fragment = part.content.decode()
    assert [n for n in range(5) if f"Ana says {n}<" in fragment] == [1, 2, 3, 4]
    assert "<section" not in fragment and "more messages" not in fragment
    # Jumping to a hidden message opens its run.
    hidden = TimelineEvent.objects.get(source_ref="ana-3")
    jumped = timeline(charlie, kind="chat", event=str(hidden.pk))
    assert f'id="event-{hidden.pk}"' in jumped


def test_jumping_to_an_event_opens_the_window_that_starts_with_it(
    chatty: Incident, charlie: User
) -> None:
    target = TimelineEvent.objects.get(source_ref="status-20")
    html = timeline(charlie, event=str(target.pk))
    assert f'<li id="event-{target.pk}" class="event kind-status jumped-to">' in html
    assert "Status line 19" not in html and "Status line 29" in html
    assert "Back to the first events" in html
    gone = timeline(charlie, event="999999999")
    assert "That event is not on this timeline" in gone


def test_the_postmortem_page_follows_an_event_link(chatty: Incident, charlie: User) -> None:
    target = TimelineEvent.objects.get(source_ref="status-25")
    url = reverse("postmortems:detail", args=["PM-1"])
    html = client_for(charlie).get(url, {"event": target.pk}).content.decode()
    assert f'id="event-{target.pk}"' in html


def test_jump_to_a_time_reads_it_in_the_display_zone(chatty: Incident, charlie: User) -> None:
    moment = DAY + timedelta(minutes=12, seconds=30)  # typed to the minute: 12, status 07
    target = TimelineEvent.objects.get(source_ref="status-07")
    # The page shows times in UTC (the default zone): what is typed is read in UTC.
    utc = timeline(charlie, at=moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M"))
    assert f'<li id="event-{target.pk}" class="event kind-status jumped-to">' in utc
    assert "Status line 06" not in utc
    # The same wall-clock time of Central Europe is an hour later in UTC: past the last event.
    local = timeline(charlie, at=moment.astimezone(START.tzinfo).strftime("%Y-%m-%dT%H:%M"))
    assert "No event at or after that time." in local
    bad = timeline(charlie, at="yesterday-ish")
    assert "Jump to: “yesterday-ish” is not a date and time" in bad


def test_key_events_are_starred_decisions_milestones_and_first_alert_and_page(
    chatty: Incident, charlie: User
) -> None:
    events = TimelineEvent.objects.filter(incident=chatty)
    TimelineEvent.objects.filter(source_ref="status-03").update(starred=True)
    TimelineEvent.objects.filter(source_ref="status-04").update(kind="decision")
    html = timeline(charlie, view="key")
    first_alert = events.filter(kind="alert").order_by("at", "source", "source_ref").first()
    assert first_alert is not None and f'id="event-{first_alert.pk}"' in html
    later_alerts = events.filter(kind="alert").exclude(pk=first_alert.pk)
    assert all(f'id="event-{e.pk}"' not in html for e in later_alerts if not e.starred)
    assert "Status line 03" in html and "Status line 04" in html
    assert "Status line 05" not in html and "Ana says" not in html
    assert "Key events: the starred ones" in html
    assert '<ul class="timeline-milestones" aria-label="Milestones">' in html
    assert "<strong>impact started</strong>" in html
    assert 'name="view"' in html and '<option value="key" selected>' in html


def test_an_outsider_gets_nothing_of_a_restricted_timeline(
    restricted: Postmortem, charlie: User
) -> None:
    path = reverse("postmortems:timeline", args=[restricted.key])
    assert client_for(charlie).get(path, {"view": "key"}).status_code == 404
    names = reverse("postmortems:timeline_zone_names", args=[restricted.key])
    assert client_for(charlie).get(names).status_code == 404


def test_zone_suggestions_come_on_request(postmortem: Postmortem, charlie: User) -> None:
    html = client_for(charlie).get(reverse("postmortems:detail", args=["PM-1"])).content.decode()
    assert "Europe/Berlin" not in html
    names = reverse("postmortems:timeline_zone_names", args=["PM-1"])
    assert '<option value="Europe/Berlin">' in client_for(charlie).get(names).content.decode()
