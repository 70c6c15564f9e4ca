"""The version of what a postmortem's page shows: its change tokens, read in one query.

A kept fragment is keyed by the version it was rendered at, so it is served exactly as long
as nothing it was read from changed, whichever process or command wrote. The version must be
read before rendering: a change that lands meanwhile then gives the next request another key.
"""

from __future__ import annotations

from django.db import connection
from django.db.models.expressions import RawSQL

#: PostgreSQL adds a row per writing statement; past this many rows of one postmortem's
#: incidents (or of the shared token) a reader folds each owner's rows into one.
FOLD_AFTER = 200
_MODULUS = 2**62

_PARTS = (
    "(SELECT COUNT(*) || ':' || COALESCE(SUM(token), 0) FROM pagecache_postmortemchange "
    "WHERE postmortem_id = {id})",
    "(SELECT COUNT(*) || ':' || COALESCE(SUM(token), 0) FROM pagecache_timelinechange "
    "WHERE postmortem_id = {id})",
    "(SELECT COUNT(*) || ':' || COALESCE(SUM(c.token), 0) FROM pagecache_incidentchange c "
    "JOIN postmortems_postmortem_incidents l ON l.incident_id = c.incident_id "
    "WHERE l.postmortem_id = {id})",
    "(SELECT COUNT(*) || ':' || COALESCE(SUM(token), 0) FROM pagecache_sharedchange)",
)
#: The version as one SQL expression of the postmortem's id column (``{id}``).
VERSION_SQL = " || '/' || ".join(_PARTS)


def version_annotation() -> RawSQL:
    """The version as an annotation of a postmortem query (``.annotate(page_version=...)``),
    so the page reads it with the postmortem, in no query of its own."""
    return RawSQL(VERSION_SQL.format(id='"postmortems_postmortem"."id"'), [])


def page_version(postmortem_id: int) -> str:
    """The postmortem's version, e.g. ``"1:88120/1:7301/3:90112/1:5521"`` (rows and sum of
    the postmortem's tokens, of its timeline's, of its incidents' and of the shared one).

    It changes with every write to the postmortem, its incidents (through the link table,
    which is the postmortem's own) and the shared lists; sums of random steps, so a
    rolled-back write leaves no version behind that a later, different state could repeat.
    ``timeline_part`` is what the timeline window depends on.
    """
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {VERSION_SQL.format(id='%s')}", [postmortem_id] * 3)
        (version,) = cursor.fetchone()
    return checked(postmortem_id, str(version))


def timeline_part(version: str) -> str:
    """The part of a page version the timeline window depends on: every token but the
    postmortem's own (a section save, a factor or a comment leaves it)."""
    return version.split("/", 1)[1]


def checked(postmortem_id: int, version: str) -> str:
    """``version``; on PostgreSQL, first folds the rows when there are many (see ``_fold``)."""
    if connection.vendor == "postgresql":
        counts = [int(part.split(":")[0]) for part in version.split("/")]
        if max(counts) > FOLD_AFTER:
            with connection.cursor() as cursor:
                _fold(cursor, postmortem_id)
    return version


def _fold(cursor: object, postmortem_id: int) -> None:
    """Replace each owner's rows by one holding their sum (the version changes once)."""
    statements = [
        ("pagecache_postmortemchange", "postmortem_id", "postmortem_id = %s"),
        ("pagecache_timelinechange", "postmortem_id", "postmortem_id = %s"),
        (
            "pagecache_incidentchange",
            "incident_id",
            "incident_id IN (SELECT incident_id FROM postmortems_postmortem_incidents "
            "WHERE postmortem_id = %s)",
        ),
    ]
    for table, owner, where in statements:
        cursor.execute(  # type: ignore[attr-defined]
            f"WITH gone AS (DELETE FROM {table} WHERE {where} RETURNING {owner}, token) "
            f"INSERT INTO {table} ({owner}, token) "
            f"SELECT {owner}, SUM(token) %% %s FROM gone GROUP BY {owner}",
            [postmortem_id, _MODULUS],
        )
    cursor.execute(  # type: ignore[attr-defined]
        "WITH gone AS (DELETE FROM pagecache_sharedchange RETURNING token) "
        "INSERT INTO pagecache_sharedchange (token) "
        "SELECT COALESCE(SUM(token), 1) %% %s FROM gone",
        [_MODULUS],
    )
