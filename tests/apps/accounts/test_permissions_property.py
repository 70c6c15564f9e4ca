"""Generated organisations checked against the permission table (docs/permissions.md).

Hypothesis draws a few people with organisation roles, two teams with members and
maintainers, incidents with a visibility and teams, and postmortems with an owner, a
facilitator, collaborators, reviewers and incidents. An oracle computes from that plain
data, with the table in ``secondstory.core.permissions``, what each person may read and
do; every answer of the site (pages, fragments, search, similar postmortems, the Atom
feed, the action-item list, the Markdown export) must agree with it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from secondstory.accounts import permissions
from secondstory.accounts.models import Team, User
from secondstory.actions.models import ActionItem
from secondstory.core import permissions as table
from secondstory.incidents.models import Incident, Severity
from secondstory.library.index import index_postmortem
from secondstory.library.similar import similar_postmortems
from secondstory.postmortems.models import Postmortem
from secondstory.sharing.services import create_feed, parse_scope

PEOPLE = 4
TEAMS = 2
WORD = "carburettor"  # in every postmortem, so one search finds them all


class Rollback(Exception):
    """Leaves each example's transaction without a trace."""


@dataclass(frozen=True)
class PlannedPostmortem:
    owner: int
    facilitator: int | None
    collaborators: frozenset[int]
    reviewers: frozenset[int]
    incidents: frozenset[int]
    published: bool


@dataclass(frozen=True)
class Organisation:
    roles: tuple[str, ...]
    members: tuple[frozenset[int], ...]
    maintainers: tuple[frozenset[int], ...]
    incidents: tuple[tuple[bool, frozenset[int]], ...]  # (restricted, teams)
    postmortems: tuple[PlannedPostmortem, ...]


people = st.sampled_from(range(PEOPLE))
some_people = st.frozensets(people, max_size=PEOPLE)


@st.composite
def organisations(draw: st.DrawFn) -> Organisation:
    roles = tuple(draw(st.sampled_from(table.ORGANISATION_ROLES)) for _ in range(PEOPLE))
    members = tuple(draw(some_people) for _ in range(TEAMS))
    maintainers = tuple(
        draw(st.frozensets(st.sampled_from(sorted(m)))) if m else frozenset() for m in members
    )
    incidents = tuple(
        (draw(st.booleans()), draw(st.frozensets(st.sampled_from(range(TEAMS)))))
        for _ in range(draw(st.integers(1, 3)))
    )
    covered = st.frozensets(st.sampled_from(range(len(incidents))), min_size=1)
    postmortems = tuple(
        PlannedPostmortem(
            owner=draw(people),
            facilitator=draw(st.none() | people),
            collaborators=draw(some_people),
            reviewers=draw(some_people),
            incidents=draw(covered),
            published=draw(st.booleans()),
        )
        for _ in range(draw(st.integers(1, 3)))
    )
    return Organisation(roles, members, maintainers, incidents, postmortems)


# --- The oracle: the table applied to plain data ----------------------------------------------


def roles_on(org: Organisation, person: int, p: PlannedPostmortem) -> frozenset[str]:
    named = {
        table.OWNER: p.owner == person,
        table.FACILITATOR: p.facilitator == person,
        table.COLLABORATOR: person in p.collaborators,
        table.REVIEWER: person in p.reviewers,
    }
    return frozenset(role for role, yes in named.items() if yes)


def in_team(org: Organisation, person: int, incident: int) -> bool:
    return any(person in org.members[t] for t in org.incidents[incident][1])


def reads_postmortem(org: Organisation, person: int, p: PlannedPostmortem) -> bool:
    closed = [in_team(org, person, i) for i in p.incidents if org.incidents[i][0]]
    return table.may_read_postmortem(org.roles[person], roles_on(org, person, p), closed)


def reads_incident(org: Organisation, person: int, incident: int) -> bool:
    named = any(incident in p.incidents and roles_on(org, person, p) for p in org.postmortems)
    return table.may_read_incident(
        org.roles[person],
        restricted=org.incidents[incident][0],
        in_team=in_team(org, person, incident),
        named=named,
    )


def edits_incident(org: Organisation, person: int, incident: int) -> bool:
    writes = any(
        incident in p.incidents and roles_on(org, person, p) & table.WRITERS
        for p in org.postmortems
    )
    return reads_incident(org, person, incident) and table.may_edit_incident(
        org.roles[person],
        in_team=in_team(org, person, incident),
        has_teams=bool(org.incidents[incident][1]),
        writes_postmortem=writes,
    )


def changes_access(org: Organisation, person: int, incident: int) -> bool:
    maintains = any(person in org.maintainers[t] for t in org.incidents[incident][1])
    return table.may_change_incident_access(org.roles[person], maintains_a_team=maintains)


# --- Building the organisation in the database ------------------------------------------------


@dataclass
class Built:
    users: list[User]
    incidents: list[Incident]
    postmortems: list[Postmortem]


