"""'On this day' on the home page: past published incidents of this calendar day."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from secondstory.accounts.models import User
from secondstory.incidents.models import Milestone
from secondstory.postmortems.models import Postmortem
from secondstory.sharing.services import on_this_day
from tests.apps.conftest import client_for
from tests.apps.sharing.conftest import MARCH, publish, published

# The factory's incidents start on 4 March 2026, 13:40 CET (12:40 UTC).
TWO_YEARS_LATER = "2028-03-04 15:00Z"


def _home(user: User, when: str = TWO_YEARS_LATER) -> str:
    with time_machine.travel(when, tick=False):
        response = client_for(user).get(reverse("postmortems:home"))
    assert response.status_code == 200
    return response.content.decode()


def test_past_incidents_of_this_day_are_shown_with_the_years(
    postmortem: Postmortem, alice: User
) -> None:
    publish(postmortem, MARCH)
    page = _home(alice)
    assert 'id="on-this-day"' in page
    assert "2 years ago: Checkout returned errors after a configuration change" in page
    assert reverse("postmortems:detail", args=["PM-1"]) in page


def test_other_days_drafts_and_this_year_are_left_out(postmortem: Postmortem, alice: User) -> None:
    assert 'id="on-this-day"' not in _home(alice), "drafts are not shown"
    publish(postmortem, MARCH)
    assert 'id="on-this-day"' not in _home(alice, "2028-03-05 15:00Z")
    assert 'id="on-this-day"' not in _home(alice, "2026-03-04 15:00Z"), "not this year's"


def test_the_day_is_the_viewers_calendar_day(postmortem: Postmortem, alice: User) -> None:
    publish(postmortem, MARCH)
    start = Milestone.objects.get(kind__code="impact_started")
    # 23:30 UTC on 3 March is already 4 March in Tokyo.
    start.at = start.at.replace(hour=23, minute=30) - timedelta(days=1)
    start.save()
    morning = "2028-03-04 10:00Z"  # 19:00 in Tokyo, the same day
    assert 'id="on-this-day"' not in _home(alice, morning)
    User.objects.filter(pk=alice.pk).update(time_zone="Asia/Tokyo")
    alice.refresh_from_db()
    assert "2 years ago" in _home(alice, morning)


def test_restricted_incidents_only_for_people_who_may_read_them(
    restricted: Postmortem, alice: User, bob: User, charlie: User
) -> None:
    publish(restricted, MARCH)
    published("PM-2", MARCH)
    for reader in (alice, bob):
        assert reverse("postmortems:detail", args=["PM-R"]) in _home(reader)
    page = _home(charlie)
    assert reverse("postmortems:detail", args=["PM-2"]) in page
    assert reverse("postmortems:detail", args=["PM-R"]) not in page
    assert "PM-R" not in page


def test_the_panel_costs_four_queries_however_many_entries(
    postmortem: Postmortem, alice: User, django_assert_num_queries: Any
) -> None:
    publish(postmortem, MARCH)
    for n in range(3):
        published(f"PM-{n + 2}", MARCH)
    # The earliest start and the starts on this day (kept between requests outside a
    # transaction), the readable postmortems' incidents among them, the postmortems.
    with django_assert_num_queries(4):
        found = on_this_day(alice, date(2028, 3, 4), ZoneInfo("UTC"))
    assert [entry.years_ago for entry in found] == [2, 2, 2, 2]
    assert sorted(entry.postmortem.key for entry in found) == ["PM-1", "PM-2", "PM-3", "PM-4"]


def _started(key: str, at: datetime) -> None:
    """A published postmortem whose incident's impact started at ``at``."""
    postmortem = published(key, MARCH)
    impact = Milestone.objects.filter(incident__postmortems=postmortem, kind__code="impact_started")
    assert impact.update(at=at) == 1


def _keys(user: User, today: date, zone: str = "UTC") -> list[str]:
    return [entry.postmortem.key for entry in on_this_day(user, today, ZoneInfo(zone))]


def test_29_february_is_found_in_leap_years_only(alice: User) -> None:
    _started("PM-L", datetime(2024, 2, 29, 23, 30, tzinfo=UTC))
    assert _keys(alice, date(2028, 2, 29)) == ["PM-L"]
    assert _keys(alice, date(2027, 3, 1)) == []
    assert _keys(alice, date(2027, 2, 28)) == []


def test_the_day_is_the_viewer_s_calendar_day(alice: User) -> None:
    # 23:30 UTC on 4 March is already 5 March in Berlin.
    _started("PM-Z", datetime(2025, 3, 4, 23, 30, tzinfo=UTC))
    assert _keys(alice, date(2027, 3, 5), "Europe/Berlin") == ["PM-Z"]
    assert _keys(alice, date(2027, 3, 4), "Europe/Berlin") == []
    assert _keys(alice, date(2027, 3, 4)) == ["PM-Z"]


def test_every_earlier_year_counts_back_to_the_first_incident(alice: User) -> None:
    _started("PM-OLD", datetime(1999, 3, 4, 12, 0, tzinfo=UTC))
    _started("PM-NEW", datetime(2025, 3, 4, 12, 0, tzinfo=UTC))
    found = on_this_day(alice, date(2027, 3, 4), ZoneInfo("UTC"))
    assert [(e.postmortem.key, e.years_ago) for e in found] == [("PM-NEW", 2), ("PM-OLD", 28)]


@pytest.mark.django_db(transaction=True)
def test_the_starts_of_the_day_are_kept_until_a_milestone_changes(
    alice: User, django_assert_num_queries: Any
) -> None:
    _started("PM-K", datetime(2025, 3, 4, 12, 0, tzinfo=UTC))
    assert _keys(alice, date(2027, 3, 4)) == ["PM-K"]
    with django_assert_num_queries(2):  # who may read what is never kept
        assert _keys(alice, date(2027, 3, 4)) == ["PM-K"]
    _started("PM-M", datetime(2024, 3, 4, 12, 0, tzinfo=UTC))
    assert _keys(alice, date(2027, 3, 4)) == ["PM-K", "PM-M"]
    Milestone.objects.filter(incident__postmortems__key="PM-K").update(
        at=datetime(2025, 3, 5, 12, 0, tzinfo=UTC)
    )
    assert _keys(alice, date(2027, 3, 4)) == ["PM-M"]
