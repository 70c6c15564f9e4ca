"""The organisation-wide action item list: filters, visibility, counts, CSV, saved filters."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.urls import reverse

from secondstory.accounts.models import Team, User
from secondstory.actions.models import ActionItem, SavedFilter
from secondstory.core.record import ActionItemRecord
from secondstory.postmortems.models import Postmortem
from secondstory.postmortems.records import load_record
from tests.apps.conftest import client_for
from tests.apps.factories import incident_record, postmortem_record

TODAY = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
LIST = "/actions/"


def item(
    key: str,
    owner: str,
    due: date,
    *,
    priority: str = "P1",
    type: str = "prevent",
    status: str = "open",
    completed_at: datetime | None = None,
    title: str = "",
) -> ActionItemRecord:
    return ActionItemRecord(
        key,
        title or f"Item {key} of {owner}",
        type,
        priority,
        owner,
        due,
        status=status,
        reason="Superseded by a rewrite." if status == "not_doing" else "",
        completed_at=completed_at,
    )


def load_postmortem(
    key: str,
    items: Sequence[ActionItemRecord],
    *,
    owner: str = "alice",
    team: str = "payments",
    services: Sequence[str] = ("checkout",),
    severity: str = "SEV2",
    visibility: str = "internal",
) -> Postmortem:
    record = postmortem_record(key, owner=owner, visibility=visibility)
    incident = record.incidents[0]
    incident.teams = [team]
    incident.services = list(services)
    incident.severity = severity
    record.action_items = list(items)
    return load_record(record)


def load_world() -> None:
    """Three postmortems; PM-R is restricted to the payments team (alice, bob)."""
    load_postmortem(
        "PM-1",
        [
            item("A1", "alice", date(2026, 4, 4)),
            item("A2", "bob", date(2026, 6, 1), priority="P2", type="detect", status="in_progress"),
        ],
    )
    load_postmortem(
        "PM-R", [item("A1", "alice", date(2026, 4, 4), title="Secret fix")], visibility="restricted"
    )
    load_postmortem(
        "PM-S",
        [
            item(
                "A1",
                "bob",
                date(2026, 4, 20),
                priority="P0",
                type="mitigate",
                status="done",
                completed_at=datetime(2026, 4, 18, 9, tzinfo=UTC),
            ),
            item("A2", "charlie", date(2026, 5, 10), priority="P0", type="detect"),
            item("A3", "bob", date(2026, 3, 1), priority="P2", type="process", status="not_doing"),
        ],
        owner="bob",
        team="search",
        services=("search-api",),
        severity="SEV1",
    )


@pytest.fixture
def world(alice: User, bob: User, charlie: User, payments: Team) -> Iterator[None]:
    with time_machine.travel(TODAY, tick=False):
        load_world()
        yield


def keys(response: object) -> list[str]:
    rows = response.context["rows"]  # type: ignore[attr-defined]
    return [f"{row.item.postmortem.key}/{row.item.key}" for row in rows]


def test_restricted_items_are_hidden_from_outsiders(world: None, charlie: User) -> None:
    response = client_for(charlie).get(LIST)
    assert response.status_code == 200
    assert sorted(keys(response)) == ["PM-1/A1", "PM-1/A2", "PM-S/A1", "PM-S/A2", "PM-S/A3"]
    assert b"Secret fix" not in response.content
    counts = {status: n for status, _, n, _ in response.context["counts"]}
    assert counts == {"open": 2, "in_progress": 1, "done": 1, "not_doing": 1}
    assert response.context["page"].paginator.count == 5
    exported = client_for(charlie).get(reverse("actions:csv")).content.decode()
    assert "PM-R" not in exported and "Secret fix" not in exported
    assert len(list(csv.reader(io.StringIO(exported)))) == 1 + 5


def test_team_members_see_restricted_items(world: None, alice: User) -> None:
    response = client_for(alice).get(LIST)
    assert "PM-R/A1" in keys(response)
    counts = {status: n for status, _, n, _ in response.context["counts"]}
    assert counts["open"] == 3


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("owner=bob", ["PM-1/A2", "PM-S/A1", "PM-S/A3"]),
        ("team=search", ["PM-S/A1", "PM-S/A2", "PM-S/A3"]),
        ("team=payments", ["PM-1/A1", "PM-1/A2", "PM-R/A1"]),
        ("service=search-api", ["PM-S/A1", "PM-S/A2", "PM-S/A3"]),
        ("status=in_progress", ["PM-1/A2"]),
        ("type=detect", ["PM-1/A2", "PM-S/A2"]),
        ("priority=P0", ["PM-S/A1", "PM-S/A2"]),
        ("priority=p2", ["PM-1/A2", "PM-S/A3"]),
        ("overdue=yes", ["PM-1/A1", "PM-R/A1"]),
        ("overdue=no", ["PM-1/A2", "PM-S/A1", "PM-S/A2", "PM-S/A3"]),
        ("severity=SEV1", ["PM-S/A1", "PM-S/A2", "PM-S/A3"]),
        ("due_after=2026-04-20&due_before=2026-05-10", ["PM-S/A1", "PM-S/A2"]),
        ("due_before=2026-03-31", ["PM-S/A3"]),
        ("created_after=2026-05-01&created_before=2026-05-01", None),
        ("created_after=2026-05-02", []),
        ("team=payments&overdue=yes&owner=alice&priority=P1", ["PM-1/A1", "PM-R/A1"]),
        ("team=search&status=open&type=detect", ["PM-S/A2"]),
    ],
)
def test_each_filter_and_combinations(
    world: None, alice: User, query: str, expected: list[str] | None
) -> None:
    with time_machine.travel(TODAY, tick=False):
        response = client_for(alice).get(f"{LIST}?{query}")
    assert response.status_code == 200
    if expected is None:  # every item was created today
        expected = ["PM-1/A1", "PM-1/A2", "PM-R/A1", "PM-S/A1", "PM-S/A2", "PM-S/A3"]
    assert sorted(keys(response)) == expected


def test_rows_are_sorted_by_due_date_and_on_request(world: None, alice: User) -> None:
    client = client_for(alice)
    assert keys(client.get(LIST)) == [
        "PM-S/A3",
        "PM-1/A1",
        "PM-R/A1",
        "PM-S/A1",
        "PM-S/A2",
        "PM-1/A2",
    ]
    assert keys(client.get(f"{LIST}?sort=-due"))[0] == "PM-1/A2"
    by_owner = client.get(f"{LIST}?sort=owner")
    assert [row.item.owner.username for row in by_owner.context["rows"]] == sorted(
        ["alice", "alice", "bob", "bob", "bob", "charlie"]
    )
    # the column header of the current sort reverses it
    assert by_owner.context["sort_links"]["owner"] == "sort=-owner"


def test_counts_ignore_the_status_but_keep_other_filters(world: None, alice: User) -> None:
    response = client_for(alice).get(f"{LIST}?team=search&status=done")
    assert keys(response) == ["PM-S/A1"]
    counts = {status: (n, q) for status, _, n, q in response.context["counts"]}
    assert counts["open"] == (1, "team=search&status=open")
    assert counts["not_doing"][0] == 1


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("status=closed", "status", "not one of open"),
        ("type=fix", "type", "not one of prevent"),
        ("priority=P9", "priority", "not one of P0"),
        ("overdue=maybe", "overdue", "not yes or no"),
        ("due_after=2026-13-01", "due_after", "not a date"),
        ("due_after=2026-05-02&due_before=2026-05-01", "due_before", "is before"),
        ("owner=nobody", "owner", "no person called"),
        ("team=nope", "team", "no team called"),
        ("service=nope", "service", "no service called"),
        ("severity=SEV9", "severity", "no severity called"),
        ("sort=colour", "sort", "not one of due"),
    ],
)
def test_bad_filter_values_name_the_field(
    world: None, alice: User, query: str, field: str, message: str
) -> None:
    client = client_for(alice)
    response = client.get(f"{LIST}?{query}")
    assert response.status_code == 400
    assert field in response.context["errors"]
    assert message in response.context["errors"][field]
    assert f"<strong>{field}</strong>" in response.content.decode()
    exported = client.get(f"{reverse('actions:csv')}?{query}")
    assert exported.status_code == 400
    assert exported.content.decode().startswith(f"{field}: ")


def test_csv_has_every_row_of_the_filter_with_its_columns(world: None, alice: User) -> None:
    with time_machine.travel(TODAY, tick=False):
        response = client_for(alice).get(f"{reverse('actions:csv')}?team=payments")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(r["postmortem"], r["item"]) for r in rows] == [
        ("PM-1", "A1"),
        ("PM-R", "A1"),
        ("PM-1", "A2"),
    ]
    first = rows[0]
    assert first["title"] == "Item A1 of alice"
    assert (first["type"], first["priority"], first["owner"]) == ("prevent", "P1", "alice")
    assert (first["teams"], first["services"], first["severity"]) == (
        "payments",
        "checkout",
        "SEV2",
    )
    assert (first["status"], first["due"], first["overdue_days"]) == ("open", "2026-04-04", "27")
    assert first["completed_at"] == "" and first["tracker_url"] == ""
    assert first["link"] == "http://testserver/postmortems/PM-1/#action-A1"


def test_a_row_shows_every_incident_of_its_postmortem(world: None, alice: User) -> None:
    """Teams and services of all the postmortem's incidents, and the worst severity; the
    list reads them apart from the items, the CSV with them: both say the same."""
    record = postmortem_record("PM-2", owner="alice")
    second = incident_record("INC-2", team="search")
    second.severity, second.services = "SEV1", ["search-api", "checkout"]
    record.incidents.append(second)
    record.action_items = [item("A1", "alice", date(2026, 4, 4))]
    load_record(record)
    with time_machine.travel(TODAY, tick=False):
        listed = client_for(alice).get(f"{LIST}?owner=alice").context["rows"]
        csv_text = client_for(alice).get(f"{reverse('actions:csv')}?owner=alice").content
    row = next(r for r in listed if r.item.postmortem.key == "PM-2")
    assert (row.teams, row.services, row.severity) == (
        ["payments", "search"],
        ["checkout", "search-api"],
        "SEV1",
    )
    exported = list(csv.DictReader(io.StringIO(csv_text.decode())))
    assert [(r.teams, r.services, r.severity) for r in listed] == [
        (r["teams"].split(), r["services"].split(), r["severity"]) for r in exported
    ]


def test_csv_cells_never_start_a_formula(world: None, alice: User) -> None:
    ActionItem.objects.filter(postmortem__key="PM-1", key="A1").update(title="=HYPERLINK(1)")
    text = client_for(alice).get(f"{reverse('actions:csv')}?owner=alice").content.decode()
    assert "'=HYPERLINK(1)" in text


def test_pages_keep_the_filter(world: None, alice: User) -> None:
    postmortem = Postmortem.objects.get(key="PM-1")
    ActionItem.objects.bulk_create(
        ActionItem(
            postmortem=postmortem,
            key=f"B{n}",
            position=10 + n,
            title=f"Bulk item {n}",
            type="repair",
            priority="P2",
            owner=alice,
            due=date(2026, 7, 1),
        )
        for n in range(60)
    )
    client = client_for(alice)
    first = client.get(f"{LIST}?type=repair")
    assert first.context["page"].paginator.count == 60
    assert len(first.context["rows"]) == 50
    assert 'href="?type=repair&amp;page=2"' in first.content.decode()
    second = client.get(f"{LIST}?type=repair&page=2")
    assert len(second.context["rows"]) == 10
    assert not set(keys(first)) & set(keys(second))
    exported = client.get(f"{reverse('actions:csv')}?type=repair").content.decode()
    assert len(exported.strip().splitlines()) == 1 + 60


def test_saved_filters_are_personal_and_shareable(world: None, alice: User, bob: User) -> None:
    client = client_for(alice)
    response = client.post(
        reverse("actions:save_filter"),
        {"name": "Late payments", "query": "overdue=yes&team=payments"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"{LIST}?team=payments&overdue=yes"
    saved = SavedFilter.objects.get(owner=alice)
    assert (saved.name, saved.query) == ("Late payments", "team=payments&overdue=yes")
    page = client.get(LIST).content.decode()
    assert f'href="{LIST}?team=payments&amp;overdue=yes">Late payments</a>' in page
    # the same name replaces the query
    client.post(reverse("actions:save_filter"), {"name": "Late payments", "query": "owner=bob"})
    assert SavedFilter.objects.get(owner=alice).query == "owner=bob"
    assert "Late payments" not in client_for(bob).get(LIST).content.decode()
    # only the owner deletes it
    delete = reverse("actions:delete_filter", kwargs={"pk": saved.pk})
    assert client_for(bob).post(delete).status_code == 404
    assert client.post(delete).status_code == 302
    assert not SavedFilter.objects.exists()


def test_saving_a_bad_filter_explains_why(world: None, alice: User) -> None:
    client = client_for(alice)
    response = client.post(
        reverse("actions:save_filter"), {"name": "", "query": "status=open"}, follow=True
    )
    assert "name: give the filter a name" in response.content.decode()
    response = client.post(
        reverse("actions:save_filter"), {"name": "Odd", "query": "status=closed"}, follow=True
    )
    assert "status: “closed” is not one of" in response.content.decode()
    assert not SavedFilter.objects.exists()


def test_the_list_needs_a_fixed_number_of_queries(
    world: None, alice: User, django_assert_max_num_queries: object
) -> None:
    client = client_for(alice)
    client.get(LIST)
    with django_assert_max_num_queries(20):  # type: ignore[operator]
        small = client.get(f"{LIST}?owner=alice")
    for n in range(40):
        load_postmortem(
            f"PM-X{n}",
            [item("A1", "alice", date(2026, 4, 1)), item("A2", "bob", date(2026, 4, 2))],
            team=f"team-{n % 5}",
            services=(f"svc-{n}", "checkout"),
        )
    with django_assert_max_num_queries(20):  # type: ignore[operator]
        large = client.get(LIST)
    assert len(small.context["rows"]) == 2 and len(large.context["rows"]) == 50
    with django_assert_max_num_queries(12):  # type: ignore[operator]
        client.get(reverse("actions:csv"))


def test_signed_out_people_are_sent_to_log_in(world: None) -> None:
    from django.test import Client

    response = Client().get(LIST)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_figures_page_respects_visibility(world: None, alice: User, charlie: User) -> None:
    with time_machine.travel(TODAY, tick=False):
        mine = client_for(alice).get(reverse("actions:figures"))
        theirs = client_for(charlie).get(reverse("actions:figures"))
    assert mine.status_code == theirs.status_code == 200
    payments_alice = next(f for f in mine.context["figures"].by_team if f.team == "payments")
    payments_charlie = next(f for f in theirs.context["figures"].by_team if f.team == "payments")
    assert (payments_alice.total, payments_alice.overdue) == (3, 2)
    assert (payments_charlie.total, payments_charlie.overdue) == (2, 1)
    assert "payments" in theirs.content.decode()


def test_figures_page_refuses_bad_dates(world: None, alice: User) -> None:
    response = client_for(alice).get(f"{reverse('actions:figures')}?since=yesterday")
    assert response.status_code == 400
    assert "since" in response.context["errors"]
    response = client_for(alice).get(
        f"{reverse('actions:figures')}?since=2026-05-01&until=2026-01-01"
    )
    assert response.status_code == 400 and "until" in response.context["errors"]


def test_counts_per_status_are_grouped_in_the_database(world: None, alice: User) -> None:
    """The counts read one row per status, not one row per item."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from secondstory.actions.filters import status_counts, visible_items

    items = visible_items(alice)
    with CaptureQueriesContext(connection) as queries:
        counts = status_counts(items)
    assert counts == {status: items.filter(status=status).count() for status in counts}
    (sql,) = [q["sql"] for q in queries.captured_queries]
    assert "GROUP BY" in sql.upper() and "COUNT(" in sql.upper()
