"""Changes to the domain models are recorded with who, what, and the fields before and after."""

from __future__ import annotations

from datetime import date

import pytest

from secondstory.accounts.models import Role, Team, User
from secondstory.actions.services import create_action_item
from secondstory.audit.context import acting_as
from secondstory.audit.models import AuditEvent
from secondstory.feeds import services as feeds
from secondstory.incidents.models import Incident
from secondstory.notify.models import NotificationChannel
from secondstory.postmortems.models import Comment, FactorCategory, Postmortem
from secondstory.postmortems.services import add_factor
from secondstory.trackers.models import TrackerConnection
from tests.apps.audit.conftest import events_since, mark
from tests.apps.conftest import PASSWORD, client_for


def test_a_section_saved_in_the_browser_records_the_person_and_the_change(
    postmortem: Postmortem, alice: User
) -> None:
    start = mark()
    before = postmortem.summary
    response = client_for(alice).post(
        f"/postmortems/{postmortem.key}/sections/summary/edit/",
        {"text": "Checkout failed for 12% of requests.", "base": _fingerprint(before)},
        REMOTE_ADDR="192.0.2.7",
        HTTP_X_REQUEST_ID="req-123",
    )
    assert response.status_code in (200, 302)
    [event] = events_since(start, object_type="postmortems.postmortem")
    assert (event.actor, event.actor_user_id, event.action) == ("alice", alice.pk, "update")
    assert (event.object_id, event.object_label) == (str(postmortem.pk), "PM-1")
    assert event.before == {"summary": before}
    assert event.after == {"summary": "Checkout failed for 12% of requests."}
    assert (event.remote_addr, event.request_id) == ("192.0.2.7", "req-123")


def _fingerprint(text: str) -> str:
    from secondstory.lib.concurrency import fingerprint

    return fingerprint(text)


def test_saving_without_a_change_records_nothing(postmortem: Postmortem) -> None:
    start = mark()
    Postmortem.objects.get(pk=postmortem.pk).save()
    assert events_since(start) == []


def test_create_and_delete_record_the_values_with_the_named_actor(
    postmortem: Postmortem, alice: User
) -> None:
    start = mark()
    with acting_as("cli"):
        comment = Comment.objects.create(postmortem=postmortem, author=alice, body="Why 12%?")
        comment_id = comment.pk
        comment.delete()
    created, deleted = events_since(start, object_type="postmortems.comment")
    assert (created.action, created.actor, created.actor_user_id) == ("create", "cli", None)
    assert created.after["body"] == "Why 12%?"
    assert created.after["author"] == alice.pk
    assert (deleted.action, deleted.object_id) == ("delete", str(comment_id))
    assert deleted.before["body"] == "Why 12%?"


def test_without_a_request_or_command_the_actor_is_system(postmortem: Postmortem) -> None:
    start = mark()
    postmortem.title = "Checkout errors"
    postmortem.save(update_fields=["title"])
    [event] = events_since(start)
    assert event.actor == "system"


def test_factors_action_items_and_their_links_are_recorded(
    postmortem: Postmortem, alice: User
) -> None:
    start = mark()
    category = FactorCategory.objects.get(code="tooling")
    factor = add_factor(postmortem, category=category, description="The deploy tool hid a diff")
    item = create_action_item(
        postmortem, title="Show the diff", type="prevent", priority="P1", owner=alice,
        due=date(2026, 6, 1), factors=[factor],
    )  # fmt: skip
    kinds = {(e.object_type, e.action) for e in events_since(start)}
    assert ("postmortems.contributingfactor", "create") in kinds
    assert ("actions.actionitem", "create") in kinds
    [linked] = events_since(start, object_type="actions.actionitem", action="update")
    assert linked.object_label == item.key
    assert linked.before == {"factors": []}
    assert linked.after == {"factors": [factor.key]}


def test_incident_visibility_and_teams(postmortem: Postmortem, payments: Team) -> None:
    incident = postmortem.incidents.get()
    incident.teams.clear()
    start = mark()
    incident.visibility = "restricted"
    incident.save()
    incident.teams.add(payments)
    changed, linked = events_since(start, object_type="incidents.incident")
    assert (changed.before, changed.after) == (
        {"visibility": "internal"},
        {"visibility": "restricted"},
    )
    assert (linked.before, linked.after) == ({"teams": []}, {"teams": ["payments"]})


