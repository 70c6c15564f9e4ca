"""Length and form of the short fields of a record (keys, titles, slugs, usernames, links).

The database columns have the same limits (``taxonomy.MAX_*``), so a record that
passes here never fails on a column that is too short.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from secondstory.core import taxonomy as t
from secondstory.core.record import IncidentRecord, PostmortemRecord

Path = tuple[str | int, ...]

_SLUG = re.compile(r"^[-a-zA-Z0-9_]+\Z")
_USERNAME = re.compile(r"^[\w.@+-]+\Z")


def _checks(record: PostmortemRecord) -> Iterator[tuple[Path, str, int]]:
    """(path, value, limit) for every bounded field of the record."""
    yield ("key",), record.key, t.MAX_KEY
    yield ("title",), record.title, t.MAX_TITLE
    for name, person in record.people.items():
        yield ("people", name, "name"), person.name, t.MAX_PERSON_NAME
        yield ("people", name, "email"), person.email, t.MAX_EMAIL
    for i, incident in enumerate(record.incidents):
        for path, value, limit in _incident_checks(incident):
            yield ("incidents", i, *path), value, limit
    for i, factor in enumerate(record.factors):
        yield ("factors", i, "key"), factor.key, t.MAX_KEY
    for i, item in enumerate(record.action_items):
        yield ("action_items", i, "key"), item.key, t.MAX_KEY
        yield ("action_items", i, "title"), item.title, t.MAX_TITLE
        yield ("action_items", i, "tracker_url"), item.tracker_url, t.MAX_URL


def _incident_checks(incident: IncidentRecord) -> Iterator[tuple[Path, str, int]]:
    yield ("key",), incident.key, t.MAX_KEY
    yield ("title",), incident.title, t.MAX_TITLE
    for i, ref in enumerate(incident.external_references):
        yield ("external_references", i, "system"), ref.system, t.MAX_SYSTEM
        yield ("external_references", i, "identifier"), ref.identifier, t.MAX_IDENTIFIER
        yield ("external_references", i, "url"), ref.url, t.MAX_URL
    for i, event in enumerate(incident.timeline):
        yield ("timeline", i, "source"), event.source, t.MAX_SOURCE
        yield ("timeline", i, "source_ref"), event.source_ref, t.MAX_SOURCE_REF
        yield ("timeline", i, "actor"), event.actor, t.MAX_ACTOR
        yield ("timeline", i, "actor_role"), event.actor_role, t.MAX_ROLE
        yield ("timeline", i, "evidence_url"), event.evidence_url, t.MAX_URL


def _form_problems(record: PostmortemRecord) -> Iterator[tuple[Path, str]]:
    for name in sorted(record.usernames() | set(record.people)):
        if name and (not _USERNAME.match(name) or len(name) > t.MAX_USERNAME):
            yield (
                ("people", name),
                f"{name!r} is not a username (at most {t.MAX_USERNAME} letters, digits "
                "and . @ + - _)",
            )
    for i, incident in enumerate(record.incidents):
        for field in ("services", "teams", "tags"):
            for j, slug in enumerate(getattr(incident, field)):
                if not _SLUG.match(slug) or len(slug) > t.MAX_SLUG:
                    yield (
                        ("incidents", i, field, j),
                        f"{slug!r} is not a slug (at most {t.MAX_SLUG} letters, digits, - and _)",
                    )


def limit_problems(record: PostmortemRecord) -> list[tuple[Path, str]]:
    """(path, message) for each field that is too long or not of its form."""
    problems = [
        (path, f"is {len(value)} characters long; at most {limit} fit")
        for path, value, limit in _checks(record)
        if len(value) > limit
    ]
    problems.extend(_form_problems(record))
    return problems
