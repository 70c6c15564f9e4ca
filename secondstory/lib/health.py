"""What ``secondstory check`` verifies: configuration, database health, the search index and
backups. Each check yields ``(level, line)``: ``ok``, ``warn`` or ``fail``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.core import checks
from django.db import DatabaseError, connection

from secondstory.lib.server import pending_migrations
from secondstory.operations.integrity import (
    FAIL,
    OK,
    Line,
    database_integrity,
    newest_backup,
    search_index,
)


def health_report(*, quick: bool = False, repair: bool = False) -> Iterator[Line]:
    """(level, line) pairs, one per check; ``quick`` does not compare search documents;
    ``repair`` recomputes the insights' kept rows when they disagree with the data."""
    yield OK, f"data directory {settings.HOME}"
    messages = [m for m in checks.run_checks() if m.level >= checks.WARNING]
    if messages:
        for message in messages:
            yield FAIL, f"configuration: {message}"
    else:
        yield OK, "configuration: no problems found"
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        yield OK, f"database: {connection.vendor} reachable ({connection.settings_dict['NAME']})"
    except DatabaseError as exc:
        yield FAIL, f"database: cannot connect ({str(exc).strip().splitlines()[0]})"
        return
    yield from database_integrity()
    pending = pending_migrations()
    if pending:
        yield FAIL, f"database: {len(pending)} migrations pending; run `secondstory django migrate`"
    else:
        yield OK, "database: schema up to date"
        try:
            yield from search_index(compare_content=not quick)
        except DatabaseError as exc:  # a damaged file can fail any read
            yield FAIL, f"search index: cannot be read ({str(exc).strip().splitlines()[0]})"
        yield from kept_insights(repair=repair)
        yield newest_backup()
        yield _abandoned_imports()
    try:
        from secondstory.core.review import load_config

        source = load_config(Path(settings.HOME)).source
        yield OK, f"review settings: {source or 'defaults (no secondstory.toml)'}"
    except ValueError as exc:
        yield FAIL, f"review settings: {exc}"
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            mode = cursor.fetchone()[0]
        level = OK if mode == "wal" else FAIL
        yield level, f"database: SQLite journal mode {mode} (expected wal)"


def kept_insights(*, repair: bool = False) -> Iterator[Line]:
    """The rows the insights keep by triggers agree with the data (``insights.consistency``);
    with ``repair``, what disagrees is recomputed first and said."""
    from secondstory.insights import consistency

    report = consistency.inspect(connection)
    if repair and not report.consistent:
        found = "; ".join(consistency.problems(report))
        consistency.repair(connection)
        yield OK, f"insights: repaired the kept rows ({found})"
        report = consistency.inspect(connection)
    for problem in consistency.problems(report):
        yield FAIL, f"insights: {problem}; {consistency.REPAIR}"
    if report.consistent:
        yield OK, f"insights: {consistency.agreement(report)}"


def _abandoned_imports() -> tuple[str, str]:
    """Remove what killed imports left behind (invisible rows; see incidents.pending_events)."""
    from secondstory.incidents.pending_events import discard_abandoned

    removed = discard_abandoned()
    if removed:
        return OK, f"imports: removed {removed} events left pending by interrupted imports"
    return OK, "imports: nothing left pending by interrupted imports"
