"""The kept score of every word in every search document (``library_wordscore``).

Ranking reads these lists in score order so that the first page of a common word stops
early (docs/search.md, "Ranking"). The rows are written by triggers in the same statement as
the document, and filled here for the documents already written:

- SQLite: a scratch FTS5 table with the index's tokenizer, read through an ``fts5vocab``
  table of type ``instance``, tokenizes each written document again (it is emptied at once);
- PostgreSQL: the function that writes the vectors also scores every lexeme of the weighted
  vector when the text changed (a row's weights say which part each occurrence is in).

Deleting a document deletes its rows. The formula is ``secondstory.library.wordscore``'s.
"""

import importlib

import django.db.models.deletion
from django.db import migrations, models

from secondstory.library import wordscore

_head = importlib.import_module("secondstory.library.migrations.0006_ranking_head")
_keys = importlib.import_module("secondstory.library.migrations.0009_exercise_keys")

_TEXT = ("title", "summary", "factors", "actions", "labels", "narrative", "timeline")
_SAME_TEXT = " AND ".join(f"NEW.{c} IS NOT DISTINCT FROM OLD.{c}" for c in _TEXT)

WRITE_FUNCTION = f"""
CREATE OR REPLACE FUNCTION library_searchvector_write() RETURNS trigger AS $$
DECLARE
    head tsvector := {_head._head("NEW.")};
    words tsvector := head || {_head._tail("NEW.")};
BEGIN
    INSERT INTO library_searchvector (document_id, vector, keys_vector, pairs, head, facets)
    VALUES (NEW.id, words, to_tsvector('simple'::regconfig, NEW.keys),
            secondstory_pairs(words), head, {_keys._facets("NEW.keys")})
    ON CONFLICT (document_id) DO UPDATE
        SET vector = EXCLUDED.vector, keys_vector = EXCLUDED.keys_vector,
            pairs = EXCLUDED.pairs, head = EXCLUDED.head, facets = EXCLUDED.facets;
    IF TG_OP = 'UPDATE' THEN
        IF {_SAME_TEXT} THEN
            RETURN NULL;
        END IF;
        DELETE FROM library_wordscore WHERE document_id = NEW.id;
    END IF;
    {wordscore.postgres_insert("words", "NEW.id")};
    RETURN NULL;
END $$ LANGUAGE plpgsql
"""

POSTGRES_FORWARD = [
    wordscore.POSTGRES_TABLE,
    wordscore.postgres_insert("v.vector", "v.document_id").replace(
        "FROM unnest(", "FROM library_searchvector v, unnest("
    ),
    wordscore.WALK_INDEX,
    WRITE_FUNCTION,
    wordscore.POSTGRES_DELETE_FUNCTION,
    wordscore.POSTGRES_DELETE_TRIGGER,
    "ANALYZE library_wordscore",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS library_wordscore_delete ON library_searchdocument",
    "DROP FUNCTION IF EXISTS library_wordscore_delete()",
    _keys.WRITE_FUNCTION,
    "DROP TABLE IF EXISTS library_wordscore",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS library_wordscore_ad",
    "DROP TRIGGER IF EXISTS library_wordscore_au",
    "DROP TRIGGER IF EXISTS library_wordscore_ai",
    f"DROP TABLE IF EXISTS {wordscore.TERMS}",
    f"DROP TABLE IF EXISTS {wordscore.SCRATCH}",
    "DROP TABLE IF EXISTS library_wordscore",
]


def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for sql in POSTGRES_FORWARD:
            schema_editor.execute(sql)
        return
    schema_editor.execute(wordscore.SQLITE_TABLE)
    for sql in wordscore.SQLITE_SCRATCH:
        schema_editor.execute(sql)
    with schema_editor.connection.cursor() as cursor:
        wordscore.sqlite_fill(cursor)
    schema_editor.execute(wordscore.WALK_INDEX)
    for sql in wordscore.SQLITE_TRIGGERS:
        schema_editor.execute(sql)


def reverse(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    for sql in POSTGRES_REVERSE if vendor == "postgresql" else SQLITE_REVERSE:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("library", "0009_exercise_keys")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(forward, reverse)],
            state_operations=[
                migrations.CreateModel(
                    name="WordScore",
                    fields=[
                        (
                            "pk",
                            models.CompositePrimaryKey(
                                "document_id",
                                "word",
                                blank=True,
                                editable=False,
                                primary_key=True,
                                serialize=False,
                            ),
                        ),
                        ("word", models.TextField()),
                        ("score", models.BigIntegerField()),
                        (
                            "document",
                            models.ForeignKey(
                                db_constraint=False,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="library.searchdocument",
                            ),
                        ),
                    ],
                ),
            ],
        ),
    ]
