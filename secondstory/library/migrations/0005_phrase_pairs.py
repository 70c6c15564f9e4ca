"""PostgreSQL: adjacent word pairs, so that phrases are answered by the index.

A phrase such as "connection pool" matches where its words stand side by side. The
GIN index over the words finds the documents holding both; checking that they are
adjacent then reads each candidate's whole vector, which made phrase searches of
common words cost hundreds of milliseconds. Each document's vector now has a
companion ``pairs`` vector with one lexeme per pair of adjacent words
(``connect_pool``), written by the same trigger and in the same GIN index: a
two-word phrase is one pair lookup, a longer one a set of pairs checked against
the vector only for the documents holding all of them.
"""

from django.db import migrations

PAIRS_FUNCTION = """
CREATE OR REPLACE FUNCTION secondstory_pairs(v tsvector) RETURNS tsvector AS $$
    SELECT coalesce(array_to_tsvector(array_agg(DISTINCT pair)), ''::tsvector) FROM (
        SELECT lexeme || '_' || lead(lexeme) OVER w AS pair, lead(pos) OVER w - pos AS gap
        FROM unnest(v) AS u(lexeme, positions, weights), unnest(u.positions) AS pos
        WINDOW w AS (ORDER BY pos)
    ) AS pairs WHERE gap = 1
$$ LANGUAGE sql IMMUTABLE PARALLEL SAFE
"""


def _vector(row: str) -> str:
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


WRITE_FUNCTION = f"""
CREATE OR REPLACE FUNCTION library_searchvector_write() RETURNS trigger AS $$
DECLARE
    words tsvector := {_vector("NEW.")};
BEGIN
    INSERT INTO library_searchvector (document_id, vector, keys_vector, pairs)
    VALUES (NEW.id, words, to_tsvector('simple'::regconfig, NEW.keys), secondstory_pairs(words))
    ON CONFLICT (document_id) DO UPDATE
        SET vector = EXCLUDED.vector, keys_vector = EXCLUDED.keys_vector,
            pairs = EXCLUDED.pairs;
    RETURN NULL;
END $$ LANGUAGE plpgsql
"""

OLD_WRITE_FUNCTION = f"""
CREATE OR REPLACE FUNCTION library_searchvector_write() RETURNS trigger AS $$
BEGIN
    INSERT INTO library_searchvector (document_id, vector, keys_vector)
    VALUES (NEW.id, {_vector("NEW.")}, to_tsvector('simple'::regconfig, NEW.keys))
    ON CONFLICT (document_id) DO UPDATE
        SET vector = EXCLUDED.vector, keys_vector = EXCLUDED.keys_vector;
    RETURN NULL;
END $$ LANGUAGE plpgsql
"""

FORWARD = [
    PAIRS_FUNCTION,
    "ALTER TABLE library_searchvector ADD COLUMN pairs tsvector NOT NULL DEFAULT ''::tsvector",
    "ALTER TABLE library_searchvector ALTER COLUMN pairs SET STORAGE EXTERNAL",
    WRITE_FUNCTION,
    "UPDATE library_searchvector SET pairs = secondstory_pairs(vector)",
    "DROP INDEX IF EXISTS library_searchvector_match",
    """CREATE INDEX library_searchvector_match ON library_searchvector
        USING GIN (vector, keys_vector, pairs)""",
]
REVERSE = [
    "DROP INDEX IF EXISTS library_searchvector_match",
    """CREATE INDEX library_searchvector_match ON library_searchvector
        USING GIN (vector, keys_vector)""",
    OLD_WRITE_FUNCTION,
    "ALTER TABLE library_searchvector DROP COLUMN pairs",
    "DROP FUNCTION IF EXISTS secondstory_pairs(tsvector)",
]


def _run(statements: list[str]):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("library", "0004_search_vectors")]

    operations = [migrations.RunPython(_run(FORWARD), _run(REVERSE))]
