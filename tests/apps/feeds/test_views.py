"""The Calendar feeds page: create (URL shown once), list and revoke feeds."""

from __future__ import annotations

import re

from django.test import Client
from django.urls import reverse

from secondstory.accounts.models import Team, User
from secondstory.feeds.models import CalendarToken
from secondstory.postmortems.models import Postmortem
from tests.apps.conftest import client_for

FEED_URL = re.compile(r'value="(https?://[^"]+/feeds/([A-Za-z0-9_-]+)\.ics)"')


def _create(client: Client, scope: str) -> tuple[str, str]:
    response = client.post(reverse("feeds:create"), {"scope": scope})
    assert response.status_code == 200
    match = FEED_URL.search(response.content.decode())
    assert match, "the new feed's address is shown"
    return match.group(1), match.group(2)


def test_signing_in_is_required_for_the_page() -> None:
    response = Client().get(reverse("feeds:index"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_personal_feed_is_shown_once_and_then_works(
    postmortem: Postmortem, alice: User, settings: object
) -> None:
    settings.SECONDSTORY_BASE_URL = "https://pm.example.com"  # type: ignore[attr-defined]
    client = client_for(alice)
    url, raw = _create(client, "me")
    assert url == f"https://pm.example.com/feeds/{raw}.ics"
    token = CalendarToken.objects.get()
    assert (token.user, token.team, token.created_by) == (alice, None, alice)

    page = client.get(reverse("feeds:index")).content.decode()
    assert raw not in page, "the address is shown only on creation"
    assert "Action items of Alice Owner" in page and f"{raw[:6]}…" in page

    response = Client().get(f"/feeds/{raw}.ics")
    assert response.status_code == 200
    assert b"Due: Validate pool sizes in the config tool (PM-1)" in response.content


def test_team_feeds_only_for_ones_own_teams(alice: User, charlie: User, payments: Team) -> None:
    page = client_for(alice).get(reverse("feeds:index")).content.decode()
    assert 'value="team:payments"' in page
    assert (
        'value="team:payments"'
        not in client_for(charlie).get(reverse("feeds:index")).content.decode()
    )

    _create(client_for(alice), "team:payments")
    assert CalendarToken.objects.get().team == payments

    for scope in ("team:payments", "team:nope", "everyone", ""):
        response = client_for(charlie).post(reverse("feeds:create"), {"scope": scope})
        assert response.status_code == 400
        assert "scope: choose yourself or one of your teams." in response.content.decode()
    assert CalendarToken.objects.count() == 1


def test_staff_may_create_a_feed_for_any_team(charlie: User, payments: Team) -> None:
    charlie.role = "admin"
    charlie.save()
    _create(client_for(charlie), "team:payments")
    assert CalendarToken.objects.get().team == payments


def test_people_see_and_revoke_only_their_feeds(alice: User, bob: User, charlie: User) -> None:
    _, raw = _create(client_for(alice), "me")
    token = CalendarToken.objects.get()
    revoke_url = reverse("feeds:revoke", args=[token.pk])

    assert "Action items of Alice Owner" not in client_for(bob).get("/feeds/").content.decode()
    assert client_for(bob).post(revoke_url).status_code == 404
    assert client_for(alice).get(revoke_url).status_code == 405
    token.refresh_from_db()
    assert token.revoked_at is None

    response = client_for(alice).post(revoke_url, follow=True)
    assert "Revoked “Action items of Alice Owner”" in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert Client().get(f"/feeds/{raw}.ics").status_code == 410


def test_staff_see_and_revoke_any_feed(alice: User, charlie: User) -> None:
    _create(client_for(alice), "me")
    token = CalendarToken.objects.get()
    charlie.role = "admin"
    charlie.save()
    staff = client_for(charlie)
    page = staff.get(reverse("feeds:index")).content.decode()
    assert "All feeds" in page and "(created by Alice Owner)" in page
    assert staff.post(reverse("feeds:revoke", args=[token.pk])).status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_the_admin_lists_feeds_without_their_tokens(alice: User, charlie: User) -> None:
    _, raw = _create(client_for(alice), "me")
    charlie.is_staff = charlie.is_superuser = True
    charlie.save()
    admin = client_for(charlie)
    token = CalendarToken.objects.get()
    listing = admin.get(reverse("admin:feeds_calendartoken_changelist"))
    change = admin.get(reverse("admin:feeds_calendartoken_change", args=[token.pk]))
    assert listing.status_code == change.status_code == 200
    assert raw not in listing.content.decode() + change.content.decode()
    assert admin.get(reverse("admin:feeds_calendartoken_add")).status_code == 403
