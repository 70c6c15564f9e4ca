"""Each postmortem's key, times, exercise flag and words, kept beside it by triggers.

The learning-health checks select the postmortems of the last year (and older ones still
unpublished) by ``created_at``, ``published_at``, ``not_required_at`` and ``is_exercise``, and
count the words of every section. In the postmortems' own table those columns come after the
long section texts, so selecting by them reads every postmortem's texts, and the checks
select several times. ``insights_keptpostmortem`` holds one narrow row per postmortem with
those columns and its key (an index on ``created_at``) and the words counted once per write.

Words are counted as everywhere in the checks: the spaces and line breaks of every section,
plus one per section that is not empty (``LENGTH`` less the length without them).

The triggers are on the postmortems' table and name only it and this table (a trigger may
name only its own table and the insights' tables: SQLite refuses to rebuild a table that a
trigger elsewhere names). SQLite drops them when a migration rebuilds the postmortems' table;
``triggers.ensure`` puts them back after every ``migrate`` and then refills every row.
"""

from __future__ import annotations

from typing import Any

from secondstory.core import taxonomy

TABLE = "insights_keptpostmortem"
COLUMNS = "postmortem_id, key, created_at, published_at, not_required_at, is_exercise, words"
#: The columns whose change changes a kept row.
WATCHED = (
    "id",
    "created_at",
    "published_at",
    "not_required_at",
    "is_exercise",
    *taxonomy.SECTION_FIELDS,
)
_LINE_BREAK = {"sqlite": "char(10)", "postgresql": "chr(10)"}


def words(vendor: str, row: str) -> str:
    """The words of every section of ``row`` (``p``, ``NEW``) as one SQL expression: NULL
    when a section is NULL, as the checks' own count was."""
    parts = []
    for field in taxonomy.SECTION_FIELDS:
        text = f"{row}.{field}"
        squeezed = f"REPLACE(REPLACE({text}, ' ', ''), {_LINE_BREAK[vendor]}, '')"
        parts.append(
            f"(LENGTH({text}) - LENGTH({squeezed}) + CASE WHEN {text} > '' THEN 1 ELSE 0 END)"
        )
    return " + ".join(parts)


def rows(vendor: str) -> str:
    """Every postmortem's kept row computed from the postmortems (``COLUMNS``, in order)."""
    return (
        "SELECT p.id, p.key, p.created_at, p.published_at, p.not_required_at, p.is_exercise, "
        f"{words(vendor, 'p')} FROM postmortems_postmortem p"
    )


def _upsert(vendor: str) -> str:
    return (
        f"INSERT INTO {TABLE} ({COLUMNS}) VALUES (NEW.id, NEW.key, NEW.created_at, "
        f"NEW.published_at, NEW.not_required_at, NEW.is_exercise, {words(vendor, 'NEW')}) "
        "ON CONFLICT (postmortem_id) DO UPDATE SET key = excluded.key, "
        "created_at = excluded.created_at, "
        "published_at = excluded.published_at, not_required_at = excluded.not_required_at, "
        "is_exercise = excluded.is_exercise, words = excluded.words"
    )


def _sqlite() -> dict[tuple[str, str], str]:
    table = "postmortems_postmortem"
    of = ", ".join(WATCHED)
    return {
        ("insights_kept_postmortem_insert", table): f"""
CREATE TRIGGER insights_kept_postmortem_insert AFTER INSERT ON {table} BEGIN
    {_upsert("sqlite")};
END""",
        ("insights_kept_postmortem_update", table): f"""
CREATE TRIGGER insights_kept_postmortem_update AFTER UPDATE OF {of} ON {table} BEGIN
    DELETE FROM {TABLE} WHERE postmortem_id = OLD.id AND OLD.id <> NEW.id;
    {_upsert("sqlite")};
END""",
        ("insights_kept_postmortem_delete", table): f"""
CREATE TRIGGER insights_kept_postmortem_delete AFTER DELETE ON {table} BEGIN
    DELETE FROM {TABLE} WHERE postmortem_id = OLD.id;
END""",
    }


POSTGRES_FUNCTIONS = [
    f"""
CREATE OR REPLACE FUNCTION insights_keep_postmortem() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        DELETE FROM {TABLE};
        RETURN NULL;
    END IF;
    IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND OLD.id <> NEW.id) THEN
        DELETE FROM {TABLE} WHERE postmortem_id = OLD.id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        {_upsert("postgresql")};
    END IF;
    RETURN NULL;
END
$$""",
]
FUNCTION_NAMES = ("insights_keep_postmortem()",)


def _postgres() -> dict[tuple[str, str], str]:
    table = "postmortems_postmortem"
    of = ", ".join(WATCHED)
    return {
        ("insights_kept_postmortem", table): f"""
CREATE TRIGGER insights_kept_postmortem AFTER INSERT OR UPDATE OF {of} OR DELETE
ON {table} FOR EACH ROW EXECUTE FUNCTION insights_keep_postmortem()""",
        ("insights_kept_postmortem_truncate", table): f"""
CREATE TRIGGER insights_kept_postmortem_truncate AFTER TRUNCATE ON {table}
FOR EACH STATEMENT EXECUTE FUNCTION insights_keep_postmortem()""",
    }


def postmortem_triggers(vendor: str) -> dict[tuple[str, str], str]:
    """(trigger, table) → its CREATE statement."""
    return _sqlite() if vendor == "sqlite" else _postgres()


def create(connection: Any) -> None:
    """The triggers (and on PostgreSQL their function)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for function in POSTGRES_FUNCTIONS:
                cursor.execute(function)
        for sql in postmortem_triggers(connection.vendor).values():
            cursor.execute(sql)


def refill(connection: Any) -> None:
    """Every kept row, recomputed from the postmortems."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE}")
        cursor.execute(f"INSERT INTO {TABLE} ({COLUMNS}) {rows(connection.vendor)}")
