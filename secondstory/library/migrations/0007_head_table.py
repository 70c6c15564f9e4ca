"""PostgreSQL: the ranking head vector moves to a narrow table of its own.

Migration 0006 kept each document's small ``head`` vector (about 1.4 KB) in the
row of ``library_searchvector``, the table the GIN index finds matches in. Every
statement that visits the matches read those wide rows: counting the facets of a
common word read about sixteen times the pages it read before. The head now
lives in ``library_searchhead`` (still in the row there, ``STORAGE MAIN``), read
only by ranking, through its primary key; ``library_searchvector`` is narrow
again (the document id, three toasted vectors and the keys), and is rewritten
so that the space of the dropped column is given back. The same trigger writes
both tables in the statement that writes the document; a head row goes with its
document (``ON DELETE CASCADE``, so deleting a postmortem costs no extra query).
SQLite ranks with FTS5 and leaves the table empty.
"""

import importlib

import django.db.models.deletion
from django.db import migrations, models

_head = importlib.import_module("secondstory.library.migrations.0006_ranking_head")

WRITE_FUNCTION = f"""
CREATE OR REPLACE FUNCTION library_searchvector_write() RETURNS trigger AS $$
DECLARE
    head tsvector := {_head._head("NEW.")};
    words tsvector := head || {_head._tail("NEW.")};
BEGIN
    INSERT INTO library_searchvector (document_id, vector, keys_vector, pairs)
    VALUES (NEW.id, words, to_tsvector('simple'::regconfig, NEW.keys), secondstory_pairs(words))
    ON CONFLICT (document_id) DO UPDATE
        SET vector = EXCLUDED.vector, keys_vector = EXCLUDED.keys_vector,
            pairs = EXCLUDED.pairs;
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
        FOREIGN KEY (document_id) REFERENCES library_searchdocument (id) ON DELETE CASCADE""",
    "INSERT INTO library_searchhead (document_id, head) "
    "SELECT document_id, head FROM library_searchvector",
    WRITE_FUNCTION,
    "ALTER TABLE library_searchvector DROP COLUMN head",
    # Dropping a column leaves its bytes in every row until the row is rewritten.
    "CLUSTER library_searchvector USING library_searchvector_pkey",
    "ANALYZE library_searchvector",
    "ANALYZE library_searchhead",
]
REVERSE = [
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
