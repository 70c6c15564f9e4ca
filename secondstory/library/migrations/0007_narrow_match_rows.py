"""PostgreSQL: the rows the index finds are narrow again, and hold the facet keys.

Migration 0006 kept each document's small ``head`` vector (about 1.4 KB) in the
row of ``library_searchvector``, the table the GIN index finds matches in. Every
statement that visits the matches read those wide rows, and counting facets then
looked up each match's facet keys in ``library_searchkeys`` one by one (three
index and heap pages per match). Now:

- the head lives in ``library_searchhead`` (in the row there, ``STORAGE MAIN``),
  read only by ranking, through its primary key;
- ``library_searchvector`` gains ``facets``, the facet keys of the document (the
  same as ``library_searchkeys``, which SQLite reads), in the row, so counting
  facets reads nothing but the rows the index found;
- the table is rewritten so that the dropped column's space is given back.

The same trigger writes both tables in the statement that writes the document; a
head row goes with its document (``ON DELETE CASCADE``, so deleting a postmortem
costs no extra query). SQLite ranks with FTS5 and leaves the table empty.
"""

import importlib

import django.db.models.deletion
from django.db import migrations, models

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
    INSERT INTO library_searchvector (document_id, vector, keys_vector, pairs, facets)
    VALUES (NEW.id, words, to_tsvector('simple'::regconfig, NEW.keys), secondstory_pairs(words),
            {_facets("NEW.keys")})
    ON CONFLICT (document_id) DO UPDATE
        SET vector = EXCLUDED.vector, keys_vector = EXCLUDED.keys_vector,
            pairs = EXCLUDED.pairs, facets = EXCLUDED.facets;
    INSERT INTO library_searchhead (document_id, head) VALUES (NEW.id, head)
    ON CONFLICT (document_id) DO UPDATE SET head = EXCLUDED.head;
    RETURN NULL;
END $$ LANGUAGE plpgsql
"""

FORWARD = [
    "ALTER TABLE library_searchhead ADD COLUMN head tsvector NOT NULL DEFAULT ''::tsvector",
    # In the row: ranking reads it for every match, a TOAST lookup each would cost more.
    "ALTER TABLE library_searchhead ALTER COLUMN head SET STORAGE MAIN",
    """ALTER TABLE library_searchhead ADD CONSTRAINT library_searchhead_document
        FOREIGN KEY (document_id) REFERENCES library_searchdocument (id) ON DELETE CASCADE
        DEFERRABLE INITIALLY DEFERRED""",
    "INSERT INTO library_searchhead (document_id, head) "
    "SELECT document_id, head FROM library_searchvector",
    # Short; in the row, where counting facets reads it.
    "ALTER TABLE library_searchvector ADD COLUMN facets text NOT NULL DEFAULT ''",
    "ALTER TABLE library_searchvector ALTER COLUMN facets SET STORAGE MAIN",
    f"""UPDATE library_searchvector v SET facets = {_facets("d.keys")}
        FROM library_searchdocument d WHERE d.id = v.document_id""",
    WRITE_FUNCTION,
    "ALTER TABLE library_searchvector DROP COLUMN head",
    # Dropping a column leaves its bytes in every row until the row is rewritten.
    "CLUSTER library_searchvector USING library_searchvector_pkey",
    "ANALYZE library_searchvector",
    "ANALYZE library_searchhead",
]
REVERSE = [
    "ALTER TABLE library_searchvector DROP COLUMN facets",
    "ALTER TABLE library_searchvector ADD COLUMN head tsvector NOT NULL DEFAULT ''::tsvector",
    "ALTER TABLE library_searchvector ALTER COLUMN head SET STORAGE MAIN",
    """UPDATE library_searchvector v SET head = h.head
        FROM library_searchhead h WHERE h.document_id = v.document_id""",
    _head.WRITE_FUNCTION,
]


def _run(statements: list[str]):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("library", "0006_ranking_head")]

    operations = [
        migrations.CreateModel(
            name="SearchHead",
            fields=[
                (
                    "document",
                    models.OneToOneField(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="head_row",
                        serialize=False,
                        to="library.searchdocument",
                    ),
                ),
            ],
        ),
        migrations.RunPython(_run(FORWARD), _run(REVERSE)),
    ]
