"""Reporting, listing, triaging and escalating near misses through the pages."""

from __future__ import annotations

import pytest
from django.test import Client

from secondstory.accounts.models import Team, User
from secondstory.audit.models import AuditEvent
from secondstory.incidents.models import Incident, Service
from secondstory.nearmiss.models import NearMiss, Status
from tests.apps.conftest import client_for

pytestmark = pytest.mark.django_db

NEW = "/near-misses/new"


@pytest.fixture
def vera(db: None) -> User:
    return User.objects.create(username="vera", display_name="Vera Viewer", role="viewer")


def _report(client: Client, **extra: object) -> object:
    data = {
        "what_happened": "A migration ran against the replica first.",
        "what_almost_happened": "Writes to payments would have stopped for an hour.",
        "what_stopped_it": "The dry-run flag was on by default.",
        "happened_on": "2026-11-30",
        "teams": ["payments"],
        "factor_categories": ["tooling", "process"],
        **extra,
    }
    return client.post(NEW, data)


def test_a_viewer_reports_under_their_name_and_reads_it_back(vera: User, payments: Team) -> None:
    client = client_for(vera)
    response = _report(client)
    report = NearMiss.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/near-misses/{report.pk}/"
    assert report.reporter == vera
    assert report.status == Status.NEW
    assert sorted(report.factor_categories.values_list("code", flat=True)) == ["process", "tooling"]
    assert list(report.teams.all()) == [payments]
    page = client.get(f"/near-misses/{report.pk}/").content.decode()
    assert "Writes to payments would have stopped" in page
    assert "Vera Viewer" in page
    assert "Turn into an incident" not in page  # a viewer does not triage
    assert f"/near-misses/{report.pk}/" in client.get("/near-misses/").content.decode()
    event = AuditEvent.objects.get(object_type="nearmiss.nearmiss", action="create")
    assert event.actor == "vera"


def test_an_anonymous_report_keeps_no_reporter_and_is_not_listed_as_ones_own(
    vera: User, payments: Team
) -> None:
    client = client_for(vera)
    signed_in = AuditEvent.objects.count()  # the sign-in itself is recorded, as always
    response = _report(client, anonymous="on")
    assert response.status_code == 302 and response["Location"] == "/near-misses/thanks"
    assert AuditEvent.objects.count() == signed_in
    report = NearMiss.objects.get()
    assert report.reporter_id is None
    assert not AuditEvent.objects.filter(object_type="nearmiss.nearmiss").exists()
    assert client.get(f"/near-misses/{report.pk}/").status_code == 404
    assert report.key not in client.get("/near-misses/").content.decode()


def test_bad_input_names_the_field_and_stores_nothing(vera: User) -> None:
    response = _report(client_for(vera), what_almost_happened="", happened_on="last week")
    page = response.content.decode()
    assert response.status_code == 400
    assert "The report was not saved" in page
    assert "Enter a valid date." in page
    assert not NearMiss.objects.exists()


def test_it_checks_who_reads_a_report(alice: User, charlie: User, vera: User) -> None:
    _report(client_for(vera), teams=[])
    report = NearMiss.objects.get()
    # A responder triages every report; another viewer reads none but their own.
    assert client_for(alice).get(f"/near-misses/{report.pk}/").status_code == 200
    other = User.objects.create(username="wes", role="viewer")
    assert client_for(other).get(f"/near-misses/{report.pk}/").status_code == 404
    assert report.key not in client_for(other).get("/near-misses/").content.decode()
    assert report.key in client_for(charlie).get("/near-misses/").content.decode()


def test_a_responder_triages_and_the_change_is_audited(alice: User, vera: User) -> None:
    _report(client_for(vera), anonymous="on", teams=[])
    report = NearMiss.objects.get()
    url = f"/near-misses/{report.pk}/triage"
    response = client_for(alice).post(url, {"status": "triaged", "triage_note": "Add a guard."})
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.triage_note) == ("triaged", "Add a guard.")
    event = AuditEvent.objects.get(object_type="nearmiss.nearmiss")
    assert (event.actor, event.action, event.after["status"]) == ("alice", "update", "triaged")
    refused = client_for(vera).post(url, {"status": "closed", "triage_note": ""})
    assert refused.status_code == 404  # vera cannot even read an anonymous report
    bad = client_for(alice).post(url, {"status": "became_incident"})
    assert bad.status_code == 400


def test_a_report_becomes_an_incident_with_a_link_back(
    alice: User, vera: User, payments: Team
) -> None:
    Service.objects.create(slug="ledger", name="Ledger")
    _report(client_for(vera), services=["ledger"])
    report = NearMiss.objects.get()
    url = f"/near-misses/{report.pk}/incident"
    response = client_for(alice).post(url, {"title": "Replica migration", "severity": "SEV3"})
    incident = Incident.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/incidents/{incident.key}/"
    report.refresh_from_db()
    assert report.incident == incident and report.status == Status.BECAME_INCIDENT
    assert list(incident.teams.all()) == [payments]
    assert list(incident.services.values_list("slug", flat=True)) == ["ledger"]
    reference = incident.external_references.get()
    assert (reference.system, reference.identifier) == ("near-miss", report.key)
    assert reference.url.endswith(f"/near-misses/{report.pk}/")
    again = client_for(alice).post(url, {"title": "Twice", "severity": "SEV3"})
    assert again.status_code == 400 and Incident.objects.count() == 1


def test_a_viewer_cannot_turn_their_report_into_an_incident(vera: User, payments: Team) -> None:
    _report(client_for(vera))
    report = NearMiss.objects.get()
    url = f"/near-misses/{report.pk}/incident"
    response = client_for(vera).post(url, {"title": "Mine", "severity": "SEV3"})
    assert response.status_code == 403
    assert not Incident.objects.exists()


def test_signed_out_visitors_are_sent_to_sign_in(db: None) -> None:
    response = Client().get(NEW)
    assert response.status_code == 302 and "/login/" in response["Location"]
