"""An exercise key in every search document: ``xe1`` for a game day's review, ``xe0`` else.

It is what the ``exercise:yes`` / ``exercise:no`` filter and the *Game day exercise* facet
read. The key comes last in a document's keys, so the documents already written get it
appended here, from their postmortem's ``is_exercise``, on both databases, with their facet
keys (``library_searchkeys``; on PostgreSQL also the ``facets`` column of the rows the index
finds, whose function now keeps ``xe`` keys too). The documents then say exactly what
indexing them now writes: no ``secondstory reindex`` is needed. Documents of an older
format (no keys) are left as they are; ``secondstory check`` already asks to reindex them.
"""

import importlib

from django.db import migrations

_head = importlib.import_module("secondstory.library.migrations.0006_ranking_head")
_facet_rows = importlib.import_module("secondstory.library.migrations.0007_facet_keys_in_match_rows")

#: ``secondstory.core.search.keys.FACETS_BY_PREFIX`` when this was written.
FACET_PREFIXES = f"{_facet_rows.FACET_PREFIXES}, 'xe'"


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

#: The key a document's postmortem calls for.
_KEY = (
    "(SELECT CASE WHEN p.is_exercise THEN 'xe1' ELSE 'xe0' END FROM postmortems_postmortem p "
    "WHERE p.id = library_searchdocument.postmortem_id)"
)
#: Documents written before the key existed (an older format, without keys, stays so);
#: ``%%`` is one ``%`` once the statement is run with (no) parameters, as migrations run it.
_WITHOUT = "keys <> '' AND keys NOT LIKE '%% xe_'"

FACET_KEYS = f"""
UPDATE library_searchkeys SET facets = ltrim(facets || ' ' || (
    SELECT {_KEY} FROM library_searchdocument
    WHERE library_searchdocument.id = library_searchkeys.document_id))
WHERE document_id IN (SELECT id FROM library_searchdocument WHERE {_WITHOUT})
"""
DOCUMENT_KEYS = f"UPDATE library_searchdocument SET keys = keys || ' ' || {_KEY} WHERE {_WITHOUT}"

#: Only the keys change: the vectors of the text are kept rather than recomputed.
POSTGRES_FORWARD = [
    WRITE_FUNCTION,
    FACET_KEYS,
    # A table with deferred checks still pending in the transaction cannot be altered.
    "SET CONSTRAINTS ALL IMMEDIATE",
    "ALTER TABLE library_searchdocument DISABLE TRIGGER library_searchvector_write",
    DOCUMENT_KEYS,
    "ALTER TABLE library_searchdocument ENABLE TRIGGER library_searchvector_write",
    f"""UPDATE library_searchvector v
        SET keys_vector = to_tsvector('simple'::regconfig, d.keys), facets = {_facets("d.keys")}
        FROM library_searchdocument d WHERE d.id = v.document_id AND d.keys LIKE '%% xe_'""",
    "ANALYZE library_searchvector",
]
#: The FTS5 update trigger rewrites each changed document's row of the index.
SQLITE_FORWARD = [FACET_KEYS, DOCUMENT_KEYS]
#: Going back leaves the keys: the older code never reads them (a reindex drops them).
POSTGRES_REVERSE = [_facet_rows.WRITE_FUNCTION]


def _run(statements: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("library", "0008_similar_terms"),
        ("postmortems", "0011_exercise_postmortems"),
    ]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": POSTGRES_REVERSE}),
        )
    ]
