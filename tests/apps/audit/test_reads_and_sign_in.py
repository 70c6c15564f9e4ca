"""Reads of restricted postmortems, sign-ins, failed sign-ins and sign-outs are recorded."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from secondstory.accounts.models import User
from secondstory.postmortems.models import Postmortem
from secondstory.postmortems.revisions import record_revision
from secondstory.sharing.models import CustomerSummary
from tests.apps.audit.conftest import events_since, mark
from tests.apps.conftest import PASSWORD, client_for


def _paths(key: str) -> dict[str, str]:
    return {
        "page": reverse("postmortems:detail", args=[key]),
        "download": reverse("postmortems:download", args=[key]),
        "history": reverse("postmortems:history", args=[key]),
        "revisions 1 and 2": reverse("postmortems:revision_diff", args=[key]) + "?old=1&new=2",
    }


def _two_revisions(postmortem: Postmortem, alice: User) -> None:
    record_revision(postmortem, author=alice, summary="first")
    postmortem.summary = "Changed."
    postmortem.save()
    record_revision(postmortem, author=alice, summary="second")


def test_every_read_of_a_restricted_postmortem_is_recorded(
    restricted: Postmortem, alice: User, bob: User
) -> None:
    _two_revisions(restricted, alice)
    client = client_for(bob)  # a member of the incident's team
    for what, path in _paths(restricted.key).items():
        start = mark()
        response = client.get(path, REMOTE_ADDR="198.51.100.4")
        assert response.status_code == 200, path
        [event] = events_since(start, action="read")
        assert (event.actor, event.actor_user_id) == ("bob", bob.pk)
        assert (event.object_type, event.object_label) == ("postmortems.postmortem", "PM-R")
        assert event.after == {"view": what, "path": path.split("?")[0]}
        assert event.remote_addr == "198.51.100.4"


def test_the_customer_summary_download_of_a_restricted_postmortem_is_recorded(
    restricted: Postmortem, alice: User
) -> None:
    CustomerSummary.objects.create(postmortem=restricted, text="We fixed it.", updated_by=alice)
    start = mark()
    path = reverse("sharing:customer_summary_markdown", args=[restricted.key])
    assert client_for(alice).get(path).status_code == 200
    [event] = events_since(start, action="read")
    assert event.after["view"] == "customer summary download"


def test_reads_of_internal_postmortems_are_not_recorded(
    postmortem: Postmortem, alice: User, charlie: User
) -> None:
    _two_revisions(postmortem, alice)
    client = client_for(charlie)
    start = mark()
    for path in _paths(postmortem.key).values():
        assert client.get(path).status_code == 200
    assert events_since(start, action="read") == []


def test_a_refused_read_records_no_read(restricted: Postmortem, charlie: User) -> None:
    start = mark()
    response = client_for(charlie).get(reverse("postmortems:detail", args=[restricted.key]))
    assert response.status_code == 404
    assert events_since(start, action="read") == []


def test_sign_in_and_sign_out(alice: User) -> None:
    client = Client()
    start = mark()
    response = client.post(
        reverse("login"), {"username": "alice", "password": PASSWORD}, REMOTE_ADDR="203.0.113.9"
    )
    assert response.status_code == 302
    client.post(reverse("logout"))
    signed_in, signed_out = events_since(start)
    assert (signed_in.action, signed_in.actor) == ("login", "alice")
    assert signed_in.actor_user_id == alice.pk
    assert signed_in.remote_addr == "203.0.113.9"
    assert (signed_out.action, signed_out.actor) == ("logout", "alice")


@pytest.mark.parametrize("username", ["alice", "nobody-here"])
def test_a_failed_sign_in_records_the_name_tried_never_the_password(
    alice: User, username: str
) -> None:
    start = mark()
    tried = "wrong-password-Xq9"
    response = Client().post(
        reverse("login"), {"username": username, "password": tried}, REMOTE_ADDR="203.0.113.9"
    )
    assert response.status_code == 200
    [event] = events_since(start)
    assert (event.action, event.actor) == ("login_failed", "anonymous")
    assert event.object_label == username
    assert event.after == {"username": username, "known_user": username == "alice"}
    assert event.object_id == (str(alice.pk) if username == "alice" else "")
    assert event.remote_addr == "203.0.113.9"
    assert tried not in json.dumps([event.before, event.after, event.object_label])