def test_role_and_rights_changes_are_permission_events(alice: User) -> None:
    start = mark()
    alice.role = Role.ADMIN
    alice.is_staff = True
    alice.save()
    [event] = events_since(start, object_type="accounts.user")
    assert event.action == "permission"
    assert event.before == {"role": "responder", "is_staff": False}
    assert event.after == {"role": "admin", "is_staff": True}


def test_team_members_and_maintainers_from_either_side(
    payments: Team, alice: User, charlie: User
) -> None:
    start = mark()
    payments.maintainers.add(alice)
    charlie.teams.add(payments)  # the reverse side of Team.members
    maintainers, members = events_since(start, object_type="accounts.team")
    assert (maintainers.action, maintainers.object_label) == ("permission", "payments")
    assert maintainers.after == {"maintainers": ["alice"]}
    assert members.action == "permission"
    assert members.before == {"members": ["alice", "bob"]}
    assert members.after == {"members": ["alice", "bob", "charlie"]}


def test_passwords_and_secrets_are_never_written(alice: User) -> None:
    start = mark()
    alice.set_password("a new long passphrase")
    alice.save()
    connection = TrackerConnection(kind="github", name="gh", base_url="https://api.github.com",
                                   project="acme/app")  # fmt: skip
    connection.token = "ghp_secret_token_value"
    connection.save()
    channel = NotificationChannel.objects.create(
        name="ops", kind="webhook", target="https://hooks.example.com/T0/secret"
    )
    channel.target = "https://hooks.example.com/T1/other-secret"
    channel.save()
    feed = feeds.create_token(created_by=alice)
    text = " ".join(str((e.before, e.after)) for e in events_since(start))
    for secret in ("pbkdf2", "md5$", alice.password, "ghp_secret", "T0/secret", "other-secret",
                   feed.raw, feed.token.token_hash, connection.token_encrypted):  # fmt: skip
        assert secret not in text
    [password] = events_since(start, object_type="accounts.user")
    assert password.before == {"password": "(hidden)"}
    assert password.after == {"password": "(changed)"}
    [tracker] = events_since(start, object_type="trackers.trackerconnection")
    assert tracker.after["token_encrypted"] == "(hidden)"
    assert tracker.after["project"] == "acme/app"


def test_revoking_a_token_is_recorded(alice: User) -> None:
    feed = feeds.create_token(created_by=alice)
    start = mark()
    with acting_as("alice", alice.pk):
        feeds.revoke(feed.token)
    [event] = events_since(start, object_type="feeds.calendartoken")
    assert (event.action, event.object_label, event.actor) == ("update", feed.token.hint, "alice")
    assert event.before == {"revoked_at": None}
    assert event.after["revoked_at"]


def test_a_cascade_is_counted_on_the_deletion_that_caused_it(postmortem: Postmortem) -> None:
    incident = postmortem.incidents.get()
    events = incident.timeline.count()
    assert events > 0
    start = mark()
    postmortem.delete()
    incident.delete()
    recorded = events_since(start)
    assert [e.object_type for e in recorded if e.object_type == "incidents.timelineevent"] == []
    [gone] = [e for e in recorded if e.object_type == "incidents.incident"]
    assert gone.action == "delete"
    assert gone.after["cascade"]["incidents.timelineevent"] == events


def test_a_cascade_of_a_query_deletion_is_counted_too(postmortem: Postmortem) -> None:
    incident = postmortem.incidents.get()
    events = incident.timeline.count()
    postmortem.delete()
    start = mark()
    Incident.objects.filter(pk=incident.pk).delete()  # as the admin's delete action does
    recorded = events_since(start)
    assert [(e.object_type, e.action) for e in recorded] == [("incidents.incident", "delete")]
    assert recorded[0].after["cascade"]["incidents.timelineevent"] == events


def test_a_sign_in_does_not_record_a_change_of_last_login(alice: User) -> None:
    start = mark()
    client = client_for(alice)
    assert client.login(username="alice", password=PASSWORD)
    assert [e.action for e in events_since(start)] == ["login", "login"]


@pytest.mark.parametrize("model", [Incident, Postmortem, User, Team])
def test_the_domain_models_are_tracked(model: type) -> None:
    from secondstory.audit.capture import _models

    assert model in _models
    assert AuditEvent not in _models
