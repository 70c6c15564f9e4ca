"""Every page, asked with malformed, huge and odd query parameters, never answers 500.

The URL patterns are read from the urlconf (Django's admin aside), their path parameters
filled with the keys of a real postmortem, incident, factor, action item and timeline event,
and each is requested anonymously and as a signed-in staff member.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from secondstory.accounts.models import User
from secondstory.incidents.models import TimelineEvent
from secondstory.postmortems.models import Postmortem

# Every query parameter a view reads (and a few it does not).
NAMES = [
    "page",
    "q",
    "team",
    "part",
    "to",
    "from",
    "subscribe",
    "status",
    "service",
    "section",
    "incident",
    "format",
    "chart",
    "as_of",
    "after",
    "before",
    "old",
    "new",
    "owner",
    "priority",
    "sort",
    "type",
    "due",
    "overdue",
    "kind",
    "source",
    "starred",
    "known",
    "zone",
    "tz",
    "next",
    "category",
    "factor",
    "facet",
    "limit",
    "offset",
    "number",
    "token",
]  # fmt: skip
VALUES = [
    "", "x", "-1", "0", "1e309", "9" * 40, "\x00", "2026-02-30", "9999-12-31T23:59:59+99:00",
    "'\"<script>", "a" * 5000, "nan", "true", "../../etc/passwd", "\u202e\ud7ff\U0001f600",
]  # fmt: skip
RAW = ["page=%FF%FE", "q=%", "&&&=&=", "page[]=1&page=2&page=3", "after=%00%00", "%zz=1"]


def routes() -> Iterator[str]:
    def walk(patterns: list[URLPattern | URLResolver], prefix: str) -> Iterator[str]:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                if not route.startswith("admin/"):
                    yield from walk(pattern.url_patterns, route)
            else:
                yield route

    yield from walk(get_resolver().url_patterns, "")


def fill(route: str, values: dict[str, str]) -> str:
    route = route.replace("^", "").replace("$", "").replace("\\", "")
    route = re.sub(r"\(\?P<(\w+)>[^)]*\)(\{[^}]*\})?", lambda m: values[m[1]], route)
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values[m[1]], route)


def queries(one_by_one: bool) -> Iterator[str]:
    for value in VALUES:
        yield "&".join(f"{name}={quote(value)}" for name in NAMES)
    yield from RAW
    if one_by_one:  # a bad value in one parameter must not hide another's
        for name in NAMES:
            yield f"{name}={'9' * 40}"


@pytest.fixture
def urls(postmortem: Postmortem) -> list[str]:
    incident = postmortem.incidents.get()
    event = TimelineEvent.objects.filter(incident=incident).first()
    values = {
        "key": postmortem.key,
        "item_key": postmortem.action_items.first().key,  # type: ignore[union-attr]
        "factor_key": postmortem.factors.first().key,  # type: ignore[union-attr]
        "field": "summary",
        "pk": str(event.pk if event else 1),
        "number": "1",
        "comment_id": "1",
        "slug": "payments",
        "token": "a" * 32,
        "connection_id": "1",
        "endpoint_id": "1",
        "delivery_id": "1",
        "token_pk": "1",
        "uidb64": "MQ",
        "kind": "factor",
    }
    found = []
    for route in routes():
        url = fill(route, values)
        if route.startswith("incidents/"):
            url = url.replace(f"/{postmortem.key}/", f"/{incident.key}/")
        found.append(url)
    return found


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "staff"])
def test_no_query_string_makes_any_page_fail(urls: list[str], alice: User, signed_in: bool) -> None:
    client = Client(raise_request_exception=False)
    if signed_in:
        alice.is_staff = alice.is_superuser = True
        alice.save()
        client.force_login(alice)
    failures = []
    for url in urls:
        page = client.get(url).status_code == 200  # a page, not a form's target
        for query in queries(one_by_one=signed_in and page):
            response = client.get(f"{url}?{query}")
            if response.status_code >= 500:
                failures.append(f"{response.status_code} GET {url}?{query[:120]}")
    assert not failures, "\n".join(failures[:40]) + f"\n({len(failures)} in all)"


def test_a_nul_in_a_query_parameter_is_a_bad_request(postmortem: Postmortem, alice: User) -> None:
    client = Client()
    client.force_login(alice)
    for url in ("/actions/?status=%00", "/insights/?from=2026%0001", "/start/?incident=INC%00"):
        response = client.get(url)
        assert response.status_code == 400, url
        assert "NUL character" in response.content.decode()
    assert client.get("/actions/?status=open").status_code == 200
