"""The timeline is shown one window at a time, however many events it holds."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db.models.signals import post_init
from django.urls import reverse

from secondstory.accounts.models import User
from secondstory.incidents import timeline_context
from secondstory.incidents.models import TimelineEvent
from secondstory.lib.concurrency import fingerprint
from secondstory.postmortems.models import Postmortem
from secondstory.postmortems.revisions import record_revision
from secondstory.postmortems.writing_services import save_section
from tests.apps.conftest import client_for
from tests.apps.factories import START

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def long_timeline(postmortem: Postmortem, monkeypatch: pytest.MonkeyPatch) -> Postmortem:
    """The postmortem with 40 more chat events a day later, and windows of 10 events."""
    monkeypatch.setattr(timeline_context, "WINDOW", 10)
    incident = postmortem.incidents.get()
    TimelineEvent.objects.bulk_create(
        TimelineEvent(
            incident=incident,
            at=START + timedelta(days=1, minutes=n),
            kind="chat",
            source="slack",
            source_ref=f"chat-{n:02d}",
            text=f"Chat line {n:02d}",
            starred=n == 35,
        )
        for n in range(40)
    )
    return postmortem


def texts(html: str) -> list[str]:
    return re.findall(r"Chat line (\d\d)", html)


def test_the_page_shows_one_window_and_the_count(long_timeline: Postmortem, charlie: User) -> None:
    total = TimelineEvent.objects.filter(incident__postmortems=long_timeline).count()
    earlier = total - 40
    html = client_for(charlie).get(reverse("postmortems:detail", args=["PM-1"])).content.decode()
    assert html.count('<li id="event-') == 10
    assert f"Events 1–10 of {total}." in html
    assert texts(html) == [f"{n:02d}" for n in range(10 - earlier)]
    assert "Show the next 10 events" in html


def test_next_links_walk_the_whole_timeline_without_javascript(
    long_timeline: Postmortem, charlie: User
) -> None:
    client = client_for(charlie)
    path = reverse("postmortems:timeline", args=["PM-1"])
    seen: list[str] = []
    pages = 0
    while path:
        html = client.get(path).content.decode()
        seen += texts(html)
        found = re.search(r'<p class="timeline-more"><a href="([^"]+)"', html)
        path = found.group(1).replace("&amp;", "&") if found else ""
        pages += 1
        if pages > 1:
            assert "Back to the first events" in html
            assert '<h3 class="day">' in html  # a page of its own starts with its day
    assert seen == [f"{n:02d}" for n in range(40)]
    assert pages == 5


def test_show_more_answers_htmx_with_the_next_window_alone(
    long_timeline: Postmortem, charlie: User
) -> None:
    after = TimelineEvent.objects.get(source_ref="chat-19")
    path = reverse("postmortems:timeline", args=["PM-1"])
    response = client_for(charlie).get(path, {"after": after.pk, "part": "more"}, **HTMX)
    html = response.content.decode()
    assert texts(html) == [f"{n:02d}" for n in range(20, 30)]
    assert "<section" not in html
    # The day began in the window before: no second heading for it.
    assert '<h3 class="day">' not in html
    assert "Show the next 10 events" in html


def test_filters_apply_before_the_window(long_timeline: Postmortem, charlie: User) -> None:
    path = reverse("postmortems:timeline", args=["PM-1"])
    html = client_for(charlie).get(path, {"starred": "on"}).content.decode()
    assert texts(html) == ["35"]
    assert "matching these filters" in html
    assert "Show the next" not in html


def test_the_factor_form_suggests_starred_events_and_links_any_event(
    long_timeline: Postmortem, alice: User
) -> None:
    client = client_for(alice)
    url = reverse("postmortems:factor_add", args=["PM-1"])
    html = client.get(url).content.decode()
    starred = TimelineEvent.objects.filter(incident__postmortems=long_timeline, starred=True)
    assert html.count('name="events"') == starred.count()
    assert "Chat line 35" in html  # starred events are suggested
    assert "Chat line 20" not in html
    unlisted = TimelineEvent.objects.get(source_ref="chat-20")
    data = {"category": 1, "description": "Pool sizes were not checked.", "events": [unlisted.pk]}
    from secondstory.postmortems.models import FactorCategory

    data["category"] = FactorCategory.objects.first().pk
    assert client.post(url, data).status_code == 302
    assert long_timeline.factors.get(description=data["description"]).events.get() == unlisted


def test_the_event_picker_searches_the_timeline_with_and_without_javascript(
    long_timeline: Postmortem, alice: User
) -> None:
    client = client_for(alice)
    picked = TimelineEvent.objects.get(source_ref="chat-07")
    search = reverse("postmortems:factor_events", args=["PM-1"])
    html = client.get(search, {"event_q": "line 2", "events": [picked.pk]}, **HTMX).content.decode()
    found = texts(html)
    assert found[0] == "07"  # ticked first, then every event holding both words
    assert found[1:] == sorted(f"{n:02d}" for n in range(40) if "2" in f"{n:02d}")
    assert f'value="{picked.pk}" id="factor-events_0" checked' in html
    assert f"Found {len(found) - 1} events matching “line 2”" in html
    assert (
        "No event matches “nothing like this”"
        in client.get(search, {"event_q": "nothing like this"}).content.decode()
    )
    # Without JavaScript: the Find button sends the form, which comes back with the results
    # and what was typed, and nothing is saved.
    url = reverse("postmortems:factor_add", args=["PM-1"])
    typed = {"description": "Kept as typed.", "event_q": "line 33", "find_events": "1"}
    response = client.post(url, typed)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Kept as typed." in page and texts(page) == ["33"]
    assert not long_timeline.factors.filter(description="Kept as typed.").exists()


def test_an_outsider_cannot_search_the_event_picker(
    long_timeline: Postmortem, charlie: User
) -> None:
    search = reverse("postmortems:factor_events", args=["PM-1"])
    assert client_for(charlie).get(search, {"event_q": "line"}).status_code in (403, 404)


class EventsBuilt:
    """Counts the timeline events Django builds from rows (post_init) while it is open."""

    def __init__(self) -> None:
        self.count = 0

    def __enter__(self) -> EventsBuilt:
        post_init.connect(self._built, sender=TimelineEvent)
        return self

    def __exit__(self, *exc: object) -> None:
        post_init.disconnect(self._built, sender=TimelineEvent)

    def _built(self, **kwargs: object) -> None:
        self.count += 1


def test_the_page_and_a_save_never_read_the_whole_timeline(
    long_timeline: Postmortem, alice: User, charlie: User
) -> None:
    TimelineEvent.objects.bulk_create(
        TimelineEvent(
            incident=long_timeline.incidents.get(),
            at=START + timedelta(days=2, seconds=n),
            kind="chat",
            source="slack",
            source_ref=f"more-{n}",
            text=f"More {n}",
        )
        for n in range(300)
    )
    with EventsBuilt() as built:
        client_for(charlie).get(reverse("postmortems:detail", args=["PM-1"]))
    # One window of 10 and the events factors name (the checklist builds none).
    assert built.count <= 10 + 2
    record_revision(long_timeline, author=alice, summary="Imported")
    long_timeline.refresh_from_db()
    with EventsBuilt() as built:
        save_section(
            long_timeline,
            "summary",
            "One line.",
            base=fingerprint(long_timeline.summary),
            author=alice,
        )
    assert built.count <= 3
    assert len(long_timeline.revisions.first().snapshot) < 4_000
