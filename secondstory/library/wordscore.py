"""The kept score of each word in each search document, and how it is written.

A document's text has four parts, weighted as PostgreSQL's vector weighs them: the title
and summary (A), the factors, action items and labels (B), the narrative (C) and the
timeline (D). The score of a word in a document depends on that document alone:

    score(word, document) = sum over the parts g of floor(SCALE * W[g] * tf / (tf + K[g]))

where ``tf`` is how many times the part holds the word, ``W`` the part's weight and ``K`` a
fixed saturation per part (larger for the longer parts: one mention in a long timeline says
less than one in a title). Each part's share is an integer, so the sum is exact and the same
on both databases. ``library_wordscore`` keeps one row per (document, word) with it, written
by triggers in the same statement as the document: on SQLite from FTS5's own tokens (the
text is tokenized again by a scratch FTS5 table with the same tokenizer, read through an
``fts5vocab`` table), on PostgreSQL from the document's weighted ``tsvector`` (one position
per occurrence, weight A to D). Either way the words are exactly those the engine matches.

A query's score for a document is the sum over its distinct positive words of
``idf(word) * score(word, document)`` (``secondstory.library.ranking``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

#: The parts' weights (A: title and summary; B: factors, action items, labels; C: narrative;
#: D: timeline) and their saturation constants.
WEIGHTS = (10, 4, 2, 1)
SATURATION = (1.0, 1.5, 3.0, 6.0)
SCALE = 1_000_000
#: idf is kept as an integer too, so that a query's score is an exact integer sum.
IDF_SCALE = 1_000
#: The document columns of each part, in the order the index concatenates them.
PARTS = (
    ("title", "summary"),
    ("factors", "actions", "labels"),
    ("narrative",),
    ("timeline",),
)
LETTERS = "ABCD"


def part_score(part: int, tf: int) -> int:
    """One part's share of a word's score (``tf`` occurrences in that part)."""
    factor = float(SCALE * WEIGHTS[part])
    return int(factor * tf / (tf + SATURATION[part])) if tf else 0


def word_score(counts: Sequence[int]) -> int:
    """The score of a word occurring ``counts[g]`` times in each part ``g``."""
    return sum(part_score(part, tf) for part, tf in enumerate(counts))


def idf(documents: int, frequency: int) -> int:
    """The weight of a word found in ``frequency`` of ``documents`` documents (always > 0)."""
    value = math.log(1.0 + (documents - frequency + 0.5) / (frequency + 0.5))
    return max(1, int(IDF_SCALE * value))


# ---- SQL: SQLite -----------------------------------------------------------------------------

SQLITE_TABLE = """CREATE TABLE library_wordscore (
    document_id integer NOT NULL,
    word text NOT NULL,
    score integer NOT NULL,
    PRIMARY KEY (document_id, word)
) WITHOUT ROWID"""
WALK_INDEX = """CREATE INDEX library_wordscore_walk
    ON library_wordscore (word, score DESC, document_id DESC)"""
SCRATCH = "library_wordscore_scratch"
#: The scratch table's columns, one per part of a document (names of more than one letter:
#: Django's introspection of SQLite misreads a one-letter column of a virtual table).
SCRATCH_COLUMNS = ("part_a", "part_b", "part_c", "part_d")
_PART_COLUMNS = ", ".join(SCRATCH_COLUMNS)
#: The search index's tokenizer (migration ``library.0002``): every word scored or looked up
#: on SQLite is split and stemmed by it.
TOKENIZE = "tokenize='porter unicode61 remove_diacritics 2'"
_SCRATCH_FTS = f"fts5({_PART_COLUMNS}, content='', {TOKENIZE})"
TERMS = "library_wordscore_terms"
SQLITE_SCRATCH = [
    # Empty between statements: a document's text passes through it to be tokenized.
    f"CREATE VIRTUAL TABLE {SCRATCH} USING {_SCRATCH_FTS}",
    f"CREATE VIRTUAL TABLE {TERMS} USING fts5vocab({SCRATCH}, instance)",
]


def _sqlite_parts(row: str) -> str:
    return ", ".join(
        " || ' ' || ".join(f"{row}{column}" for column in columns) for columns in PARTS
    )


def _sqlite_case(values: Sequence[object]) -> str:
    pairs = zip(SCRATCH_COLUMNS, values, strict=True)
    cases = " ".join(f"WHEN '{part}' THEN {value!r}" for part, value in pairs)
    return f"CASE col {cases} END"


#: The scores of every (document, word) in the scratch table.
SQLITE_SCORES = f"""
    SELECT doc, term, SUM(part) FROM (
        SELECT doc, term, CAST(
            {_sqlite_case([float(SCALE * w) for w in WEIGHTS])} * count(*)
            / (count(*) + {_sqlite_case(SATURATION)}) AS INTEGER) AS part
        FROM {TERMS} GROUP BY term, doc, col
    ) GROUP BY doc, term"""
_TEXT = "title, summary, factors, actions, labels, narrative, timeline"


def _sqlite_write(row: str) -> str:
    return (
        f"INSERT INTO {SCRATCH} (rowid, {_PART_COLUMNS}) VALUES ({row}id, {_sqlite_parts(row)}); "
        f"INSERT INTO library_wordscore (document_id, word, score) {SQLITE_SCORES}; "
        f"INSERT INTO {SCRATCH} ({SCRATCH}) VALUES ('delete-all');"
    )


SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER library_wordscore_ai AFTER INSERT ON library_searchdocument BEGIN
        {_sqlite_write("new.")} END""",
    f"""CREATE TRIGGER library_wordscore_au AFTER UPDATE OF {_TEXT} ON library_searchdocument
        BEGIN DELETE FROM library_wordscore WHERE document_id = old.id; {_sqlite_write("new.")}
        END""",
    """CREATE TRIGGER library_wordscore_ad AFTER DELETE ON library_searchdocument BEGIN
        DELETE FROM library_wordscore WHERE document_id = old.id; END""",
]


