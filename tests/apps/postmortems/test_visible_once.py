"""The "who may read this" condition is built once per user object (one per request)."""

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
    return calls


def test_one_request_builds_it_once(restricted: Postmortem, alice: User, builds: list[int]) -> None:
    for path in ("/", "/actions/", f"/postmortems/{restricted.key}/"):
        builds.clear()
        assert client_for(alice).get(path).status_code == 200
        assert builds == [alice.pk], path


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
    assert len(builds) == 3
