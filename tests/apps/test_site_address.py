"""Links that leave the page use the configured address, else the one the page was served at."""

from __future__ import annotations

import re

from django.test import Client
from django.urls import reverse

from secondstory.accounts.models import User
from secondstory.lib import site
from secondstory.postmortems.models import Postmortem
from tests.apps.conftest import client_for

CALENDAR = re.compile(r'value="(https?://[^"]+/feeds/([A-Za-z0-9_-]+)\.ics)"')
ATOM = re.compile(r'value="(https?://[^"]+/sharing/[^"]+)"')


def test_unconfigured_feed_addresses_use_the_host_and_port_the_page_came_from(
    postmortem: Postmortem, alice: User, settings: object
) -> None:
    settings.SECONDSTORY_BASE_URL = ""  # type: ignore[attr-defined]
    settings.ALLOWED_HOSTS = ["pm.internal"]  # type: ignore[attr-defined]
    client = client_for(alice)
    response = client.post(reverse("feeds:create"), {"scope": "me"}, HTTP_HOST="pm.internal:9000")
    match = CALENDAR.search(response.content.decode())
    assert match and match.group(1).startswith("http://pm.internal:9000/feeds/")

    calendar = Client().get(f"/feeds/{match.group(2)}.ics", HTTP_HOST="pm.internal:9000")
    assert b"URL:http://pm.internal:9000/postmortems/PM-1/#action-A1" in calendar.content.replace(
        b"\r\n ", b""
    )

    response = client.post(
        reverse("sharing:create_feed"), {"scope": "all"}, HTTP_HOST="pm.internal:9000", secure=True
    )
    match = ATOM.search(response.content.decode())
    assert match and match.group(1).startswith("https://pm.internal:9000/sharing/")


def test_a_configured_address_wins_over_the_request(alice: User, settings: object) -> None:
    settings.SECONDSTORY_BASE_URL = "https://postmortems.example.com/"  # type: ignore[attr-defined]
    response = client_for(alice).post(reverse("feeds:create"), {"scope": "me"})
    match = CALENDAR.search(response.content.decode())
    assert match and match.group(1).startswith("https://postmortems.example.com/feeds/")


def test_outside_a_request_the_default_address(settings: object) -> None:
    settings.SECONDSTORY_BASE_URL = ""  # type: ignore[attr-defined]
    assert site.base_url() == site.DEFAULT_BASE_URL
    assert site.absolute("/PM-1") == "http://127.0.0.1:8000/PM-1"