def build(org: Organisation) -> Built:
    users = [User.objects.create(username=f"p{n}", role=role) for n, role in enumerate(org.roles)]
    teams = []
    for n in range(TEAMS):
        team = Team.objects.create(slug=f"t{n}", name=f"Team {n}")
        team.members.set([users[i] for i in org.members[n]])
        team.maintainers.set([users[i] for i in org.maintainers[n]])
        teams.append(team)
    severity = Severity.objects.order_by("rank").first()
    incidents = []
    for n, (restricted, team_numbers) in enumerate(org.incidents):
        incident = Incident.objects.create(
            key=f"INC-{n}",
            title=f"Incident {n}",
            severity=severity,
            visibility="restricted" if restricted else "internal",
        )
        incident.teams.set([teams[t] for t in team_numbers])
        incidents.append(incident)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    postmortems = []
    for n, p in enumerate(org.postmortems):
        postmortem = Postmortem.objects.create(
            key=f"PM-{n}",
            title=f"Postmortem {n}",
            summary=f"The {WORD} failed under load.",
            owner=users[p.owner],
            facilitator=users[p.facilitator] if p.facilitator is not None else None,
            status="published" if p.published else "draft",
            created_at=start + timedelta(days=n),
            published_at=start + timedelta(days=n, hours=1) if p.published else None,
        )
        postmortem.collaborators.set([users[i] for i in p.collaborators])
        postmortem.reviewers.set([users[i] for i in p.reviewers])
        postmortem.incidents.set([incidents[i] for i in p.incidents])
        ActionItem.objects.create(
            postmortem=postmortem,
            key="A1",
            title=f"Fix the {WORD} of postmortem {n}",
            owner=users[p.owner],
            due=date(2026, 3, 1),
        )
        index_postmortem(postmortem)
        postmortems.append(postmortem)
    return Built(users, incidents, postmortems)


# --- The checks -------------------------------------------------------------------------------

KEY = re.compile(r"PM-\d+")


def keys_in(text: str) -> set[str]:
    return set(KEY.findall(text))


def check_person(org: Organisation, built: Built, person: int) -> None:
    user = built.users[person]
    client = Client()
    client.force_login(user)
    readable = {
        pm.key
        for pm, p in zip(built.postmortems, org.postmortems, strict=True)
        if reads_postmortem(org, person, p)
    }
    assert {pm.key for pm in permissions.visible_postmortems(user)} == readable
    for pm, p in zip(built.postmortems, org.postmortems, strict=True):
        roles = roles_on(org, person, p)
        for action in table.POSTMORTEM_RULES:
            expected = table.may_on_postmortem(action, org.roles[person], roles)
            assert permissions.may(user, action, pm) == expected, (pm.key, action)
        seen = pm.key in readable
        assert client.get(f"/postmortems/{pm.key}/").status_code == (200 if seen else 404)
        download = client.get(f"/postmortems/{pm.key}/download.md")
        assert download.status_code == (200 if seen else 404)
        people = client.get(f"/postmortems/{pm.key}/people/").status_code
        may_people = permissions.may(user, "change_people", pm) or permissions.may(
            user, "change_owner", pm
        )
        assert people == (404 if not seen else 200 if may_people else 403)
        if seen:
            similar = {s.key for s in similar_postmortems(pm, user)}
            assert similar <= readable
    for n, incident in enumerate(built.incidents):
        seen = reads_incident(org, person, n)
        assert permissions.may_read_incident(user, incident) == seen
        assert client.get(f"/incidents/{incident.key}/").status_code == (200 if seen else 404)
        assert permissions.may_edit_incident(user, incident) == edits_incident(org, person, n)
        assert permissions.may_change_incident_access(user, incident) == changes_access(
            org, person, n
        )
        if seen:
            listed = keys_in(client.get(f"/incidents/{incident.key}/").text)
            assert listed <= readable
    found = keys_in(client.get("/library/search/", {"q": WORD}).text)
    assert found == readable
    assert keys_in(client.get("/actions/").text) <= readable
    assert keys_in(client.get("/").text) <= readable
    published = {
        pm.key for pm, p in zip(built.postmortems, org.postmortems, strict=True) if p.published
    }
    if user.is_active:
        feed = create_feed(created_by=user, scope=parse_scope("all"))
        atom = Client().get(f"/sharing/feeds/{feed.raw}.atom").text
        assert keys_in(atom) == readable & published


@pytest.mark.django_db
@settings(
    max_examples=10,
    deadline=None,
    # Each example builds an organisation and asks every page: shrinking would take minutes,
    # and the failing organisation is printed as drawn.
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(organisations())
def test_every_answer_follows_the_permission_table(org: Organisation) -> None:
    try:
        with transaction.atomic():
            built = build(org)
            for person in range(PEOPLE):
                check_person(org, built, person)
            raise Rollback
    except Rollback:
        pass
