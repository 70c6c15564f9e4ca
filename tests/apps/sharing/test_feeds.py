"""Atom feeds of published postmortems at tokenised addresses."""

from __future__ import annotations

import hashlib
import re
import xml.etree.ElementTree as ET
from datetime import timedelta
from typing import Any

from django.test import Client
from django.urls import reverse

from secondstory.accounts.models import Team, User
from secondstory.incidents.models import Service, Tag
from secondstory.postmortems.models import Postmortem
from secondstory.sharing.models import FeedToken
from tests.apps.conftest import client_for
from tests.apps.sharing.conftest import MARCH, publish, published

ATOM = "{http://www.w3.org/2005/Atom}"
FEED_URL = re.compile(r'value="(https?://[^"]+/sharing/feeds/([A-Za-z0-9_-]+)\.atom)"')


def _create(client: Client, scope: str) -> tuple[str, str]:
    response = client.post(reverse("sharing:create_feed"), {"scope": scope})
    assert response.status_code == 200
    match = FEED_URL.search(response.content.decode())
    assert match, "the new feed's address is shown"
    return match.group(1), match.group(2)


def _entries(raw: str) -> list[ET.Element]:
    response = Client().get(f"/sharing/feeds/{raw}.atom")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    assert "no-store" in response["Cache-Control"]
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    return root.findall(f"{ATOM}entry")


def _titles(raw: str) -> list[str]:
    return [entry.findtext(f"{ATOM}title") or "" for entry in _entries(raw)]


def test_the_page_requires_signing_in() -> None:
    response = Client().get(reverse("sharing:index"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_feed_is_shown_once_stored_hashed_and_parses_as_atom(
    postmortem: Postmortem, alice: User, settings: Any
) -> None:
    settings.SECONDSTORY_BASE_URL = "https://pm.example.com"
    publish(postmortem, MARCH)
    client = client_for(alice)
    url, raw = _create(client, "all")
    assert url == f"https://pm.example.com/sharing/feeds/{raw}.atom"
    token = FeedToken.objects.get()
    assert token.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in token.token_hash and token.hint == raw[:6]
    assert (token.scope, token.created_by) == ("all", alice)

    page = client.get(reverse("sharing:index")).content.decode()
    assert raw not in page, "the address is shown only on creation"
    assert f"{raw[:6]}…" in page

    [entry] = _entries(raw)
    assert entry.findtext(f"{ATOM}title") == "PM-1: Checkout errors after a configuration change"
    link = entry.find(f"{ATOM}link")
    assert link is not None and link.get("href") == "https://pm.example.com/postmortems/PM-1/"
    assert (entry.findtext(f"{ATOM}published") or "").startswith("2026-03-10T09:00:00")
    assert entry.findtext(f"{ATOM}author/{ATOM}name") == "Alice Owner"
    summary = entry.find(f"{ATOM}summary")
    assert summary is not None and summary.get("type") == "html"
    assert "<strong>12%</strong>" in (summary.text or "")
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_drafts_are_not_in_feeds(postmortem: Postmortem, alice: User) -> None:
    _, raw = _create(client_for(alice), "all")
    assert _titles(raw) == []


def test_feeds_follow_their_scope(postmortem: Postmortem, alice: User, payments: Team) -> None:
    publish(postmortem, MARCH)
    other = published("PM-2", MARCH + timedelta(days=1), title="Search was slow")
    other.incidents.get().services.set([Service.objects.create(slug="search", name="Search")])
    other.incidents.get().tags.set([Tag.objects.create(slug="latency")])
    other.incidents.get().teams.set([Team.objects.create(slug="search", name="Search team")])
    client = client_for(alice)
    everything = _create(client, "all")[1]
    assert _titles(everything) == ["PM-2: Search was slow", f"PM-1: {postmortem.title}"]
    for scope, expected in [
        ("service:checkout", "PM-1"),
        ("service:search", "PM-2"),
        ("tag:config", "PM-1"),
        ("tag:latency", "PM-2"),
        ("team:payments", "PM-1"),
        ("team:search", "PM-2"),
    ]:
        raw = _create(client, scope)[1]
        assert [title.split(":")[0] for title in _titles(raw)] == [expected], scope


def test_restricted_postmortems_only_in_feeds_of_people_who_may_read_them(
    restricted: Postmortem, postmortem: Postmortem, alice: User, charlie: User, bob: User
) -> None:
    publish(restricted, MARCH)
    publish(postmortem, MARCH)
    alices = _create(client_for(alice), "all")[1]
    charlies = _create(client_for(charlie), "all")[1]
    charlies_service = _create(client_for(charlie), "service:checkout")[1]
    assert sorted(t.split(":")[0] for t in _titles(alices)) == ["PM-1", "PM-R"]
    assert [t.split(":")[0] for t in _titles(charlies)] == ["PM-1"]
    assert [t.split(":")[0] for t in _titles(charlies_service)] == ["PM-1"]

    # Access is checked on every fetch: once bob leaves the team, his feed loses PM-R.
    bobs = _create(client_for(bob), "all")[1]
    assert "PM-R" in " ".join(_titles(bobs))
    Team.objects.get(slug="payments").members.remove(bob)
    Postmortem.objects.get(key="PM-R").reviewers.remove(bob)
    assert "PM-R" not in " ".join(_titles(bobs))


def test_revoked_feeds_are_gone_and_unknown_ones_not_found(
    postmortem: Postmortem, alice: User, charlie: User
) -> None:
    client = client_for(alice)
    _, raw = _create(client, "all")
    token = FeedToken.objects.get()
    # Somebody else may not revoke it (and learns nothing about it).
    assert (
        client_for(charlie).post(reverse("sharing:revoke_feed", args=[token.pk])).status_code == 404
    )
    assert Client().get(f"/sharing/feeds/{raw}.atom").status_code == 200

    response = client.post(reverse("sharing:revoke_feed", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert Client().get(f"/sharing/feeds/{raw}.atom").status_code == 410
    assert Client().get(f"/sharing/feeds/{'x' * 43}.atom").status_code == 404
    assert "Revoked" in client.get(reverse("sharing:index")).content.decode()


def test_a_feed_stops_when_its_creator_is_deactivated(postmortem: Postmortem, alice: User) -> None:
    _, raw = _create(client_for(alice), "all")
    User.objects.filter(pk=alice.pk).update(is_active=False)
    assert Client().get(f"/sharing/feeds/{raw}.atom").status_code == 404


def test_an_unknown_scope_is_refused_with_a_message(alice: User) -> None:
    response = client_for(alice).post(reverse("sharing:create_feed"), {"scope": "service:nope"})
    assert response.status_code == 400
    assert "scope: there is no service “nope”." in response.content.decode()
    response = client_for(alice).post(reverse("sharing:create_feed"), {"scope": "planet:mars"})
    assert response.status_code == 400 and "scope: choose" in response.content.decode()
    assert not FeedToken.objects.exists()
