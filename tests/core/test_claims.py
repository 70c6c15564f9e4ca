"""Mapping an identity provider's groups to a role and teams."""

from __future__ import annotations

import doctest

import pytest

from secondstory.core import claims
from secondstory.core.claims import (
    ROLES,
    MappingError,
    access_from_claims,
    groups_in,
    parse_mapping,
)

MAPPING = parse_mapping(
    roles='{"sre-leads": "admin", "engineering": "responder", "readers": "viewer"}',
    teams='{"payments-eng": "payments", "platform": ["infra", "search"]}',
    maintainers='{"payments-leads": "payments"}',
    default_role="viewer",
)


def test_the_highest_mapped_role_wins() -> None:
    claims = {"groups": ["readers", "sre-leads", "engineering"]}
    assert access_from_claims(claims, MAPPING).role == "admin"
    assert access_from_claims({"groups": ["readers", "engineering"]}, MAPPING).role == "responder"


def test_without_a_mapped_group_the_default_role_applies() -> None:
    assert access_from_claims({"groups": ["marketing"]}, MAPPING).role == "viewer"
    assert access_from_claims({}, MAPPING).role == "viewer"
    strict = parse_mapping(roles='{"engineering": "responder"}', default_role="none")
    assert access_from_claims({"groups": ["marketing"]}, strict).role is None
    assert access_from_claims({"groups": ["engineering"]}, strict).role == "responder"


def test_teams_and_maintainers() -> None:
    access = access_from_claims({"groups": ["platform", "payments-leads"]}, MAPPING)
    assert access.member_of == {"infra", "search", "payments"}  # maintainers are members
    assert access.maintainer_of == {"payments"}
    assert MAPPING.managed_teams == {"payments", "infra", "search"}


def test_groups_come_as_a_list_or_a_space_separated_string() -> None:
    assert groups_in({"groups": "a b  c"}, "groups") == {"a", "b", "c"}
    assert groups_in({"groups": ["a", 7, None, {"x": 1}]}, "groups") == {"a", "7"}
    assert groups_in({"groups": None}, "groups") == frozenset()
    assert groups_in({"roles": ["a"]}, "groups") == frozenset()


def test_another_claim_can_hold_the_groups() -> None:
    mapping = parse_mapping(roles='{"ops": "admin"}', groups_claim="roles")
    assert access_from_claims({"roles": ["ops"], "groups": []}, mapping).role == "admin"


def test_roles_are_ordered_from_least_to_most() -> None:
    assert ROLES == ("viewer", "responder", "admin")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"roles": "{not json"}, "SECONDSTORY_OIDC_ROLES: not valid JSON"),
        ({"roles": '["admin"]'}, "SECONDSTORY_OIDC_ROLES: expected a JSON object"),
        ({"roles": '{"ops": "owner"}'}, "group 'ops' maps to 'owner'; expected one of"),
        ({"teams": '{"ops": "Not A Slug"}'}, "SECONDSTORY_OIDC_TEAMS: group 'ops' must map"),
        ({"maintainers": '{"ops": [1]}'}, "SECONDSTORY_OIDC_TEAM_MAINTAINERS: group 'ops'"),
        ({"default_role": "root"}, "SECONDSTORY_OIDC_DEFAULT_ROLE='root'"),
        ({"default_role": "none"}, "refuses everybody unless SECONDSTORY_OIDC_ROLES"),
    ],
)
def test_a_bad_mapping_names_the_setting(kwargs: dict[str, str], message: str) -> None:
    with pytest.raises(MappingError) as error:
        parse_mapping(**kwargs)
    assert str(error.value).startswith("SECONDSTORY_OIDC_")
    assert message in str(error.value)


def test_empty_settings_map_nothing() -> None:
    mapping = parse_mapping()
    assert not mapping.manages_roles
    assert mapping.managed_teams == frozenset()
    assert access_from_claims({"groups": ["x"]}, mapping).role == "viewer"


def test_the_module_example_runs() -> None:
    result = doctest.testmod(claims)
    assert result.attempted > 0 and result.failed == 0
