"""The audit log page: admins only, filters, keyset pages, CSV and JSON Lines downloads."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from secondstory.accounts.models import User
from secondstory.audit.models import AuditEvent
from tests.apps.conftest import client_for

LOG = reverse("audit:log")


def _spread(count: int) -> list[AuditEvent]:
    start = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
    return [
        AuditEvent.objects.create(
            at=start + timedelta(hours=n),
            actor="alice" if n % 2 else "cli",
            action="update",
            object_type="postmortems.postmortem",
            object_id=str(n),
            object_label=f"PM-{n}",
            after={"title": f"=cmd|' /C calc'!A{n}"},
        )
        for n in range(count)
    ]


def test_outsiders_and_responders_are_refused(alice: User, charlie: User) -> None:
    for user in (alice, charlie):
        assert client_for(user).get(LOG).status_code == 403
        assert client_for(user).get(reverse("audit:csv")).status_code == 403


def test_the_page_needs_signing_in(db: None) -> None:
    from django.test import Client

    response = Client().get(LOG)
    assert response.status_code == 302
    assert "/login/" in response["Location"]


@pytest.mark.parametrize("how", ["role", "superuser"])
def test_admins_and_superusers_see_the_log(dana: User, charlie: User, how: str) -> None:
    viewer = dana
    if how == "superuser":
        charlie.is_superuser = True
        charlie.save()
        viewer = charlie
    _spread(3)
    html = client_for(viewer).get(LOG).content.decode()
    assert "PM-2" in html and "Audit log" in html


def test_filters_by_actor_action_object_and_dates(dana: User) -> None:
    _spread(48)
    client = client_for(dana)

    def labels(query: str) -> set[str]:
        response = client.get(reverse("audit:jsonl") + "?" + query)
        rows = b"".join(response.streaming_content).decode().splitlines()
        return {json.loads(line)["object_label"] for line in rows}

    assert labels("actor=cli&object=PM-4") == {"PM-4"}
    assert labels("actor=alice&object=PM-4") == set()
    assert labels("object=postmortems.postmortem:PM-7") == {"PM-7"}
    assert labels("since=2026-11-02T00:00&until=2026-11-02T02:00") == {"PM-15", "PM-16"}
    assert len(labels("until=2026-11-01")) == 15  # a date alone ends with that day
    assert labels("action=login") == {"dana"}  # the sign-in of this client


def test_pages_follow_the_keyset_newest_first(dana: User) -> None:
    _spread(230)
    client = client_for(dana)
    seen: list[str] = []
    path = LOG + "?actor=alice"
    while path:
        response = client.get(path)
        html = response.content.decode()
        seen += [row for row in response.context["rows"]]  # type: ignore[index]
        cursor = response.context["next_cursor"]  # type: ignore[index]
        path = f"{LOG}?actor=alice&after={cursor}" if cursor else ""
        assert "Older" in html or not cursor
    labels = [event.object_label for event, _ in seen]  # type: ignore[misc]
    assert len(labels) == 115 == len(set(labels))
    assert labels[0] == "PM-229" and labels[-1] == "PM-1"


def test_bad_filters_are_named(dana: User) -> None:
    client = client_for(dana)
    response = client.get(LOG + "?since=yesterday")
    assert response.status_code == 400
    assert "since: expected YYYY-MM-DD" in response.content.decode()
    response = client.get(reverse("audit:csv") + "?action=explode")
    assert response.status_code == 400
    assert b"action: unknown action" in response.content


def test_csv_download_is_spreadsheet_safe(dana: User) -> None:
    _spread(3)
    response = client_for(dana).get(reverse("audit:csv") + "?object=postmortems.postmortem")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [r["object_label"] for r in rows] == ["PM-0", "PM-1", "PM-2"]
    assert json.loads(rows[0]["after"].lstrip("'")) == {"title": "=cmd|' /C calc'!A0"}
    assert all(not value.startswith("=") for row in rows for value in row.values())


def test_the_navigation_links_the_log_for_admins_only(dana: User, alice: User) -> None:
    home = reverse("postmortems:home")
    assert f'href="{LOG}"' in client_for(dana).get(home).content.decode()
    assert f'href="{LOG}"' not in client_for(alice).get(home).content.decode()


def test_the_admin_shows_the_log_read_only_to_admins_only(dana: User, alice: User) -> None:
    _spread(1)
    alice.is_staff = True  # staff, but a responder
    alice.save()
    dana.is_staff = True
    dana.save()
    path = reverse("admin:audit_auditevent_changelist")
    assert client_for(alice).get(path).status_code == 403
    assert client_for(dana).get(path).status_code == 200
    event = AuditEvent.objects.first()
    assert event is not None
    change = reverse("admin:audit_auditevent_change", args=[event.pk])
    response = client_for(dana).post(change, {"actor": "someone"})
    assert response.status_code == 403
    assert AuditEvent.objects.get(pk=event.pk).actor == event.actor
