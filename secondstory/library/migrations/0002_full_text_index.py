"""The full-text index over search documents: FTS5 on SQLite, a weighted tsvector on PostgreSQL."""

from django.db import migrations

COLUMNS = "title, summary, factors, actions, labels, narrative, timeline"
NEW = ", ".join(f"new.{c.strip()}" for c in COLUMNS.split(","))
OLD = ", ".join(f"old.{c.strip()}" for c in COLUMNS.split(","))

SQLITE_FORWARD = [
    f"""CREATE VIRTUAL TABLE library_search_fts USING fts5({COLUMNS},
        content='library_searchdocument', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2')""",
    f"""CREATE TRIGGER library_search_ai AFTER INSERT ON library_searchdocument BEGIN
        INSERT INTO library_search_fts(rowid, {COLUMNS}) VALUES (new.id, {NEW}); END""",
    f"""CREATE TRIGGER library_search_ad AFTER DELETE ON library_searchdocument BEGIN
        INSERT INTO library_search_fts(library_search_fts, rowid, {COLUMNS})
        VALUES ('delete', old.id, {OLD}); END""",
    f"""CREATE TRIGGER library_search_au AFTER UPDATE ON library_searchdocument BEGIN
        INSERT INTO library_search_fts(library_search_fts, rowid, {COLUMNS})
        VALUES ('delete', old.id, {OLD});
        INSERT INTO library_search_fts(rowid, {COLUMNS}) VALUES (new.id, {NEW}); END""",
    "INSERT INTO library_search_fts(library_search_fts) VALUES ('rebuild')",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS library_search_au",
    "DROP TRIGGER IF EXISTS library_search_ad",
    "DROP TRIGGER IF EXISTS library_search_ai",
    "DROP TABLE IF EXISTS library_search_fts",
]


def _vector() -> str:
    def part(columns: str, weight: str) -> str:
        text = " || ' ' || ".join(f"{c}" for c in columns.split())
        return f"setweight(to_tsvector('secondstory'::regconfig, {text}), '{weight}')"

    return " || ".join(
        [
            part("title summary", "A"),
            part("factors actions labels", "B"),
            part("narrative", "C"),
            part("timeline", "D"),
        ]
    )


POSTGRES_FORWARD = [
    # English stemming without a stop-word list, so every word can be searched for
    # (and queries match the same documents as SQLite's porter tokenizer).
    """DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_ts_dict WHERE dictname = 'secondstory_stem') THEN
            CREATE TEXT SEARCH DICTIONARY secondstory_stem
                (TEMPLATE = snowball, Language = english);
        END IF;
        IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'secondstory') THEN
            CREATE TEXT SEARCH CONFIGURATION secondstory (COPY = english);
            ALTER TEXT SEARCH CONFIGURATION secondstory
                ALTER MAPPING REPLACE english_stem WITH secondstory_stem;
        END IF;
    END $$""",
    f"""ALTER TABLE library_searchdocument ADD COLUMN vector tsvector
        GENERATED ALWAYS AS ({_vector()}) STORED""",
    "CREATE INDEX library_search_vector ON library_searchdocument USING GIN (vector)",
]
POSTGRES_REVERSE = [
    "DROP INDEX IF EXISTS library_search_vector",
    "ALTER TABLE library_searchdocument DROP COLUMN IF EXISTS vector",
]


def _run(statements: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("library", "0001_search_document")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE}),
        ),
    ]
