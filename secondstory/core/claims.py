"""From an identity provider's claims to a person's role and teams (single sign-on).

Pure: the settings parse the mapping once at start-up, and every sign-in applies it to the
claims of the ID token (and the userinfo endpoint). The groups a person is in decide their
organisation role (the highest one mapped wins) and the teams they belong to or maintain.

>>> mapping = parse_mapping(
...     roles='{"sre-leads": "admin", "engineering": "responder"}',
...     teams='{"payments-eng": "payments"}',
...     maintainers='{"payments-leads": "payments"}',
...     default_role="viewer",
... )
>>> access = access_from_claims({"groups": ["engineering", "payments-leads"]}, mapping)
>>> (access.role, sorted(access.member_of), sorted(access.maintainer_of))
('responder', ['payments'], ['payments'])
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass

# Organisation roles from the least to the most that one may do (accounts.models.Role).
ROLES = ("viewer", "responder", "admin")
NO_ROLE = "none"
_SLUG = re.compile(r"^[-a-z0-9_]+$")


class MappingError(ValueError):
    """A mapping setting that is not what it should be; the message names the setting."""


@dataclass(frozen=True, slots=True)
class ClaimMapping:
    """Which claim holds the groups, and what each group grants."""

    roles: Mapping[str, str]
    teams: Mapping[str, tuple[str, ...]]
    maintainers: Mapping[str, tuple[str, ...]]
    default_role: str
    groups_claim: str = "groups"

    @property
    def manages_roles(self) -> bool:
        """Roles follow the provider on every sign-in only when some group is mapped to one."""
        return bool(self.roles)

    @property
    def managed_teams(self) -> frozenset[str]:
        """The teams whose membership follows the provider (the others are left alone)."""
        slugs = [s for group in (self.teams, self.maintainers) for v in group.values() for s in v]
        return frozenset(slugs)


@dataclass(frozen=True, slots=True)
class Access:
    """What the claims grant: a role (None: no role at all) and team slugs."""

    role: str | None
    member_of: frozenset[str]
    maintainer_of: frozenset[str]


def parse_mapping(
    *,
    roles: str = "",
    teams: str = "",
    maintainers: str = "",
    default_role: str = "viewer",
    groups_claim: str = "groups",
) -> ClaimMapping:
    """Parse the JSON settings; a bad one raises MappingError naming the setting."""
    role_map = _parse_object("SECONDSTORY_OIDC_ROLES", roles)
    for group, role in role_map.items():
        if role not in ROLES:
            raise MappingError(
                f"SECONDSTORY_OIDC_ROLES: group {group!r} maps to {role!r}; "
                f"expected one of {', '.join(ROLES)}"
            )
    if default_role not in (*ROLES, NO_ROLE):
        raise MappingError(
            f"SECONDSTORY_OIDC_DEFAULT_ROLE={default_role!r}: expected one of "
            f"{', '.join((*ROLES, NO_ROLE))}"
        )
    if default_role == NO_ROLE and not role_map:
        raise MappingError(
            "SECONDSTORY_OIDC_DEFAULT_ROLE=none refuses everybody unless "
            "SECONDSTORY_OIDC_ROLES maps some group to a role"
        )
    return ClaimMapping(
        roles={group: str(role) for group, role in role_map.items()},
        teams=_team_map("SECONDSTORY_OIDC_TEAMS", teams),
        maintainers=_team_map("SECONDSTORY_OIDC_TEAM_MAINTAINERS", maintainers),
        default_role=default_role,
        groups_claim=groups_claim,
    )


def _parse_object(name: str, text: str) -> dict[str, object]:
    if not text.strip():
        return {}
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise MappingError(f"{name}: not valid JSON ({exc})") from exc
    if not isinstance(value, dict):
        raise MappingError(f'{name}: expected a JSON object such as {{"group": "value"}}')
    return value


def _team_map(name: str, text: str) -> dict[str, tuple[str, ...]]:
    result: dict[str, tuple[str, ...]] = {}
    for group, value in _parse_object(name, text).items():
        slugs = [value] if isinstance(value, str) else value
        if not isinstance(slugs, list) or not all(
            isinstance(s, str) and _SLUG.match(s) for s in slugs
        ):
            raise MappingError(
                f"{name}: group {group!r} must map to a team slug or a list of team slugs "
                "(lower-case letters, digits, - and _)"
            )
        result[group] = tuple(slugs)
    return result


def groups_in(claims: Mapping[str, object], claim: str) -> frozenset[str]:
    """The group names in ``claims[claim]``: a list of strings, or one space-separated string."""
    value = claims.get(claim)
    if isinstance(value, str):
        return frozenset(value.split())
    if isinstance(value, list | tuple):
        return frozenset(str(item) for item in value if isinstance(item, str | int))
    return frozenset()


def access_from_claims(claims: Mapping[str, object], mapping: ClaimMapping) -> Access:
    """The role and teams the claims grant under ``mapping``.

    The highest role of any mapped group wins; without one, the default role (None when it
    is "none"). Maintainers of a team are members of it too.
    """
    groups = groups_in(claims, mapping.groups_claim)
    granted = [mapping.roles[g] for g in groups if g in mapping.roles]
    role: str | None = max(granted, key=ROLES.index) if granted else mapping.default_role
    maintainer_of = frozenset(s for g in groups for s in mapping.maintainers.get(g, ()))
    member_of = frozenset(s for g in groups for s in mapping.teams.get(g, ())) | maintainer_of
    return Access(
        role=None if role == NO_ROLE else role,
        member_of=member_of,
        maintainer_of=maintainer_of,
    )
