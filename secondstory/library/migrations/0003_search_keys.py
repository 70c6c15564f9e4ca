"""Filter and visibility keys in the full-text index.

Each search document gets a ``keys`` column of short tokens (service, team, tag,
severity, factor category, status, creation date, restricted and its readers)
so that filters and visibility are answered by the full-text index itself. On
SQLite the FTS5 table is recreated with the new column; on PostgreSQL the keys
get a tsvector of their own (no stemming) with a GIN index. Run
``secondstory reindex`` after upgrading: until then filters find nothing.
"""

import importlib

import django.db.models.deletion
from django.db import migrations, models

COLUMNS = "title, summary, factors, actions, labels, narrative, timeline, keys"
NEW = ", ".join(f"new.{c.strip()}" for c in COLUMNS.split(","))
OLD = ", ".join(f"old.{c.strip()}" for c in COLUMNS.split(","))
DROP_SQLITE = [
    "DROP TRIGGER IF EXISTS library_search_au",
    "DROP TRIGGER IF EXISTS library_search_ad",
    "DROP TRIGGER IF EXISTS library_search_ai",
    "DROP TABLE IF EXISTS library_search_fts",
]
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
POSTGRES_FORWARD = [
    """ALTER TABLE library_searchdocument ADD COLUMN keys_vector tsvector
        GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, keys)) STORED""",
    "CREATE INDEX library_search_keys ON library_searchdocument USING GIN (keys_vector)",
]
POSTGRES_REVERSE = [
    "DROP INDEX IF EXISTS library_search_keys",
    "ALTER TABLE library_searchdocument DROP COLUMN IF EXISTS keys_vector",
]


def _run(statements: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


def _old_index() -> list[str]:
    previous = importlib.import_module("secondstory.library.migrations.0002_full_text_index")
    statements: list[str] = previous.SQLITE_FORWARD
    return statements


def _sqlite_old_index(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "sqlite":
        for sql in _old_index():
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("library", "0002_full_text_index")]

    # On SQLite, adding a column rebuilds the table, which drops its triggers: the index
    # is dropped before and created again after, in both directions.
    operations = [
        migrations.RunPython(_run({"sqlite": DROP_SQLITE}), _sqlite_old_index),
        migrations.AddField(
            model_name="searchdocument",
            name="keys",
            field=models.TextField(
                blank=True,
                help_text="Filter and visibility tokens (see secondstory/core/search/keys.py).",
            ),
        ),
        migrations.CreateModel(
            name="SearchKeys",
            fields=[
                (
                    "document",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="key_row",
                        serialize=False,
                        to="library.searchdocument",
                    ),
                ),
                ("facets", models.TextField(blank=True)),
            ],
        ),
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": DROP_SQLITE, "postgresql": POSTGRES_REVERSE}),
        ),
    ]
