"""The accounts pages: writing, side by side, sharing, invitations, history and the panel."""

from __future__ import annotations

import pytest
from django.core import mail

from secondstory.accounts.models import User
from secondstory.audit.models import AuditEvent
from secondstory.incidents.models import TimelineEvent
from secondstory.perspectives import services
from secondstory.perspectives.models import Account, Invitation
from secondstory.postmortems.models import Postmortem
from tests.apps.conftest import client_for
from tests.apps.perspectives.conftest import ANSWERS

pytestmark = pytest.mark.django_db

LIST = "/postmortems/PM-1/accounts/"


def test_writing_an_account_keeps_every_version(facilitated: Postmortem, bob: User) -> None:
    client = client_for(bob)
    assert client.get(LIST + "mine").status_code == 200
    assert client.post(LIST + "mine", ANSWERS).status_code == 302
    changed = {**ANSWERS, "surprised": "The flag applied to every region at once."}
    client.post(LIST + "mine", changed)
    client.post(LIST + "mine", changed)  # nothing changed: no new version
    account = Account.objects.get()
    assert account.surprised.startswith("The flag")
    assert list(account.revisions.values_list("number", flat=True)) == [2, 1]
    history = client.get(f"{LIST}{account.pk}/history").content.decode()
    assert "Version 1" in history and "Version 2" in history
    assert history.count("changed</span>") == 3  # version 2: one prompt; version 1: two


def test_a_blank_account_is_refused_with_a_message(facilitated: Postmortem, bob: User) -> None:
    response = client_for(bob).post(LIST + "mine", {"saw": "  "})
    assert response.status_code == 400
    assert "Answer at least one of the prompts" in response.content.decode()
    assert not Account.objects.exists()


def test_side_by_side_for_the_owner_and_only_shared_for_a_reader(
    facilitated: Postmortem, alice: User, bob: User, charlie: User, dana: User
) -> None:
    services.set_shared(services.save_account(facilitated, ANSWERS, by=bob), True)
    services.save_account(facilitated, {"saw": "A quiet dashboard, oddly."}, by=dana)
    owner_page = client_for(alice).get(LIST).content.decode()
    assert "Bob Teammate" in owner_page and "A quiet dashboard, oddly." in owner_page
    reader_page = client_for(charlie).get(LIST).content.decode()
    assert "I rolled back the config" in reader_page
    assert "A quiet dashboard" not in reader_page
    assert "1 not shared with you" in reader_page


def test_sharing_and_withdrawing_is_the_author_s_and_is_audited(
    facilitated: Postmortem, alice: User, bob: User
) -> None:
    account = services.save_account(facilitated, ANSWERS, by=bob)
    assert client_for(alice).post(f"{LIST}{account.pk}/share", {"shared": "1"}).status_code == 403
    client = client_for(bob)
    client.post(f"{LIST}{account.pk}/share", {"shared": "1"})
    client.post(f"{LIST}{account.pk}/share", {"shared": "0"})
    account.refresh_from_db()
    assert not account.shared
    events = AuditEvent.objects.filter(object_type="perspectives.account", action="update")
    changes = [(e.before["shared"], e.after["shared"]) for e in events.order_by("id")]
    assert changes == [(False, True), (True, False)]
    created = AuditEvent.objects.get(object_type="perspectives.account", action="create")
    assert "rolled back" not in str(created.after)  # the answers never reach the log


def test_an_outsider_of_a_restricted_postmortem_gets_404(
    restricted: Postmortem, bob: User, charlie: User
) -> None:
    services.set_shared(services.save_account(restricted, ANSWERS, by=bob), True)
    client = client_for(charlie)
    assert client.get("/postmortems/PM-R/accounts/").status_code == 404
    assert client.get("/postmortems/PM-R/accounts/mine").status_code == 404


def test_an_uninvited_reader_cannot_write(facilitated: Postmortem, charlie: User) -> None:
    assert client_for(charlie).post(LIST + "mine", ANSWERS).status_code == 403