def sqlite_fill(cursor: object, *, batch: int = 1000) -> None:
    """Score every document already written, ``batch`` documents at a time."""
    execute = cursor.execute  # type: ignore[attr-defined]
    fetch = cursor.fetchone  # type: ignore[attr-defined]
    after = 0
    while True:
        execute(
            "SELECT max(id) FROM (SELECT id FROM library_searchdocument WHERE id > %s "
            "ORDER BY id LIMIT %s)",
            [after, batch],
        )
        (last,) = fetch()
        if last is None:
            return
        execute(
            f"INSERT INTO {SCRATCH} (rowid, {_PART_COLUMNS}) SELECT id, {_sqlite_parts('')} "
            "FROM library_searchdocument WHERE id > %s AND id <= %s",
            [after, last],
        )
        execute(f"INSERT INTO library_wordscore (document_id, word, score) {SQLITE_SCORES}")
        execute(f"INSERT INTO {SCRATCH} ({SCRATCH}) VALUES ('delete-all')")
        after = last


# ---- SQL: PostgreSQL -------------------------------------------------------------------------

POSTGRES_TABLE = """CREATE TABLE library_wordscore (
    document_id integer NOT NULL,
    word text NOT NULL,
    score bigint NOT NULL,
    PRIMARY KEY (document_id, word)
)"""


def postgres_score(weights: str) -> str:
    """The score of a lexeme whose positions have ``weights`` (a text[] of 'A' to 'D')."""
    shares = []
    for part, letter in enumerate(LETTERS):
        tf = f"cardinality(array_positions({weights}, '{letter}'))"
        factor = float(SCALE * WEIGHTS[part])
        shares.append(
            f"floor({factor!r}::float8 * {tf} / ({tf} + {SATURATION[part]!r}::float8))::bigint"
        )
    return " + ".join(shares)


def postgres_insert(vector: str, document: str) -> str:
    """An INSERT of the scores of every lexeme of ``vector`` for ``document``."""
    return (
        "INSERT INTO library_wordscore (document_id, word, score) "
        f"SELECT {document}, u.lexeme, {postgres_score('u.weights')} "
        f"FROM unnest({vector}) AS u(lexeme, positions, weights)"
    )


