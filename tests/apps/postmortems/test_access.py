from __future__ import annotations

from secondstory.accounts.models import User
from secondstory.postmortems.models import Postmortem
from secondstory.postmortems.services import can_read, visible_postmortems


def test_internal_postmortems_are_open_to_everyone(postmortem: Postmortem, charlie: User) -> None:
    assert can_read(charlie, postmortem)


def test_restricted_postmortems_are_open_to_the_people_involved_only(
    restricted: Postmortem, alice: User, bob: User, charlie: User
) -> None:
    assert can_read(alice, restricted)  # owner
    assert can_read(bob, restricted)  # reviewer and team member
    assert not can_read(charlie, restricted)
    assert list(visible_postmortems(charlie)) == []
    charlie.role = "admin"
    assert can_read(charlie, restricted)


def test_team_membership_opens_a_restricted_postmortem(
    restricted: Postmortem, charlie: User
) -> None:
    restricted.incidents.get().teams.get().members.add(charlie)
    assert can_read(charlie, restricted)
    assert visible_postmortems(charlie).count() == 1
