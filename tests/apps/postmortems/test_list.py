"""The postmortem list: who sees what, filtering, pagination and query count."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse

from secondstory.accounts.models import Team, User
from secondstory.incidents.models import Incident, Severity
from secondstory.postmortems.models import Postmortem
from secondstory.postmortems.records import load_record
from secondstory.postmortems.services import transition
from tests.apps.conftest import client_for
from tests.apps.factories import postmortem_record

URL = reverse("postmortems:list")


def test_it_lists_postmortems_for_the_owner(postmortem: Postmortem, alice: User) -> None:
    response = client_for(alice).get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'href="{reverse("postmortems:detail", args=["PM-1"])}"' in html
    assert "Checkout errors after a configuration change" in html
    assert "Draft" in html
    assert '<span class="severity">SEV2</span>' in html
    assert "Alice Owner" in html
    # The impact start of the first incident, as a date in the display zone.
    assert '<time datetime="2026-03-04">4 Mar 2026</time>' in html


def test_teammate_sees_the_restricted_postmortem(
    postmortem: Postmortem, restricted: Postmortem, bob: User
) -> None:
    html = client_for(bob).get(URL).content.decode()
    assert "PM-1" in html
    assert "PM-R" in html


def test_it_checks_ownership(postmortem: Postmortem, restricted: Postmortem, charlie: User) -> None:
    html = client_for(charlie).get(URL).content.decode()
    assert "PM-1" in html
    assert "PM-R" not in html
    assert reverse("postmortems:detail", args=["PM-R"]) not in html
    assert " ".join(html.split()).count("1 postmortem ") == 1


def test_anonymous_is_sent_to_log_in(postmortem: Postmortem) -> None:
    response = Client().get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_shows_the_highest_severity_of_all_incidents(
    postmortem: Postmortem, alice: User
) -> None:
    critical = Incident.objects.create(
        key="INC-2", title="Second", severity=Severity.objects.get(code="SEV1")
    )
    postmortem.incidents.add(critical)
    html = client_for(alice).get(URL).content.decode()
    assert '<span class="severity">SEV1</span>' in html
    assert "SEV2" not in html


def test_it_filters_by_status(postmortem: Postmortem, alice: User) -> None:
    duplicate = load_record(postmortem_record("PM-2"))
    transition(duplicate, "not_required", by=alice, note="A duplicate of PM-1")
    client = client_for(alice)

    html = client.get(URL, {"status": "draft"}).content.decode()
    assert "PM-1" in html
    assert "PM-2" not in html
    assert '<option value="draft" selected>' in html

    html = client.get(URL, {"status": "not_required"}).content.decode()
    assert "PM-2" in html
    assert "PM-1" not in html

    html = client.get(URL, {"status": "published"}).content.decode()
    assert "No postmortems to show with this status." in html


def test_an_unknown_status_shows_everything(postmortem: Postmortem, alice: User) -> None:
    html = client_for(alice).get(URL, {"status": "nonsense"}).content.decode()
    assert "PM-1" in html
    assert '<option value="" selected>All</option>' in html


def test_htmx_gets_only_the_table(postmortem: Postmortem, alice: User) -> None:
    response = client_for(alice).get(URL, {"status": "draft"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="postmortem-table"')
    assert "<html" not in html
    assert "PM-1" in html


def test_htmx_history_restore_gets_the_whole_page(postmortem: Postmortem, alice: User) -> None:
    headers = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
    html = client_for(alice).get(URL, headers=headers).content.decode()
    assert "<html" in html


def _many(owner: User, count: int) -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    Postmortem.objects.bulk_create(
        Postmortem(
            key=f"PM-{n:03d}", title=f"Postmortem {n:03d}", owner=owner,
            created_at=start + timedelta(days=n),
        )
        for n in range(count)
    )  # fmt: skip


def test_it_is_newest_first_and_paginated(alice: User) -> None:
    _many(alice, 51)
    client = client_for(alice)

    html = client.get(URL).content.decode()
    assert html.index("PM-050") < html.index("PM-049")
    assert "PM-001" in html
    assert "PM-000" not in html
    assert "Page 1 of 2" in html
    assert 'href="?page=2"' in html

    html = client.get(URL, {"page": 2}).content.decode()
    assert "PM-000" in html
    assert "PM-001" not in html


def test_pagination_keeps_the_status_filter(alice: User) -> None:
    _many(alice, 51)
    html = client_for(alice).get(URL, {"status": "draft"}).content.decode()
    assert 'href="?status=draft&amp;page=2"' in html


@pytest.mark.parametrize(("persona", "visible"), [("alice", 12), ("charlie", 4)])
def test_queries_do_not_grow_with_the_list(
    persona: str,
    visible: int,
    alice: User,
    charlie: User,
    payments: Team,
    django_assert_max_num_queries: object,
) -> None:
    for n in range(12):
        load_record(postmortem_record(f"PM-{n}", visibility="restricted" if n % 3 else "internal"))
    client = client_for(alice if persona == "alice" else charlie)
    # Session, user, count and one page of rows: the same for 12 postmortems as for 1.
    with django_assert_max_num_queries(4):  # type: ignore[operator]
        response = client.get(URL)
    assert response.content.decode().count('<span class="severity">SEV2</span>') == visible
