"""Length and form of the fields of a record (keys, titles, slugs, usernames, links), and
the size limits that keep one input from slowing everyone down (docs/operations.md,
"Limits"): events per incident and bytes per section.

The database columns have the same limits (``taxonomy.MAX_*``), so a record that
passes here never fails on a column that is too short.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from secondstory.core import taxonomy as t
from secondstory.core.record import IncidentRecord, PostmortemRecord

Path = tuple[str | int, ...]

#: Timeline events one incident may hold: its pages read windows of events, its export
#: streams, and a save never rereads them, but every import, export and search rebuild
#: still passes over them all.
MAX_EVENTS_PER_INCIDENT = 250_000
#: Bytes of one section's Markdown in UTF-8, tables and all.
MAX_SECTION_BYTES = 100_000

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
    for name, text in record.sections.items():
        message = section_size_problem(text)
        if message:
            problems.append((("sections", name), message))
    for i, incident in enumerate(record.incidents):
        message = event_count_problem(incident.key, len(incident.timeline))
        if message:
            problems.append((("incidents", i, "timeline"), message))
    return problems


def section_size_problem(text: str) -> str | None:
    """Why a section's text is too big, or None.

    >>> section_size_problem("Checkout failed.") is None
    True
    """
    size = len(text.encode("utf-8"))
    if size <= MAX_SECTION_BYTES:
        return None
    return f"is {size:,} bytes long; at most {MAX_SECTION_BYTES:,} bytes fit (tables included)"


def event_count_problem(incident: str, count: int) -> str | None:
    """Why an incident's timeline would hold too many events, or None.

    >>> event_count_problem("INC-1", 250_001)
    'incident INC-1 would hold 250,001 timeline events; at most 250,000 fit'
    """
    if count <= MAX_EVENTS_PER_INCIDENT:
        return None
    return (
        f"incident {incident} would hold {count:,} timeline events; "
        f"at most {MAX_EVENTS_PER_INCIDENT:,} fit"
    )
