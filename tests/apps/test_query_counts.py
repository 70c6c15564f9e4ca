"""Queries and repeated work of the busiest pages, as a reader without staff rights sees them.

The figures come from benchmarks/load.py (docs/performance.md): these pages take most of a
mixed load, so a query per row, or work repeated on every view, would show there first.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from secondstory.accounts.models import Team, User
from secondstory.core.record import ActionItemRecord, FactorRecord, PostmortemRecord
from secondstory.core.timeline.event import TimelineEvent
from secondstory.lib.concurrency import fingerprint
from secondstory.postmortems.models import Postmortem
from secondstory.postmortems.records import load_record
from secondstory.postmortems.templatetags import secondstory as tags
from tests.apps.conftest import client_for
from tests.apps.factories import START, incident_record, postmortem_record

# What the pages need today for the small postmortem of the factories; the pages must not
# need more as a postmortem grows (the growth tests below).
# The postmortem page: the windowed timeline, the stored review, the accounts' counts, the
# learning check, the review meeting and the game days that verified its items.
# Measured after a first view, so the timeline window is kept (pagecache): 40 when it is
# rendered (its sources, count, window and sightings). A draft has one more than a published
# postmortem: its publication checklist asks in one query whether it has a factor and an event
# (36 when it read the whole record, with a query per incident for its first event).
DETAIL_QUERIES = 32
# The incidents' services, teams, tags and references are read as plain values, in one query.
PUBLISHED_DETAIL_QUERIES = 31
HOME_QUERIES = 6  # 8 before the three panels were read in one query
ACTIONS_QUERIES = 14  # with the game days that verified each item


def _grown(key: str, size: int) -> PostmortemRecord:
    """The factories' postmortem with ``size`` more events, factors and action items."""
    record = postmortem_record(key)
    timeline = record.incidents[0].timeline
    for n in range(size):
        at = START + timedelta(minutes=n)
        timeline.append(TimelineEvent(at, "chat", "slack", f"m-{n}", f"Message {n}", actor="Ana"))
        record.factors.append(
            FactorRecord(f"G{n}", "tooling", f"Factor {n}.", events=[f"slack:m-{n}"])
        )
        record.action_items.append(
            ActionItemRecord(
                f"B{n}", f"Item {n}", "prevent", "P2", "alice", date(2026, 4, 4), factors=[f"G{n}"]
            )
        )
    return record


def _queries(user: User, url: str) -> int:
    client = client_for(user)
    client.get(url)  # the session and per-process caches are warm, as on a running server
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries.captured_queries)


@pytest.fixture
def reader(alice: User, bob: User, payments: Team) -> User:
    """Carol: signed in, no staff rights, not named on the postmortem."""
    return User.objects.create_user("carol", password="not used here", display_name="Carol")


def test_postmortem_page_looks_up_a_readable_postmortem_in_one_query(
    postmortem: Postmortem, reader: User, django_assert_max_num_queries: Any
) -> None:
    client = client_for(reader)
    url = reverse("postmortems:detail", args=[postmortem.key])
    client.get(url)
    with django_assert_max_num_queries(DETAIL_QUERIES):
        assert client.get(url).status_code == 200


def test_published_postmortem_page_reads_the_incidents_lists_in_one_query(
    postmortem: Postmortem, reader: User, django_assert_max_num_queries: Any
) -> None:
    Postmortem.objects.filter(pk=postmortem.pk).update(status="published")
    client = client_for(reader)
    url = reverse("postmortems:detail", args=[postmortem.key])
    client.get(url)
    with django_assert_max_num_queries(PUBLISHED_DETAIL_QUERIES):
        assert client.get(url).status_code == 200


def test_postmortem_page_queries_do_not_grow_with_the_postmortem(
    alice: User, bob: User, payments: Team, reader: User
) -> None:
    small = load_record(_grown("PM-S", 2))
    large = load_record(_grown("PM-L", 40))
    assert large.incidents.get().timeline.count() >= 40
    small_count = _queries(reader, reverse("postmortems:detail", args=[small.key]))
    assert _queries(reader, reverse("postmortems:detail", args=[large.key])) == small_count


