"""PostgreSQL: a small ranking vector beside each document's full vector.

Ranking every match with ``ts_rank`` over the full weighted vector read each
matching document's whole vector (about 5 KB, out of line in the TOAST table):
for a common word at 100,000 postmortems that is tens of thousands of TOAST
lookups per search. The ``head`` vector holds only the weighted words of the
title and summary (A) and of the factors, action items and labels (B), about a
quarter of the size, and is kept in the row itself (``STORAGE MAIN``), so
ranking reads it with the rows the index found. The full vector is still read to
order documents whose ``head`` ranks tie (docs/search.md, "Ranking").
"""

from django.db import migrations


def _part(row: str, columns: str, weight: str) -> str:
    text = " || ' ' || ".join(f"{row}{c}" for c in columns.split())
    return f"setweight(to_tsvector('secondstory'::regconfig, {text}), '{weight}')"


def _head(row: str) -> str:
    return f"{_part(row, 'title summary', 'A')} || {_part(row, 'factors actions labels', 'B')}"


def _tail(row: str) -> str:
    """Appended to the head left to right: the same vector as before, position for position."""
    return f"{_part(row, 'narrative', 'C')} || {_part(row, 'timeline', 'D')}"


WRITE_FUNCTION = f"""
CREATE OR REPLACE FUNCTION library_searchvector_write() RETURNS trigger AS $$
DECLARE
    head tsvector := {_head("NEW.")};
    words tsvector := head || {_tail("NEW.")};
BEGIN
    INSERT INTO library_searchvector (document_id, vector, keys_vector, pairs, head)
    VALUES (NEW.id, words, to_tsvector('simple'::regconfig, NEW.keys),
            secondstory_pairs(words), head)
    ON CONFLICT (document_id) DO UPDATE
        SET vector = EXCLUDED.vector, keys_vector = EXCLUDED.keys_vector,
            pairs = EXCLUDED.pairs, head = EXCLUDED.head;
    RETURN NULL;
END $$ LANGUAGE plpgsql
"""

OLD_WRITE_FUNCTION = f"""
CREATE OR REPLACE FUNCTION library_searchvector_write() RETURNS trigger AS $$
DECLARE
    words tsvector := {_head("NEW.")} || {_tail("NEW.")};
BEGIN
    INSERT INTO library_searchvector (document_id, vector, keys_vector, pairs)
    VALUES (NEW.id, words, to_tsvector('simple'::regconfig, NEW.keys), secondstory_pairs(words))
    ON CONFLICT (document_id) DO UPDATE
        SET vector = EXCLUDED.vector, keys_vector = EXCLUDED.keys_vector,
            pairs = EXCLUDED.pairs;
    RETURN NULL;
END $$ LANGUAGE plpgsql
"""

FORWARD = [
    "ALTER TABLE library_searchvector ADD COLUMN head tsvector NOT NULL DEFAULT ''::tsvector",
    # In the row: ranking reads it for every match, a TOAST lookup each would cost more.
    "ALTER TABLE library_searchvector ALTER COLUMN head SET STORAGE MAIN",
    WRITE_FUNCTION,
    f"""UPDATE library_searchvector v SET head = {_head("d.")}
        FROM library_searchdocument d WHERE d.id = v.document_id""",
]
REVERSE = [
    OLD_WRITE_FUNCTION,
    "ALTER TABLE library_searchvector DROP COLUMN head",
]


def _run(statements: list[str]):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("library", "0005_phrase_pairs")]

    operations = [migrations.RunPython(_run(FORWARD), _run(REVERSE))]
