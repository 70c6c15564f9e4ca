"""The escalations found by trying the permission model as an attacker would; each test
failed before docs/permissions.md was enforced by secondstory.accounts.permissions."""

from __future__ import annotations

import dataclasses

import pytest
from django.core.exceptions import ValidationError

from secondstory.accounts.models import Team, User
from secondstory.incidents.editing import incident_fields, update_incident
from secondstory.incidents.models import Incident
from secondstory.postmortems.models import Postmortem, PostmortemTemplate
from secondstory.postmortems.records import load_record
from secondstory.postmortems.revisions import record_revision
from secondstory.postmortems.services import can_edit, can_read, transition
from tests.apps.conftest import client_for
from tests.apps.factories import incident_record, postmortem_record

START = "/start/"


def _people_url(postmortem: Postmortem) -> str:
    return f"/postmortems/{postmortem.key}/people/"


def _people(client, postmortem: Postmortem, **changes: object) -> dict[str, object]:  # type: ignore[no-untyped-def]
    data: dict[str, object] = {
        "base": client.get(_people_url(postmortem)).context["form"].initial["base"],
        "owner": postmortem.owner_id,
        "facilitator": postmortem.facilitator_id or "",
        "collaborators": [u.pk for u in postmortem.collaborators.all()],
        "reviewers": [u.pk for u in postmortem.reviewers.all()],
    }
    data.update(changes)
    return data


def _second_postmortem(incident: Incident, owner: User, key: str = "PM-2") -> Postmortem:
    """Another postmortem covering ``incident``, owned by ``owner`` (as the database allows)."""
    other = Postmortem.objects.create(
        key=key, title="Another look", owner=owner, created_at=incident.created_at
    )
    other.incidents.add(incident)
    return other


# --- Starting a postmortem on an incident one can only see --------------------------------


def test_starting_a_postmortem_needs_the_right_to_edit_the_incident(
    postmortem: Postmortem, bob: User, charlie: User
) -> None:
    incident = postmortem.incidents.get()
    before = Postmortem.objects.count()
    client = client_for(charlie)
    assert client.get(START, {"incident": incident.key}).status_code == 403
    assert client.post(START, {"incident": incident.key}).status_code == 403
    assert Postmortem.objects.count() == before
    assert client.get(f"/incidents/{incident.key}/edit/").status_code == 403
    # A responder of the incident's team still starts one.
    template = PostmortemTemplate.objects.first()
    assert template is not None
    response = client_for(bob).post(START, {"incident": incident.key, "template": template.pk})
    assert response.status_code == 302
    assert Postmortem.objects.count() == before + 1


# --- Lifting or imposing the restriction of a shared incident -----------------------------


def test_an_editor_through_another_postmortem_cannot_lift_a_restriction(
    restricted: Postmortem, charlie: User
) -> None:
    incident = restricted.incidents.get()
    _second_postmortem(incident, charlie)
    opened = dataclasses.replace(incident_fields(incident), visibility="internal")
    with pytest.raises(ValidationError) as refused:
        update_incident(incident, opened, by=charlie)
    assert "visibility" in refused.value.message_dict
    incident.refresh_from_db()
    assert incident.visibility == "restricted"


def test_an_editor_through_another_postmortem_cannot_impose_a_restriction(
    postmortem: Postmortem, charlie: User, payments: Team
) -> None:
    incident = postmortem.incidents.get()
    _second_postmortem(incident, charlie)
    ops = Team.objects.create(slug="ops", name="Ops")
    ops.members.add(charlie)
    closed = dataclasses.replace(incident_fields(incident), visibility="restricted", teams=[ops])
    with pytest.raises(ValidationError) as refused:
        update_incident(incident, closed, by=charlie)
    assert {"visibility", "teams"} <= set(refused.value.message_dict)
    incident.refresh_from_db()
    assert incident.visibility == "internal"
    assert list(incident.teams.all()) == [payments]


def test_a_maintainer_of_the_incidents_team_changes_its_visibility(
    postmortem: Postmortem, bob: User, payments: Team
) -> None:
    incident = postmortem.incidents.get()
    payments.maintainers.add(bob)
    update_incident(
        incident, dataclasses.replace(incident_fields(incident), visibility="restricted"), by=bob
    )
    incident.refresh_from_db()
    assert incident.visibility == "restricted"


def test_restoring_a_revision_never_rewrites_visibility_or_teams(
    restricted: Postmortem, alice: User, bob: User, payments: Team
) -> None:
    first = record_revision(restricted, author=alice, summary="While restricted")
    assert first is not None
    incident = restricted.incidents.get()
    ops = Team.objects.create(slug="ops", name="Ops")
    payments.maintainers.add(bob)
    opened = dataclasses.replace(
        incident_fields(incident), visibility="internal", teams=[payments, ops]
    )
    update_incident(incident, opened, by=bob)
    newest = record_revision(restricted, author=bob, summary="Opened")
    assert newest is not None
    client = client_for(alice)  # the owner edits the postmortem but maintains no team
    url = f"/postmortems/{restricted.key}/history/{first.number}/restore/"
    response = client.post(url, {"seen": newest.number}, follow=True)
    assert [str(m) for m in response.context["messages"]] == [f"Restored revision {first.number}."]
    incident.refresh_from_db()
    assert incident.visibility == "internal"
    assert set(incident.teams.all()) == {payments, ops}