def test_a_drafts_checklist_reads_no_query_per_incident(
    alice: User, bob: User, payments: Team, reader: User
) -> None:
    one = load_record(postmortem_record("PM-1"))
    several = postmortem_record("PM-5")
    several.incidents += [incident_record(f"INC-PM-5-{n}") for n in range(4)]
    five = load_record(several)
    assert one.status == five.status == "draft"
    assert five.incidents.count() == 5
    one_count = _queries(reader, reverse("postmortems:detail", args=[one.key]))
    assert _queries(reader, reverse("postmortems:detail", args=[five.key])) == one_count


def test_home_and_action_list_queries_do_not_grow_with_the_data(
    alice: User, bob: User, payments: Team, django_assert_max_num_queries: Any
) -> None:
    load_record(_grown("PM-S", 2))
    home_before = _queries(alice, reverse("postmortems:home"))
    actions_before = _queries(alice, reverse("actions:list"))
    for n in range(5):
        load_record(_grown(f"PM-{n}", 10))
    assert _queries(alice, reverse("postmortems:home")) == home_before <= HOME_QUERIES
    assert _queries(alice, reverse("actions:list")) == actions_before <= ACTIONS_QUERIES


def test_each_section_text_is_rendered_once_per_process(
    postmortem: Postmortem, reader: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    rendered: list[str] = []
    original = tags.render_markdown

    def counting(text: str) -> Any:
        rendered.append(text)
        return original(text)

    monkeypatch.setattr(tags, "render_markdown", counting)
    postmortem.trigger = "A configuration change lowered the connection pool size to **2**."
    postmortem.save(update_fields=["trigger"])
    client = client_for(reader)
    url = reverse("postmortems:detail", args=[postmortem.key])
    client.get(url)
    assert any("connection pool size" in text for text in rendered)
    rendered.clear()
    assert "pool size to <strong>2</strong>" in client.get(url).content.decode()
    assert rendered == []


def test_a_changed_section_is_rendered_anew(postmortem: Postmortem, reader: User) -> None:
    client = client_for(reader)
    url = reverse("postmortems:detail", args=[postmortem.key])
    assert "<strong>12%</strong>" in client.get(url).content.decode()
    postmortem.summary = "Checkout failed for **15%** of requests."
    postmortem.save(update_fields=["summary"])
    html = client.get(url).content.decode()
    assert "<strong>15%</strong>" in html
    assert "<strong>12%</strong>" not in html


# --- The writes of the load mix ----------------------------------------------------------------

# A section save rewrites only the search document's summary and narrative and locks the
# postmortem's row once; a quick capture rewrites only the timeline text (a whole document
# took about fifteen queries more). With them, the word counts similar incidents compare:
# the title and summary part (one update), the timeline part (its first events, one update).
SECTION_SAVE_QUERIES = 37  # 55 before; 36 before the kept word counts
CAPTURE_ADD_QUERIES = 47  # 62 before; 45 before the kept word counts
SECTION_FORM_QUERIES = 8  # 10 before


def _write_queries(user: User, url: str, data: dict[str, str]) -> int:
    client = client_for(user)
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:500]
    return len(queries.captured_queries)


def _section_save(user: User, postmortem: Postmortem, text: str) -> int:
    url = reverse("postmortems:section_edit", args=[postmortem.key, "summary"])
    current = Postmortem.objects.get(pk=postmortem.pk).summary
    return _write_queries(user, url, {"base": fingerprint(current), "text": text})


def _capture(user: User, postmortem: Postmortem, line: str) -> int:
    data = {
        "incident": postmortem.incidents.get().key,
        "text": line,
        "default_date": "2026-03-04",
        "default_zone": "UTC",
        "action": "add",
    }
    return _write_queries(
        user, reverse("postmortems:timeline_capture", args=[postmortem.key]), data
    )


def test_the_writes_of_the_load_mix_keep_their_queries(
    alice: User, bob: User, payments: Team
) -> None:
    small = load_record(_grown("PM-S", 2))
    large = load_record(_grown("PM-L", 40))
    saves = [_section_save(alice, pm, f"Summary of {pm.key}.") for pm in (small, large)]
    captures = [_capture(alice, pm, f"14:02 captured on {pm.key}") for pm in (small, large)]
    assert saves[0] == saves[1] <= SECTION_SAVE_QUERIES
    assert captures[0] == captures[1] <= CAPTURE_ADD_QUERIES
    form = reverse("postmortems:section_edit", args=[large.key, "summary"])
    assert _queries(alice, form) <= SECTION_FORM_QUERIES
