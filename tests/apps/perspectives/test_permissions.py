"""Who reads, writes and shares accounts (docs/permissions.md, "First-person accounts")."""

from __future__ import annotations

import pytest

from secondstory.accounts import permissions
from secondstory.accounts.models import User
from secondstory.perspectives import services
from secondstory.perspectives.models import Account
from secondstory.postmortems.models import Postmortem
from tests.apps.perspectives.conftest import ANSWERS

pytestmark = pytest.mark.django_db


def _readers(account: Account, *people: User) -> set[str]:
    return {p.username for p in people if permissions.may_read_account(p, account)}


def test_an_unshared_account_is_read_by_author_owner_facilitator_only(
    facilitated: Postmortem, alice: User, bob: User, charlie: User, dana: User, erin: User
) -> None:
    account = services.save_account(facilitated, ANSWERS, by=bob)
    assert _readers(account, alice, bob, charlie, dana, erin) == {"alice", "bob", "dana"}
    visible = {a.pk for a in permissions.visible_accounts(erin, facilitated)}
    assert visible == set()


def test_a_shared_account_is_read_by_every_reader_of_the_postmortem(
    facilitated: Postmortem, alice: User, bob: User, charlie: User, dana: User, erin: User
) -> None:
    account = services.set_shared(services.save_account(facilitated, ANSWERS, by=bob), True)
    assert _readers(account, alice, bob, charlie, dana, erin) == {
        "alice",
        "bob",
        "charlie",
        "dana",
        "erin",
    }
    assert list(permissions.visible_accounts(charlie, facilitated)) == [account]
    services.set_shared(account, False)
    assert not permissions.may_read_account(charlie, account)
    assert list(permissions.visible_accounts(charlie, facilitated)) == []


def test_a_shared_account_of_a_restricted_postmortem_stays_inside(
    restricted: Postmortem, bob: User, charlie: User
) -> None:
    account = services.set_shared(services.save_account(restricted, ANSWERS, by=bob), True)
    assert not permissions.may_read_account(charlie, account)
    assert list(permissions.visible_accounts(charlie, restricted)) == []


def test_an_admin_who_owns_the_postmortem_reads_unshared_accounts(
    facilitated: Postmortem, bob: User, erin: User
) -> None:
    account = services.save_account(facilitated, ANSWERS, by=bob)
    facilitated.owner = erin
    facilitated.save(update_fields=["owner"])
    assert permissions.may_read_account(erin, account)


def test_only_the_author_changes_or_shares(
    facilitated: Postmortem, alice: User, bob: User, dana: User, erin: User
) -> None:
    account = services.save_account(facilitated, ANSWERS, by=bob)
    assert permissions.may_change_account(bob, account)
    assert not any(permissions.may_change_account(p, account) for p in (alice, dana, erin))


def test_writing_needs_an_invitation_or_a_name_on_it(
    facilitated: Postmortem, alice: User, bob: User, charlie: User, vera: User
) -> None:
    assert permissions.may_write_account(alice, facilitated)
    assert permissions.may_write_account(bob, facilitated)  # a reviewer
    assert not permissions.may_write_account(charlie, facilitated)
    services.invite(facilitated, [charlie, vera], by=alice)
    assert permissions.may_write_account(charlie, facilitated)
    assert permissions.may_write_account(vera, facilitated)  # testimony, not a change


def test_inviting_and_interview_notes_are_for_owner_and_facilitator(
    facilitated: Postmortem, alice: User, bob: User, dana: User, erin: User
) -> None:
    assert permissions.may_invite_to_accounts(alice, facilitated)
    assert permissions.may_invite_to_accounts(dana, facilitated)
    assert permissions.may_invite_to_accounts(erin, facilitated)  # as for choosing people
    assert not permissions.may_invite_to_accounts(bob, facilitated)
    assert permissions.may_write_interview_notes(dana, facilitated)
    assert permissions.may_write_interview_notes(alice, facilitated)
    assert not permissions.may_write_interview_notes(erin, facilitated)
    assert not permissions.may_write_interview_notes(bob, facilitated)


def test_interview_notes_need_the_author_and_the_interviewee(
    facilitated: Postmortem, alice: User, bob: User, charlie: User, dana: User
) -> None:
    notes = services.save_interview(facilitated, bob, ANSWERS, by=dana)
    assert _readers(notes, alice, bob, charlie, dana) == {"alice", "bob", "dana"}
    services.set_shared(notes, True)
    assert not permissions.may_read_account(charlie, notes)  # not agreed yet
    assert permissions.may_agree_to_interview_notes(bob, notes)
    assert not permissions.may_agree_to_interview_notes(dana, notes)
    services.set_agreement(notes, True)
    assert permissions.may_read_account(charlie, notes)
    assert list(permissions.visible_accounts(charlie, facilitated)) == [notes]
    services.set_agreement(notes, False)
    assert list(permissions.visible_accounts(charlie, facilitated)) == []
