"""Action items: add, edit and change status, with and without htmx, and who may."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from secondstory.accounts.models import User
from secondstory.actions.models import ActionItem
from secondstory.actions.services import default_due_date, status_fingerprint
from secondstory.incidents.models import Incident, Severity
from secondstory.lib.concurrency import fingerprint
from secondstory.postmortems.action_views import _state
from secondstory.postmortems.models import ContributingFactor, Postmortem
from tests.apps.conftest import client_for

HTMX = {"HTTP_HX_REQUEST": "true"}
NOW = datetime(2026, 3, 10, 12, tzinfo=UTC)


def add_url(key: str = "PM-1") -> str:
    return reverse("postmortems:action_add", args=[key])


def edit_url(item: str = "A1", key: str = "PM-1") -> str:
    return reverse("postmortems:action_edit", args=[key, item])


def status_url(item: str = "A1", key: str = "PM-1") -> str:
    return reverse("postmortems:action_status", args=[key, item])


def factor(key: str) -> ContributingFactor:
    return ContributingFactor.objects.get(postmortem__key="PM-1", key=key)


def base_of(key: str = "A1") -> str:
    return fingerprint(*_state(ActionItem.objects.get(postmortem__key="PM-1", key=key)))


def status_base(key: str = "A1") -> str:
    return status_fingerprint(ActionItem.objects.get(postmortem__key="PM-1", key=key))


def item_data(person: User, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "title": "Alert on connection pool saturation",
        "type": "detect",
        "priority": "P1",
        "owner": person.pk,
        "due": "",
        "done_criterion": "An alert fires at 80% pool use.",
        "tracker_url": "https://tracker.example.com/T-7",
        "factors": [factor("F2").pk],
    }
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("severity", "priority", "days"),
    [
        ("SEV1", "P2", 15),
        ("SEV2", "P2", 30),
        ("SEV3", "P2", 60),
        ("SEV3", "P1", 30),
        ("SEV3", "P0", 15),
        ("SEV2", "P0", 15),
    ],
)
def test_the_default_due_date_follows_severity_and_priority(
    postmortem: Postmortem, severity: str, priority: str, days: int
) -> None:
    Incident.objects.filter(postmortems=postmortem).update(
        severity=Severity.objects.get(code=severity)
    )
    today = date(2026, 3, 10)
    assert (default_due_date(postmortem, priority, today=today) - today).days == days


@time_machine.travel(NOW, tick=False)
def test_the_form_shows_the_default_due_dates(postmortem: Postmortem, alice: User) -> None:
    html = client_for(alice).get(add_url()).content.decode()
    assert "Verb first" in html
    assert 'P0 by <time datetime="2026-03-25">' in html
    assert 'P1 by <time datetime="2026-04-09">' in html
    assert "Bob Teammate (bob)" in html
    assert "F1 · The config tool accepted a pool size of 1." in html


@time_machine.travel(NOW, tick=False)
def test_owner_adds_an_action_item(postmortem: Postmortem, alice: User, bob: User) -> None:
    response = client_for(alice).post(add_url(), item_data(bob))
    assert response.status_code == 302
    assert response["Location"].endswith("#action-A2")
    item = ActionItem.objects.get(postmortem=postmortem, key="A2")
    assert item.owner == bob
    assert item.due == date(2026, 4, 9)  # SEV2 and P1: 30 days
    assert [f.key for f in item.factors.all()] == ["F2"]
    assert item.status == "open"
    assert postmortem.revisions.get().summary == "Added action item A2"


def test_an_explicit_due_date_is_kept(postmortem: Postmortem, alice: User, bob: User) -> None:
    later = timezone.localdate() + timedelta(days=40)
    client_for(alice).post(add_url(), item_data(bob, due=later.isoformat()))
    assert ActionItem.objects.get(key="A2").due == later


def test_a_due_date_in_the_past_asks_for_confirmation(
    postmortem: Postmortem, alice: User, bob: User
) -> None:
    past = timezone.localdate() - timedelta(days=3)
    asked = client_for(alice).post(add_url(), item_data(bob, due=past.isoformat()))
    html = " ".join(asked.content.decode().split())
    assert f"{past:%-d %b %Y} is in the past, so the item would be overdue" in html
    assert 'name="past_due"' in html and "in the past on purpose" in html
    assert postmortem.action_items.count() == 1, "nothing saved before the confirmation"

    saved = client_for(alice).post(add_url(), item_data(bob, due=past.isoformat(), past_due="on"))
    assert saved.status_code == 302
    assert ActionItem.objects.get(key="A2").due == past


def test_an_overdue_item_edited_without_changing_its_date_asks_nothing(
    postmortem: Postmortem, alice: User, bob: User
) -> None:
    item = ActionItem.objects.get(postmortem=postmortem, key="A1")
    assert item.due < timezone.localdate()
    data = item_data(
        bob, base=base_of(), title="Reject pool sizes below 5", due=item.due.isoformat()
    )
    assert client_for(alice).post(edit_url(), data).status_code == 302


def test_htmx_add_answers_with_the_whole_section(
    postmortem: Postmortem, alice: User, bob: User
) -> None:
    response = client_for(alice).post(add_url(), item_data(bob), **HTMX)
    html = response.content.decode()
    assert response["HX-Retarget"] == "#action-items"
    assert html.lstrip().startswith('<section id="action-items"')
    assert "Alert on connection pool saturation" in html


def test_validation_errors_name_the_field(postmortem: Postmortem, alice: User) -> None:
    data = item_data(alice, owner="", title="", tracker_url="not a link", due="someday")
    response = client_for(alice).post(add_url(), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Owner: An action item needs exactly one owner: choose one." in html
    assert "Title: Say what will change, verb first." in html
    assert "Due date: Enter the due date as YYYY-MM-DD." in html
    assert "Tracker link: Enter a web address" in html
    assert postmortem.action_items.count() == 1


def test_htmx_validation_error_replaces_only_the_form(postmortem: Postmortem, alice: User) -> None:
    response = client_for(alice).post(add_url(), item_data(alice, owner=""), **HTMX)
    assert response["HX-Retarget"] == "#action-form-new"
    assert response.content.decode().lstrip().startswith('<form id="action-form-new"')


def test_an_inactive_person_cannot_own(postmortem: Postmortem, alice: User, bob: User) -> None:
    User.objects.filter(pk=bob.pk).update(is_active=False)
    response = client_for(alice).post(add_url(), item_data(bob))
    assert "Owner: Select a valid choice." in response.content.decode()


def test_owner_edits_an_action_item(postmortem: Postmortem, alice: User, bob: User) -> None:
    assert f'value="{base_of()}"' in client_for(alice).get(edit_url()).content.decode()
    data = item_data(
        bob, base=base_of(), title="Reject pool sizes below 5", due="2026-04-20", past_due="on"
    )
    data["factors"] = [factor("F1").pk, factor("F2").pk]
    response = client_for(alice).post(edit_url(), data)
    assert response.status_code == 302
    item = ActionItem.objects.get(key="A1")
    assert (item.title, item.owner, item.due) == (
        "Reject pool sizes below 5",
        bob,
        date(2026, 4, 20),
    )
    assert item.factors.count() == 2
    assert postmortem.revisions.get().summary == "Changed action item A1"


def test_a_stale_edit_shows_both_versions(postmortem: Postmortem, alice: User) -> None:
    stale = base_of()
    ActionItem.objects.filter(key="A1").update(title="Bob's newer title")
    data = item_data(alice, base=stale, title="Alice's title", due="2026-04-04")
    response = client_for(alice).post(edit_url(), data)
    html = response.content.decode()
    assert response.status_code == 409
    assert "Bob&#x27;s newer title" in html
    assert 'value="Alice&#x27;s title"' in html
    assert f'value="{base_of()}"' in html
    assert ActionItem.objects.get(key="A1").title == "Bob's newer title"


@time_machine.travel(NOW, tick=False)
def test_status_changes_to_done(postmortem: Postmortem, alice: User) -> None:
    response = client_for(alice).post(status_url(), {"status": "done", "base": status_base()})
    assert response.status_code == 302
    item = ActionItem.objects.get(key="A1")
    assert item.status == "done"
    assert item.completed_at == NOW
    assert postmortem.revisions.get().summary == "Action item A1 is now done"


def test_not_doing_needs_a_reason(postmortem: Postmortem, alice: User) -> None:
    response = client_for(alice).post(status_url(), {"status": "not_doing", "reason": " "})
    assert response.status_code == 200
    assert "Reason for not doing: Say why this action item is not being done." in (
        response.content.decode()
    )
    assert ActionItem.objects.get(key="A1").status == "open"
    reason = "The tool is retired in May."
    data = {"status": "not_doing", "reason": reason, "base": status_base()}
    client_for(alice).post(status_url(), data, **HTMX)
    item = ActionItem.objects.get(key="A1")
    assert (item.status, item.reason) == ("not_doing", "The tool is retired in May.")


def test_the_page_offers_controls_to_editors_only(
    postmortem: Postmortem, alice: User, bob: User
) -> None:
    detail = reverse("postmortems:detail", args=["PM-1"])
    html = client_for(alice).get(detail).content.decode()
    assert add_url() in html and status_url() in html
    html = client_for(bob).get(detail).content.decode()
    assert add_url() not in html and status_url() not in html


def test_a_reader_who_is_not_an_editor_is_refused(
    postmortem: Postmortem, bob: User, charlie: User
) -> None:
    client = client_for(charlie)
    assert client.get(add_url()).status_code == 403
    assert client.post(add_url(), item_data(charlie)).status_code == 403
    assert client.post(edit_url(), item_data(charlie)).status_code == 403
    assert client.post(status_url(), {"status": "done"}).status_code == 403
    assert ActionItem.objects.get(key="A1").status == "open"


def test_it_checks_ownership(restricted: Postmortem, charlie: User) -> None:
    client = client_for(charlie)
    assert client.get(add_url("PM-R")).status_code == 404
    assert client.post(edit_url("A1", "PM-R"), {}).status_code == 404
    assert client.post(status_url("A1", "PM-R"), {"status": "done"}).status_code == 404


def test_htmx_opens_the_form_inline(postmortem: Postmortem, alice: User) -> None:
    html = client_for(alice).get(edit_url(), **HTMX).content.decode()
    assert html.lstrip().startswith('<form id="action-form-A1"')
    assert "<html" not in html


def test_htmx_status_error_replaces_only_the_status_form(
    postmortem: Postmortem, alice: User
) -> None:
    response = client_for(alice).post(status_url(), {"status": "not_doing"}, **HTMX)
    assert response["HX-Retarget"] == "#action-status-A1"
    assert response.content.decode().lstrip().startswith('<form id="action-status-A1"')


def status_base_on_page(client: object) -> str:
    """The base the inline status form of A1 carries on the postmortem's page."""
    html = client.get(reverse("postmortems:detail", args=["PM-1"])).content.decode()  # type: ignore[attr-defined]
    form = html[html.index('id="action-status-A1"') :]
    return re.search(r'name="base" value="([0-9a-f]+)"', form).group(1)  # type: ignore[union-attr]