POSTGRES_DELETE_FUNCTION = """
CREATE OR REPLACE FUNCTION library_wordscore_delete() RETURNS trigger AS $$
BEGIN
    DELETE FROM library_wordscore WHERE document_id = OLD.id;
    RETURN NULL;
END $$ LANGUAGE plpgsql
"""
POSTGRES_DELETE_TRIGGER = """CREATE TRIGGER library_wordscore_delete
    AFTER DELETE ON library_searchdocument
    FOR EACH ROW EXECUTE FUNCTION library_wordscore_delete()"""


# ---- comparing the kept scores with the text -------------------------------------------------


def recomputed(documents: list[int]) -> set[tuple[int, str, int]]:
    """(document, word, score) of these documents, computed again from their text."""
    from django.db import connection

    from secondstory.library.vectors import full

    if not documents:
        return set()
    marks = ", ".join("%s" for _ in documents)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT d.id, u.lexeme, {postgres_score('u.weights')} "
                f"FROM library_searchdocument d, unnest({full('d.')}) "
                f"AS u(lexeme, positions, weights) WHERE d.id IN ({marks})",
                documents,
            )
            return {(int(d), str(w), int(s)) for d, w, s in cursor.fetchall()}
        # A scratch table of this connection's own: comparing writes nothing to the database.
        scratch, terms = f"temp.{SCRATCH}", f"temp.{TERMS}"
        cursor.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS {scratch} USING {_SCRATCH_FTS}")
        cursor.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {terms} USING fts5vocab(temp, {SCRATCH}, instance)"
        )
        cursor.execute(
            f"INSERT INTO {scratch} (rowid, {_PART_COLUMNS}) SELECT id, {_sqlite_parts('')} "
            f"FROM library_searchdocument WHERE id IN ({marks})",
            documents,
        )
        cursor.execute(SQLITE_SCORES.replace(f"FROM {TERMS}", f"FROM {terms}"))
        found = {(int(d), str(w), int(s)) for d, w, s in cursor.fetchall()}
        cursor.execute(f"INSERT INTO {scratch} ({SCRATCH}) VALUES ('delete-all')")
        return found


def kept(documents: list[int]) -> set[tuple[int, str, int]]:
    """(document, word, score) kept for these documents."""
    from django.db import connection

    if not documents:
        return set()
    marks = ", ".join("%s" for _ in documents)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT document_id, word, score FROM library_wordscore "
            f"WHERE document_id IN ({marks})",
            documents,
        )
        return {(int(d), str(w), int(s)) for d, w, s in cursor.fetchall()}


def differing_words() -> int:
    """How many words' kept document lists disagree with the full-text index (SQLite: their
    lengths, against FTS5's own count; PostgreSQL: each document's number of words and sum of
    scores, against its vector), counting rows of no document too."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"""SELECT count(*) FROM (
                    SELECT v.document_id, (SELECT count(*) FROM unnest(v.vector)) AS n,
                        (SELECT sum({postgres_score("u.weights")}) FROM unnest(v.vector)
                         AS u(lexeme, positions, weights)) AS s
                    FROM library_searchvector v
                ) e FULL JOIN (
                    SELECT document_id, count(*) AS n, sum(score) AS s
                    FROM library_wordscore GROUP BY document_id
                ) w ON w.document_id = e.document_id
                WHERE (e.n, e.s) IS DISTINCT FROM (w.n, w.s)
                  AND (e.n IS NOT NULL AND e.n > 0 OR w.n IS NOT NULL)"""
            )
            return int(cursor.fetchone()[0])
        for kind in ("row", "col"):
            cursor.execute(
                f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.library_search_fts_{kind}s "
                f"USING fts5vocab(main, library_search_fts, {kind})"
            )
        # Words found in the keys column too are left out: the keys are no text.
        cursor.execute(
            """WITH keys AS (SELECT term FROM temp.library_search_fts_cols WHERE col = 'keys'),
                fts AS (SELECT term, doc FROM temp.library_search_fts_rows
                        WHERE term NOT IN keys),
                kept AS (SELECT word, count(*) AS n FROM library_wordscore
                         WHERE word NOT IN keys GROUP BY word)
            SELECT (SELECT count(*) FROM (SELECT * FROM fts EXCEPT SELECT * FROM kept))
                + (SELECT count(*) FROM (SELECT * FROM kept EXCEPT SELECT * FROM fts))"""
        )
        return int(cursor.fetchone()[0])
