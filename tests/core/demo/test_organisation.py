"""The fictional company: people, teams and services."""

from __future__ import annotations

from secondstory.core.demo import demo_organisation
from secondstory.core.demo.organisation import STAFF


def test_the_organisation_has_people_teams_and_services() -> None:
    org = demo_organisation()
    assert 12 <= len(org.people) <= 18
    assert len(org.teams) == 5
    assert 7 <= len(org.services) <= 10


def test_handles_are_unique_and_emails_fictional() -> None:
    org = demo_organisation()
    usernames = [p.username for p in org.people]
    assert len(set(usernames)) == len(usernames)
    assert all(p.email.endswith("@example.com") for p in org.people)
    assert len({t.slug for t in org.teams}) == len(org.teams)
    assert len({s.slug for s in org.services}) == len(org.services)


def test_every_responder_is_in_a_team_and_every_service_has_an_owner() -> None:
    org = demo_organisation()
    members = [m for team in org.teams for m in team.members]
    responders = [p.username for p in org.people if org.roles.get(p.username) != "viewer"]
    assert sorted(members) == sorted(responders)
    slugs = {t.slug for t in org.teams}
    for service in org.services:
        assert service.team in slugs
        assert service.name and service.description


def test_staff_work_in_mixed_offsets() -> None:
    offsets = [s.offset for s in STAFF]
    assert sum(o in (0, 60) for o in offsets) > len(offsets) / 2
    assert {-480, -300, 330} <= set(offsets)


def test_returns_fresh_objects() -> None:
    first = demo_organisation()
    first.people[0].name = "Changed"
    assert demo_organisation().people[0].name != "Changed"


def test_each_team_has_a_maintainer_among_its_members_and_someone_only_reads() -> None:
    org = demo_organisation()
    for team in org.teams:
        assert team.maintainers and set(team.maintainers) <= set(team.members)
    assert "viewer" in org.roles.values()
