"""An alert typed by hand and the same alert imported a minute later are offered for merging."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from secondstory.accounts.models import Team, User
from secondstory.core.timeline.event import TimelineEvent as EventData
from secondstory.incidents.models import EventReference, Incident, Severity, TimelineEvent
from secondstory.incidents.services import add_timeline_event
from tests.apps.conftest import client_for

ALERTS = (
    Path(__file__).resolve().parents[2] / "fixtures" / "sources" / "mixed" / "alertmanager.json"
)


@pytest.fixture(autouse=True)
def own_staging(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings.HOME = tmp_path


@pytest.fixture
def incident(alice: User, payments: Team) -> Incident:
    incident = Incident.objects.create(
        key="INC-9", title="Checkout errors", severity=Severity.objects.get(code="SEV2")
    )
    incident.teams.add(payments)
    return incident


def typed(incident: Incident, hour: int, minute: int, text: str, ref: str) -> TimelineEvent:
    at = datetime(2026, 3, 4, hour, minute, tzinfo=UTC)
    return add_timeline_event(incident, EventData(at, "observation", "manual", ref, text))


def upload(client):  # type: ignore[no-untyped-def]
    data = {"files": [SimpleUploadedFile("alerts.json", ALERTS.read_bytes())], "zone": "UTC"}
    return client.post(reverse("incidents:import", args=["INC-9"]), data)


def confirm(client, page, *, merge: bool):  # type: ignore[no-untyped-def]
    html = page.content.decode()
    action = re.search(r'action="(/incidents/INC-9/import/[0-9a-f]{32}/)"', html)
    assert action
    data: dict[str, object] = {"keep": re.findall(r'name="keep" value="([^"]+)"', html)}
    if merge:
        data["merge"] = re.findall(r'name="merge" value="([^"]+)"', html)
    return client.post(action.group(1), data)


def test_the_preview_offers_the_hand_typed_note_and_merging_keeps_one_event(
    incident: Incident, alice: User
) -> None:
    note = typed(incident, 14, 0, "CheckoutErrorRate firing, paging payments", "capture-1")
    typed(incident, 14, 2, "rolled back the deploy", "capture-2")
    client = client_for(alice)
    page = upload(client)
    html = " ".join(page.content.decode().split())
    offered = re.findall(r'name="merge" value="([^"]+)"', html)
    assert len(offered) == 1, "only the firing alert, nearest the note, is offered"
    assert "Same as the event typed by hand at" in html and "paging payments" in html

    assert confirm(client, page, merge=True).status_code == 302
    assert TimelineEvent.objects.filter(incident=incident, source="manual").count() == 2
    sighting = EventReference.objects.get(event=note)
    assert (sighting.source, sighting.at) == (
        "alertmanager",
        datetime(2026, 3, 4, 14, 1, 30, 512847, tzinfo=UTC),
    )
    assert sighting.raw, "the alert's payload is kept with the sighting"
    alerts = TimelineEvent.objects.filter(incident=incident, source="alertmanager")
    assert [e.state for e in alerts] == ["resolved"], "the resolution stays an event of its own"

    again = upload(client)
    assert 'name="merge"' not in again.content.decode(), "a re-import knows the sighting"
    assert 'name="keep"' not in again.content.decode()


def test_declining_the_offer_imports_the_alert_as_its_own_event(
    incident: Incident, alice: User
) -> None:
    note = typed(incident, 14, 0, "CheckoutErrorRate firing", "capture-1")
    client = client_for(alice)
    assert confirm(client, upload(client), merge=False).status_code == 302
    assert not EventReference.objects.filter(event=note).exists()
    assert TimelineEvent.objects.filter(incident=incident, source="alertmanager").count() == 2


def test_a_note_far_away_in_time_or_about_something_else_is_not_offered(
    incident: Incident, alice: User
) -> None:
    typed(incident, 13, 30, "CheckoutErrorRate firing", "capture-early")
    typed(incident, 14, 1, "latency looks high on the search cluster", "capture-other")
    assert 'name="merge"' not in upload(client_for(alice)).content.decode()
