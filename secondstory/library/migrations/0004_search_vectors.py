"""PostgreSQL: the tsvectors move to a narrow table of their own.

Counting the matches of a common word visits every matching row. In the document
table those rows are wide (the text itself), so a count read hundreds of
megabytes; in ``library_searchvector`` a row is the document id and two toasted
vectors, and the whole heap is a few megabytes. A trigger on the document table
writes the vectors in the same statement as the text; the rows are removed with
their documents (the model is known to Django for that, its vector columns are
not). SQLite keeps its FTS5 table and leaves this table empty.
"""

import django.db.models.deletion
from django.db import migrations, models

def _vector(row: str) -> str:
    """The weighted vector of a document row (the same as the column it replaces)."""

    def part(columns: str, weight: str) -> str:
        text = " || ' ' || ".join(f"{row}{c}" for c in columns.split())
        return f"setweight(to_tsvector('secondstory'::regconfig, {text}), '{weight}')"

    return " || ".join(
        [
            part("title summary", "A"),
            part("factors actions labels", "B"),
            part("narrative", "C"),
            part("timeline", "D"),
        ]
    )


VECTOR = _vector("NEW.")

POSTGRES_FORWARD = [
    """ALTER TABLE library_searchvector
        ADD COLUMN vector tsvector NOT NULL DEFAULT ''::tsvector,
        ADD COLUMN keys_vector tsvector NOT NULL DEFAULT ''::tsvector""",
    # Keep rows narrow: vectors go to the TOAST table even when they are short.
    "ALTER TABLE library_searchvector SET (toast_tuple_target = 128)",
    "ALTER TABLE library_searchvector ALTER COLUMN vector SET STORAGE EXTERNAL",
    f"""CREATE FUNCTION library_searchvector_write() RETURNS trigger AS $$
    BEGIN
        INSERT INTO library_searchvector (document_id, vector, keys_vector)
        VALUES (NEW.id, {VECTOR}, to_tsvector('simple'::regconfig, NEW.keys))
        ON CONFLICT (document_id) DO UPDATE
            SET vector = EXCLUDED.vector, keys_vector = EXCLUDED.keys_vector;
        RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER library_searchvector_write
        AFTER INSERT OR UPDATE ON library_searchdocument
        FOR EACH ROW EXECUTE FUNCTION library_searchvector_write()""",
    """INSERT INTO library_searchvector (document_id, vector, keys_vector)
        SELECT id, vector, keys_vector FROM library_searchdocument""",
    "DROP INDEX IF EXISTS library_search_vector",
    "DROP INDEX IF EXISTS library_search_keys",
    "ALTER TABLE library_searchdocument DROP COLUMN vector, DROP COLUMN keys_vector",
    # One index over both columns: words and keys are answered together by the index,
    # never by reading vectors row by row.
    """CREATE INDEX library_searchvector_match ON library_searchvector
        USING GIN (vector, keys_vector)""",
]
POSTGRES_REVERSE = [
    f"""ALTER TABLE library_searchdocument ADD COLUMN vector tsvector
        GENERATED ALWAYS AS ({_vector('')}) STORED""",
    """ALTER TABLE library_searchdocument ADD COLUMN keys_vector tsvector
        GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, keys)) STORED""",
    "CREATE INDEX library_search_vector ON library_searchdocument USING GIN (vector)",
    "CREATE INDEX library_search_keys ON library_searchdocument USING GIN (keys_vector)",
    "DROP TRIGGER IF EXISTS library_searchvector_write ON library_searchdocument",
    "DROP FUNCTION IF EXISTS library_searchvector_write()",
]


def _run(statements: list[str]):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("library", "0003_search_keys")]

    operations = [
        migrations.CreateModel(
            name="SearchVector",
            fields=[
                (
                    "document",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="vector_row",
                        serialize=False,
                        to="library.searchdocument",
                    ),
                ),
            ],
        ),
        migrations.RunPython(_run(POSTGRES_FORWARD), _run(POSTGRES_REVERSE)),
    ]