def test_a_stale_status_change_shows_both_reasons_and_keeps_the_first(
    postmortem: Postmortem, alice: User, bob: User
) -> None:
    postmortem.collaborators.add(bob)
    first, second = client_for(alice), client_for(bob)
    alice_base, bob_base = status_base_on_page(first), status_base_on_page(second)
    reason = "The config tool is retired in May."
    first.post(status_url(), {"status": "not_doing", "reason": reason, "base": alice_base})
    theirs = {"status": "not_doing", "reason": "Covered by the new alerting.", "base": bob_base}
    response = second.post(status_url(), theirs)
    html = response.content.decode()
    assert response.status_code == 409
    assert "was changed by someone else" in html
    assert reason in html and "Covered by the new alerting." in html
    item = ActionItem.objects.get(key="A1")
    assert (item.status, item.reason) == ("not_doing", reason)
    # Confirming with the base the conflict view carries replaces it; history keeps both.
    fresh = re.search(r'name="base" value="([0-9a-f]+)"', html).group(1)  # type: ignore[union-attr]
    assert second.post(status_url(), {**theirs, "base": fresh}).status_code == 302
    assert ActionItem.objects.get(key="A1").reason == "Covered by the new alerting."
    snapshots = [r.snapshot for r in postmortem.revisions.order_by("number")]
    assert reason in snapshots[0] and "Covered by the new alerting." in snapshots[1]