# --- Reviewing one's own postmortem, taking it over ---------------------------------------


def test_the_owner_cannot_make_themselves_reviewer(
    postmortem: Postmortem, alice: User, bob: User
) -> None:
    client = client_for(alice)
    response = client.post(
        _people_url(postmortem), _people(client, postmortem, reviewers=[alice.pk, bob.pk])
    )
    assert response.status_code == 400
    assert "never reviews their own postmortem" in response.text
    assert list(postmortem.reviewers.all()) == [bob]


@pytest.mark.parametrize("admin", [False, True])
def test_the_owner_never_approves_their_own_postmortem(
    postmortem: Postmortem, alice: User, admin: bool
) -> None:
    if admin:
        alice.role = "admin"
        alice.save(update_fields=["role"])
    postmortem.reviewers.add(alice)  # as the database allows; the form refuses it
    transition(postmortem, "in_review", by=alice)
    url = f"/postmortems/{postmortem.key}/review/"
    response = client_for(alice).post(url, {"decision": "approve", "comment": ""})
    assert response.status_code == 403
    postmortem.refresh_from_db()
    assert postmortem.status == "in_review"
    with pytest.raises(ValidationError):
        transition(postmortem, "approved", by=alice)


def test_a_collaborator_cannot_make_themselves_owner_and_publish(
    postmortem: Postmortem, alice: User, bob: User, charlie: User
) -> None:
    postmortem.collaborators.add(charlie)
    client = client_for(charlie)
    assert can_edit(charlie, postmortem)
    assert client.get(_people_url(postmortem)).status_code == 403
    response = client.post(
        _people_url(postmortem),
        {"owner": charlie.pk, "collaborators": [charlie.pk], "reviewers": [bob.pk]},
    )
    assert response.status_code == 403
    postmortem.refresh_from_db()
    assert postmortem.owner == alice
    transition(postmortem, "in_review", by=alice)
    transition(postmortem, "approved", by=bob)
    publish = f"/postmortems/{postmortem.key}/publish/"
    assert client.post(publish).status_code == 403
    postmortem.refresh_from_db()
    assert postmortem.status == "approved"


def test_only_the_owner_hands_the_postmortem_over(
    postmortem: Postmortem, alice: User, bob: User, charlie: User
) -> None:
    postmortem.facilitator = charlie
    postmortem.save(update_fields=["facilitator"])
    client = client_for(charlie)  # the facilitator chooses people but not the owner
    response = client.post(_people_url(postmortem), _people(client, postmortem, owner=charlie.pk))
    assert response.status_code == 400
    postmortem.refresh_from_db()
    assert postmortem.owner == alice
    client = client_for(alice)
    handed = _people(client, postmortem, owner=bob.pk, reviewers=[charlie.pk])
    assert client.post(_people_url(postmortem), handed).status_code == 302
    postmortem.refresh_from_db()
    assert postmortem.owner == bob


# --- A second, internal incident must not open a restricted postmortem --------------------


@pytest.fixture
def mixed(alice: User, bob: User, charlie: User, payments: Team) -> Postmortem:
    """PM-M covers a restricted incident of payments and an internal one of ops (charlie's)."""
    ops = Team.objects.create(slug="ops", name="Ops")
    ops.members.add(charlie)
    record = postmortem_record("PM-M", visibility="restricted")
    record.incidents.append(incident_record("INC-OPS", team="ops"))
    return load_record(record)


def test_an_internal_incident_does_not_open_a_restricted_postmortem(
    mixed: Postmortem, charlie: User, bob: User
) -> None:
    assert not can_read(charlie, mixed)
    assert can_read(bob, mixed)
    client = client_for(charlie)
    assert client.get(f"/postmortems/{mixed.key}/").status_code == 404
    search = client.get("/library/search/", {"q": "pool"}).text
    assert "/postmortems/PM-M/" not in search
    assert "/postmortems/PM-M/" in client_for(bob).get("/library/search/", {"q": "pool"}).text
    start = client.get(START, {"incident": "INC-OPS"})
    assert start.status_code == 200
    assert "PM-M" not in start.text
    assert "PM-M" not in client.get("/incidents/INC-OPS/").text


# --- Viewers read ------------------------------------------------------------------------------


def test_a_viewer_reads_but_changes_nothing(postmortem: Postmortem, bob: User) -> None:
    bob.role = "viewer"
    bob.save(update_fields=["role"])
    postmortem.collaborators.add(bob)
    client = client_for(bob)
    assert client.get(f"/postmortems/{postmortem.key}/").status_code == 200
    assert not can_edit(bob, postmortem)
    assert "New incident" not in client.get("/incidents/").text
    assert client.get("/incidents/new/").status_code == 403
    incident = postmortem.incidents.get()
    assert client.get(f"/incidents/{incident.key}/edit/").status_code == 403
    assert client.post(START, {"incident": incident.key}).status_code == 403
