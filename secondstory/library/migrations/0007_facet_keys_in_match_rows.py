"""PostgreSQL: the facet keys of each document in the row the index finds.

Counting the facets of a common word found the matches in ``library_searchvector``
and then looked up each one's facet keys in ``library_searchkeys``: an index probe
and a heap page per match, seven tenths of the statement's pages. The keys now also
live in ``library_searchvector.facets`` (in the row, written by the same trigger as
the vectors, from the document's keys), so counting facets reads only the rows the
index found, as ranking does. SQLite keeps reading ``library_searchkeys``.
"""

import importlib

from django.db import migrations

_head = importlib.import_module("secondstory.library.migrations.0006_ranking_head")

#: The key prefixes facets count (``secondstory.core.search.keys.FACETS_BY_PREFIX`` when
#: this was written): service, team, severity, factor category, year, status.
FACET_PREFIXES = "'xs', 'xt', 'xv', 'xf', 'xy', 'xp'"


def _facets(keys: str) -> str:
    """The facet keys among a document's keys, in their order, space-separated."""
    return (
        "array_to_string(ARRAY(SELECT t FROM unnest(string_to_array("
        f"{keys}, ' ')) WITH ORDINALITY AS u(t, n) "
        f"WHERE left(t, 2) IN ({FACET_PREFIXES}) ORDER BY n), ' ')"
    )


WRITE_FUNCTION = f"""
CREATE OR REPLACE FUNCTION library_searchvector_write() RETURNS trigger AS $$
DECLARE
    head tsvector := {_head._head("NEW.")};
    words tsvector := head || {_head._tail("NEW.")};
BEGIN
    INSERT INTO library_searchvector (document_id, vector, keys_vector, pairs, head, facets)
    VALUES (NEW.id, words, to_tsvector('simple'::regconfig, NEW.keys),
            secondstory_pairs(words), head, {_facets("NEW.keys")})
    ON CONFLICT (document_id) DO UPDATE
        SET vector = EXCLUDED.vector, keys_vector = EXCLUDED.keys_vector,
            pairs = EXCLUDED.pairs, head = EXCLUDED.head, facets = EXCLUDED.facets;
    RETURN NULL;
END $$ LANGUAGE plpgsql
"""

FORWARD = [
    # Short (about 60 bytes); in the row, where counting facets reads it.
    "ALTER TABLE library_searchvector ADD COLUMN facets text NOT NULL DEFAULT ''",
    "ALTER TABLE library_searchvector ALTER COLUMN facets SET STORAGE MAIN",
    f"""UPDATE library_searchvector v SET facets = {_facets("d.keys")}
        FROM library_searchdocument d WHERE d.id = v.document_id""",
    WRITE_FUNCTION,
    "ANALYZE library_searchvector",
]
REVERSE = [
    _head.WRITE_FUNCTION,
    "ALTER TABLE library_searchvector DROP COLUMN facets",
]


def _run(statements: list[str]):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("library", "0006_ranking_head")]

    operations = [migrations.RunPython(_run(FORWARD), _run(REVERSE))]
