"""The version of what a postmortem's page shows: its change tokens, read in one query.

A kept fragment is keyed by the version it was rendered at, so it is served exactly as long
as nothing it was read from changed, whichever process or command wrote. The version must be
read before rendering: a change that lands meanwhile then gives the next request another key.
"""

from __future__ import annotations

from django.db import connection

#: PostgreSQL adds a row per writing statement; past this many rows of one postmortem's
#: incidents (or of the shared token) a reader folds each owner's rows into one.
FOLD_AFTER = 200
_MODULUS = 2**62

_VERSION = """SELECT
    (SELECT COUNT(*) FROM pagecache_postmortemchange WHERE postmortem_id = %s),
    (SELECT COALESCE(SUM(token), 0) FROM pagecache_postmortemchange WHERE postmortem_id = %s),
    (SELECT COUNT(*) FROM pagecache_incidentchange c
        JOIN postmortems_postmortem_incidents l ON l.incident_id = c.incident_id
        WHERE l.postmortem_id = %s),
    (SELECT COALESCE(SUM(c.token), 0) FROM pagecache_incidentchange c
        JOIN postmortems_postmortem_incidents l ON l.incident_id = c.incident_id
        WHERE l.postmortem_id = %s),
    (SELECT COUNT(*) FROM pagecache_sharedchange),
    (SELECT COALESCE(SUM(token), 0) FROM pagecache_sharedchange)"""


def page_version(postmortem_id: int) -> str:
    """The postmortem's version, e.g. ``"1:88120:3:90112:1:5521"``.

    It changes with every write to the postmortem, its incidents (through the link table,
    which is the postmortem's own) and the shared lists; counts and sums of random steps, so
    a rolled-back write leaves no version behind that a later, different state could repeat.
    """
    with connection.cursor() as cursor:
        cursor.execute(_VERSION, [postmortem_id] * 4)
        row = cursor.fetchone()
        if connection.vendor == "postgresql" and max(row[0], row[2], row[4]) > FOLD_AFTER:
            _fold(cursor, postmortem_id)
    return ":".join(str(int(part)) for part in row)


def _fold(cursor: object, postmortem_id: int) -> None:
    """Replace each owner's rows by one holding their sum (the version changes once)."""
    statements = [
        ("pagecache_postmortemchange", "postmortem_id", "postmortem_id = %s"),
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
