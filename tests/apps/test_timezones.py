"""The display zone: UTC, the viewer's own zone or a zone picked for the session."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from django.test import RequestFactory, override_settings
from django.urls import reverse

from secondstory.accounts.models import User
from secondstory.incidents.models import TimelineEvent
from secondstory.lib.timezones import (
    SESSION_KEY,
    parse_zone,
    viewer_zone,
    zone_label,
    zone_offsets_label,
)
from secondstory.postmortems.models import Postmortem
from tests.apps.conftest import client_for


def request_for(user: User, choice: str = ""):  # type: ignore[no-untyped-def]
    request = RequestFactory().get("/")
    request.user = user
    request.session = {SESSION_KEY: choice} if choice else {}  # type: ignore[assignment]
    return request


def text(response) -> str:  # type: ignore[no-untyped-def]
    return " ".join(response.content.decode().split())


def zone_url(key: str = "PM-1") -> str:
    return reverse("postmortems:timeline_zone", args=[key])


def detail(key: str = "PM-1") -> str:
    return reverse("postmortems:detail", args=[key])


# --- Resolving the zone ----------------------------------------------------------------------


def test_without_a_choice_it_is_the_site_default(alice: User) -> None:
    with override_settings(DISPLAY_TIME_ZONE="America/New_York"):
        assert viewer_zone(request_for(alice)) == ZoneInfo("America/New_York")
    assert viewer_zone(None) == ZoneInfo("UTC")


def test_the_persons_own_zone_wins_over_the_default(alice: User) -> None:
    alice.time_zone = "Asia/Kolkata"
    assert viewer_zone(request_for(alice)) == ZoneInfo("Asia/Kolkata")
    assert viewer_zone(request_for(alice, "mine")) == ZoneInfo("Asia/Kolkata")


def test_the_session_choice_wins(alice: User) -> None:
    alice.time_zone = "Asia/Kolkata"
    assert viewer_zone(request_for(alice, "utc")) == ZoneInfo("UTC")
    assert viewer_zone(request_for(alice, "Europe/Berlin")) == ZoneInfo("Europe/Berlin")


def test_a_broken_zone_falls_back(alice: User) -> None:
    alice.time_zone = "Not/AZone"
    assert viewer_zone(request_for(alice, "../etc/passwd")) == ZoneInfo("UTC")
    assert parse_zone("../../etc/passwd") is None
    assert parse_zone("utc") == ZoneInfo("UTC")


def test_labels_state_the_offset() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    winter = datetime(2026, 3, 4, 12, tzinfo=UTC)
    summer = datetime(2026, 7, 4, 12, tzinfo=UTC)
    assert zone_label(berlin, winter) == "Europe/Berlin (UTC+01:00)"
    assert zone_label(ZoneInfo("UTC"), winter) == "UTC"
    assert zone_offsets_label(berlin, [summer, winter]) == "Europe/Berlin (UTC+01:00 / UTC+02:00)"


# --- The zone form ---------------------------------------------------------------------------


def test_picking_a_zone_changes_shown_times_not_stored_ones(
    postmortem: Postmortem, alice: User
) -> None:
    client = client_for(alice)
    stored = {e.pk: (e.at, e.utc_offset_minutes) for e in TimelineEvent.objects.all()}
    before = text(client.get(detail()))
    assert "Times in UTC" in before
    assert '<time datetime="2026-03-04T12:35:00+00:00">12:35</time>' in before

    response = client.post(zone_url(), {"show": "zone", "zone": "Europe/Berlin"})
    assert response.status_code == 302
    assert response["Location"] == "/postmortems/PM-1/#timeline"
    after = text(client.get(detail()))
    assert "Times in Europe/Berlin (UTC+01:00)" in after
    assert '<time datetime="2026-03-04T13:35:00+01:00">13:35</time>' in after
    assert {e.pk: (e.at, e.utc_offset_minutes) for e in TimelineEvent.objects.all()} == stored


def test_day_boundaries_follow_the_chosen_zone(postmortem: Postmortem, alice: User) -> None:
    client = client_for(alice)
    client.post(zone_url(), {"show": "zone", "zone": "Pacific/Kiritimati"})  # UTC+14
    html = text(client.get(detail()))
    # 12:35 UTC on 4 March is 02:35 on 5 March in Kiritimati.
    assert "Thursday 5 March 2026" in html
    assert "Wednesday 4 March 2026" not in html


def test_make_a_zone_my_own(postmortem: Postmortem, bob: User) -> None:
    client = client_for(bob)
    response = client.post(zone_url(), {"show": "mine", "zone": "Asia/Kolkata", "remember": "on"})
    assert response.status_code == 302
    bob.refresh_from_db()
    assert bob.time_zone == "Asia/Kolkata"
    assert "Times in Asia/Kolkata (UTC+05:30)" in text(client.get(detail()))


def test_back_to_utc(postmortem: Postmortem, alice: User) -> None:
    alice.time_zone = "Asia/Kolkata"
    alice.save()
    client = client_for(alice)
    assert "Asia/Kolkata" in text(client.get(detail()))
    client.post(zone_url(), {"show": "utc"})
    assert "Times in UTC." in text(client.get(detail()))


def test_an_unknown_zone_is_refused(postmortem: Postmortem, alice: User) -> None:
    response = client_for(alice).post(zone_url(), {"show": "zone", "zone": "Europe/Atlantis"})
    assert response.status_code == 400
    assert "is not a time zone" in response.content.decode()
    alice.refresh_from_db()
    assert alice.time_zone == ""


def test_a_named_zone_needs_a_name(postmortem: Postmortem, alice: User) -> None:
    response = client_for(alice).post(zone_url(), {"show": "zone", "zone": ""})
    assert response.status_code == 400
    assert "name the zone" in response.content.decode()


def test_it_checks_ownership(restricted: Postmortem, charlie: User) -> None:
    response = client_for(charlie).post(zone_url("PM-R"), {"show": "utc"})
    assert response.status_code == 404


def test_a_reader_may_pick_a_zone(postmortem: Postmortem, charlie: User) -> None:
    response = client_for(charlie).post(zone_url(), {"show": "zone", "zone": "Asia/Tokyo"})
    assert response.status_code == 302