def test_a_stale_status_change_over_htmx_replaces_only_the_form(
    postmortem: Postmortem, alice: User, bob: User
) -> None:
    postmortem.collaborators.add(bob)
    first, second = client_for(alice), client_for(bob)
    alice_base, bob_base = status_base_on_page(first), status_base_on_page(second)
    first.post(status_url(), {"status": "done", "base": alice_base}, **HTMX)
    yours = {"status": "not_doing", "reason": "Superseded by A2.", "base": bob_base}
    response = second.post(status_url(), yours, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200  # htmx swaps only successful answers
    assert response["HX-Retarget"] == "#action-status-A1"
    assert html.lstrip().startswith('<form id="action-status-A1"')
    assert "Superseded by A2." in html and '<dd class="conflict-current">Done</dd>' in html
    assert ActionItem.objects.get(key="A1").status == "done"


def test_the_same_status_set_twice_is_no_conflict(
    postmortem: Postmortem, alice: User, bob: User
) -> None:
    postmortem.collaborators.add(bob)
    first, second = client_for(alice), client_for(bob)
    alice_base, bob_base = status_base_on_page(first), status_base_on_page(second)
    assert first.post(status_url(), {"status": "done", "base": alice_base}).status_code == 302
    assert second.post(status_url(), {"status": "done", "base": bob_base}).status_code == 302
    assert postmortem.revisions.count() == 1


def test_the_status_page_carries_the_base(postmortem: Postmortem, alice: User) -> None:
    html = client_for(alice).get(status_url()).content.decode()
    assert f'name="base" value="{status_base()}"' in html
