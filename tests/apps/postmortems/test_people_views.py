from __future__ import annotations

from secondstory.accounts.models import User
from secondstory.lib.concurrency import fingerprint
from secondstory.postmortems.models import Postmortem, Revision
from tests.apps.conftest import client_for


def _url(postmortem: Postmortem) -> str:
    return f"/postmortems/{postmortem.key}/people/"


def _base(client, postmortem: Postmortem) -> str:  # type: ignore[no-untyped-def]
    return client.get(_url(postmortem)).context["form"].initial["base"]


def test_the_owner_names_reviewers_and_collaborators(
    postmortem: Postmortem, alice: User, bob: User, charlie: User
) -> None:
    client = client_for(alice)
    assert "Change who works on it" in client.get(f"/postmortems/{postmortem.key}/").text
    response = client.post(
        _url(postmortem),
        {
            "base": _base(client, postmortem),
            "owner": alice.pk,
            "facilitator": charlie.pk,
            "collaborators": [bob.pk],
            "reviewers": [charlie.pk],
        },
    )
    assert response.status_code == 302
    postmortem.refresh_from_db()
    assert postmortem.facilitator == charlie
    assert list(postmortem.reviewers.all()) == [charlie]
    assert list(postmortem.collaborators.all()) == [bob]
    assert Revision.objects.filter(postmortem=postmortem, summary__contains="who works").exists()


def test_an_owner_is_required(postmortem: Postmortem, alice: User) -> None:
    client = client_for(alice)
    response = client.post(_url(postmortem), {"base": _base(client, postmortem), "owner": ""})
    assert response.status_code == 400
    assert "This field is required" in response.text
    postmortem.refresh_from_db()
    assert postmortem.owner == alice


def test_a_stale_form_is_refused_and_keeps_the_choices(
    postmortem: Postmortem, alice: User, bob: User, charlie: User
) -> None:
    client = client_for(alice)
    stale = fingerprint({"owner": alice.pk})
    response = client.post(
        _url(postmortem), {"base": stale, "owner": alice.pk, "reviewers": [charlie.pk]}
    )
    assert response.status_code == 409
    assert response.context["form"]["reviewers"].value() == [str(charlie.pk)]
    assert list(postmortem.reviewers.all()) == [bob]


def test_readers_who_may_not_edit_are_refused(postmortem: Postmortem, charlie: User) -> None:
    assert client_for(charlie).get(_url(postmortem)).status_code == 403


def test_outsiders_do_not_see_restricted_postmortems(restricted: Postmortem, charlie: User) -> None:
    assert client_for(charlie).get(_url(restricted)).status_code == 404