def test_invitations_reach_the_named_people_and_responders(
    facilitated: Postmortem, alice: User, charlie: User, email: None
) -> None:
    incident = facilitated.incidents.get()
    TimelineEvent.objects.filter(incident=incident).update(actor="Charlie Outsider")
    assert charlie in services.participants(facilitated)
    client = client_for(alice)
    page = client.get(LIST).content.decode()
    assert "Charlie Outsider" in page
    assert client.post(LIST + "invite", {"people": [charlie.pk]}).status_code == 302
    assert client.post(LIST + "invite", {"people": [charlie.pk]}).status_code == 302
    invitation = Invitation.objects.get(person=charlie)
    assert invitation.times == 2
    assert [m.to for m in mail.outbox] == [["charlie@example.com"]] * 2
    assert "/postmortems/PM-1/accounts/" in mail.outbox[0].body


def test_an_invitation_never_opens_a_restricted_postmortem(
    restricted: Postmortem, alice: User, charlie: User, email: None
) -> None:
    response = client_for(alice).post("/postmortems/PM-R/accounts/invite", {"others": "charlie"})
    assert response.status_code == 400
    assert "Charlie Outsider cannot read this postmortem" in response.content.decode()
    assert not Invitation.objects.exists() and not mail.outbox


def test_inviting_is_refused_to_a_reviewer(facilitated: Postmortem, bob: User) -> None:
    assert client_for(bob).post(LIST + "invite", {"others": "charlie"}).status_code == 403


def test_the_live_coaching_is_gentle(facilitated: Postmortem, bob: User) -> None:
    response = client_for(bob).post(
        LIST + "coach",
        {"did": "I should have checked the canary.", "saw": "Dana should have paged me."},
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert "hard on yourself" in body
    assert "Counterfactuals about what a person should have done" in body


def test_interview_notes_and_the_interviewee_s_agreement(
    facilitated: Postmortem, bob: User, charlie: User, dana: User
) -> None:
    client = client_for(dana)
    assert client.get(LIST + "interviews/new").status_code == 200
    data = {"interviewee": bob.pk, **ANSWERS}
    assert client.post(LIST + "interviews/new", data).status_code == 302
    notes = Account.objects.get(kind="interview")
    client.post(f"{LIST}{notes.pk}/share", {"shared": "1"})
    assert "I rolled back" not in client_for(charlie).get(LIST).content.decode()
    assert client_for(dana).post(f"{LIST}{notes.pk}/agree", {"agrees": "1"}).status_code == 403
    client_for(bob).post(f"{LIST}{notes.pk}/agree", {"agrees": "1"})
    assert "I rolled back" in client_for(charlie).get(LIST).content.decode()


def test_the_postmortem_page_shows_the_counts(
    facilitated: Postmortem, alice: User, bob: User, dana: User
) -> None:
    services.set_shared(services.save_account(facilitated, ANSWERS, by=bob), True)
    services.save_account(facilitated, ANSWERS, by=dana)
    page = client_for(alice).get("/postmortems/PM-1/").content.decode()
    assert "2 written, 1 shared" in page
    assert 'href="/postmortems/PM-1/accounts/"' in page


def test_sending_again_to_someone_invited_by_username(
    facilitated: Postmortem, dana: User, charlie: User, email: None
) -> None:
    client = client_for(dana)
    assert client.post(LIST + "invite", {"others": "charlie"}).status_code == 302
    assert client.post(LIST + "invite", {"people": [charlie.pk]}).status_code == 302
    assert Invitation.objects.get(person=charlie).times == 2
    assert len(mail.outbox) == 2


def test_an_unknown_username_is_named_and_nobody_is_invited(
    facilitated: Postmortem, alice: User, email: None
) -> None:
    response = client_for(alice).post(LIST + "invite", {"others": "bob, nobody-here"})
    assert response.status_code == 400
    assert "No such person: nobody-here." in response.content.decode()
    assert not Invitation.objects.exists()
