"""The "who may read this" condition is built once per person and role in a process."""

from __future__ import annotations

import pytest

from secondstory.accounts import permissions as services
from secondstory.accounts.models import User
from secondstory.postmortems.models import Postmortem
from tests.apps.conftest import client_for


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real = services._visible_postmortems

    def counted(user: User):  # type: ignore[no-untyped-def]
        calls.append(user.pk)
        return real(user)

    monkeypatch.setattr(services, "_visible_postmortems", counted)
    # Another test may have built it for a person with the same id and role.
    services._VISIBLE.clear()
    return calls


def test_requests_build_it_once(restricted: Postmortem, alice: User, builds: list[int]) -> None:
    # Each request reads the person again (a new user object): the condition is kept.
    for path in ("/", "/actions/", f"/postmortems/{restricted.key}/", "/"):
        assert client_for(alice).get(path).status_code == 200
    assert builds == [alice.pk]


def test_each_person_gets_their_own(
    restricted: Postmortem, alice: User, charlie: User, builds: list[int]
) -> None:
    assert restricted in services.visible_postmortems(alice)
    assert restricted not in services.visible_postmortems(charlie)
    assert restricted in services.visible_postmortems(User.objects.get(pk=alice.pk))
    assert sorted(builds) == sorted([alice.pk, charlie.pk])


def test_membership_changes_show_at_once(
    restricted: Postmortem, charlie: User, builds: list[int]
) -> None:
    assert restricted not in services.visible_postmortems(charlie)
    restricted.collaborators.add(charlie)
    assert restricted in services.visible_postmortems(charlie)
    assert len(builds) == 1


def test_staff_rights_build_it_again(
    restricted: Postmortem, charlie: User, builds: list[int]
) -> None:
    assert restricted not in services.visible_postmortems(charlie)
    charlie.role = "admin"
    assert restricted in services.visible_postmortems(charlie)
    charlie.role = "responder"
    assert restricted not in services.visible_postmortems(charlie)
    assert len(builds) == 2  # the responder's condition was kept
    charlie.is_active = False  # a deactivated person reads as a viewer
    assert restricted not in services.visible_postmortems(charlie)
    assert len(builds) == 3
