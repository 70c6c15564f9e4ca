"""The services, teams, tags and external references of incidents, read as plain values.

A page showing incidents (``incidents/_facts.html``) needs only a few columns of each: they
are read for every incident at once in one query (a ``UNION ALL`` of the four lists), not as
model objects in four prefetch queries.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db import connection

from secondstory.accounts.models import Team
from secondstory.incidents.models import ExternalReference, Incident, Service, Tag


class Named(NamedTuple):
    """A service, team or tag as the facts show it (a tag's name is its slug)."""

    name: str
    slug: str


class Reference(NamedTuple):
    system: str
    identifier: str
    url: str


@dataclass(frozen=True, slots=True)
class Facts:
    """One incident's lists, in the models' own order (services and teams by name, tags by
    slug, references by system and identifier)."""

    services: list[Named] = field(default_factory=list)
    teams: list[Named] = field(default_factory=list)
    tags: list[Named] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)


def _sql() -> str:
    services = Incident.services.through._meta.db_table
    teams = Incident.teams.through._meta.db_table
    tags = Incident.tags.through._meta.db_table
    return (
        f"SELECT l.incident_id, 0, s.name, s.slug, '' FROM {services} l "
        f"JOIN {Service._meta.db_table} s ON s.id = l.service_id WHERE l.incident_id IN ({{ids}}) "
        f"UNION ALL SELECT l.incident_id, 1, t.name, t.slug, '' FROM {teams} l "
        f"JOIN {Team._meta.db_table} t ON t.id = l.team_id WHERE l.incident_id IN ({{ids}}) "
        f"UNION ALL SELECT l.incident_id, 2, t.slug, t.slug, '' FROM {tags} l "
        f"JOIN {Tag._meta.db_table} t ON t.id = l.tag_id WHERE l.incident_id IN ({{ids}}) "
        f"UNION ALL SELECT incident_id, 3, system, identifier, url "
        f"FROM {ExternalReference._meta.db_table} WHERE incident_id IN ({{ids}}) "
        # In the database's own collation, as the models' ``ordering`` sorts them.
        "ORDER BY 1, 2, 3, 4"
    )


def facts_of(incidents: Iterable[Incident]) -> dict[int, Facts]:
    """Each incident's facts by id, in one query (none for no incident)."""
    ids = [incident.pk for incident in incidents]
    found = {pk: Facts() for pk in ids}
    if not ids:
        return found
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(_sql().format(ids=marks), ids * 4)
        rows = cursor.fetchall()
    for incident_id, kind, first, second, url in rows:
        facts = found[incident_id]
        if kind == 0:
            facts.services.append(Named(first, second))
        elif kind == 1:
            facts.teams.append(Named(first, second))
        elif kind == 2:
            facts.tags.append(Named(first, second))
        else:
            facts.references.append(Reference(first, second, url))
    return found


def facts_prefetched(incident: Incident) -> Facts:
    """The facts of an incident whose four lists are prefetched already (no query)."""
    return Facts(
        services=[Named(s.name, s.slug) for s in incident.services.all()],
        teams=[Named(t.name, t.slug) for t in incident.teams.all()],
        tags=[Named(t.slug, t.slug) for t in incident.tags.all()],
        references=[
            Reference(r.system, r.identifier, r.url) for r in incident.external_references.all()
        ],
    )
