"""The home page: my action items, my postmortems, my reviews, my drafts, recent publications."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from secondstory.accounts.models import User
from secondstory.actions.models import ActionItem
from secondstory.postmortems.models import Postmortem
from secondstory.postmortems.records import load_record
from secondstory.postmortems.services import transition
from tests.apps.conftest import client_for
from tests.apps.factories import postmortem_record

URL = reverse("postmortems:home")
APRIL_10 = datetime(2026, 4, 10, 12, tzinfo=UTC)


def section(html: str, section_id: str) -> str:
    """The HTML of one panel of the page."""
    start = html.index(f'id="{section_id}"')
    return html[start : html.index("</section>", start)]


def published(key: str, *, at: datetime, visibility: str = "internal") -> Postmortem:
    postmortem = load_record(postmortem_record(key, status="published", visibility=visibility))
    Postmortem.objects.filter(pk=postmortem.pk).update(published_at=at)
    return postmortem


def test_home_is_the_front_page(alice: User) -> None:
    assert URL == "/"
    response = client_for(alice).get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Home</h1>" in html
    assert f'href="{reverse("postmortems:list")}"' in html
    assert f'href="{reverse("incidents:list")}"' in html


def test_anonymous_is_sent_to_log_in(db: None) -> None:
    response = Client().get(URL)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/"


@time_machine.travel(APRIL_10, tick=False)
def test_my_open_action_items_overdue_first(postmortem: Postmortem, alice: User) -> None:
    item = postmortem.action_items.get()  # A1, due 4 April
    ActionItem.objects.bulk_create(
        [
            ActionItem(
                postmortem=postmortem,
                key=key,
                title=title,
                type="detect",
                priority="P2",
                owner=alice,
                due=due,
                status=status,
                reason="Covered by A1" if status == "not_doing" else "",
            )
            for key, title, due, status in [
                ("A2", "Alert on pool exhaustion", date(2026, 5, 1), "in_progress"),
                ("A3", "Add a dashboard", date(2026, 4, 1), "open"),
                ("A4", "Already finished", date(2026, 3, 1), "not_doing"),
            ]
        ]
    )
    html = section(client_for(alice).get(URL).content.decode(), "my-action-items")
    titles = ["Add a dashboard", item.title, "Alert on pool exhaustion"]
    positions = [html.index(title) for title in titles]
    assert positions == sorted(positions)
    assert "9 days overdue" in html  # A3, due 1 April
    assert "6 days overdue" in html  # A1, due 4 April
    assert html.count("overdue</strong>") == 2
    assert "Already finished" not in html
    assert f'href="{reverse("postmortems:detail", args=["PM-1"])}#action-A1"' in html


def test_action_items_of_others_are_not_mine(postmortem: Postmortem, bob: User) -> None:
    html = section(client_for(bob).get(URL).content.decode(), "my-action-items")
    assert "No open action items are yours." in html


def test_postmortems_i_own_leave_out_published_ones(postmortem: Postmortem, alice: User) -> None:
    published("PM-P", at=APRIL_10)
    html = section(client_for(alice).get(URL).content.decode(), "owned")
    assert "PM-1" in html
    assert "PM-P" not in html


def test_postmortems_waiting_for_my_review(postmortem: Postmortem, alice: User, bob: User) -> None:
    assert "PM-1" not in section(client_for(bob).get(URL).content.decode(), "to-review")
    transition(postmortem, "in_review", by=alice)
    html = section(client_for(bob).get(URL).content.decode(), "to-review")
    assert f'href="{reverse("postmortems:detail", args=["PM-1"])}"' in html
    assert "PM-1" not in section(client_for(alice).get(URL).content.decode(), "to-review")


def test_drafts_i_collaborate_on(postmortem: Postmortem, charlie: User) -> None:
    assert "You collaborate on no draft." in client_for(charlie).get(URL).content.decode()
    postmortem.collaborators.add(charlie)
    html = section(client_for(charlie).get(URL).content.decode(), "collaborating")
    assert "PM-1" in html


def test_recently_published_newest_first_ten_at_most(alice: User, bob: User, charlie: User) -> None:
    for day in range(1, 13):
        published(f"PM-{day:02d}", at=datetime(2026, 3, day, tzinfo=UTC))
    html = section(client_for(alice).get(URL).content.decode(), "recently-published")
    keys = [f"PM-{day:02d}" for day in range(12, 2, -1)]
    positions = [html.index(f">{key}<") for key in keys]
    assert positions == sorted(positions)
    assert ">PM-02<" not in html
    assert ">PM-01<" not in html


def test_it_checks_ownership(alice: User, bob: User, charlie: User, payments: object) -> None:
    published("PM-R", at=APRIL_10, visibility="restricted")
    published("PM-I", at=APRIL_10)
    outsider = section(client_for(charlie).get(URL).content.decode(), "recently-published")
    assert "PM-I" in outsider
    assert "PM-R" not in outsider
    assert "PM-R" in section(client_for(bob).get(URL).content.decode(), "recently-published")


@pytest.mark.parametrize("extra", [2, 8])
def test_the_query_count_does_not_grow_with_the_data(
    alice: User,
    bob: User,
    charlie: User,
    payments: object,
    extra: int,
    django_assert_max_num_queries: object,
) -> None:
    for n in range(extra):
        draft = load_record(postmortem_record(f"PM-D{n}"))
        draft.collaborators.add(bob)
        transition(load_record(postmortem_record(f"PM-V{n}")), "in_review", by=alice)
        published(f"PM-P{n}", at=APRIL_10 - timedelta(days=n))
    client = client_for(alice)
    client.get(URL)  # warm the session; then: session, user and one query per panel
    with django_assert_max_num_queries(8):  # type: ignore[operator]
        html = client.get(URL).content.decode()
    assert html.count('href="/postmortems/PM-D') >= extra
