"""What ``secondstory check`` verifies: configuration and database health."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.core import checks
from django.db import DatabaseError, connection

from secondstory.lib.server import pending_migrations


def health_report() -> Iterator[tuple[bool, str]]:
    """(ok, line) pairs, one per check."""
    yield True, f"data directory {settings.HOME}"
    messages = [m for m in checks.run_checks() if m.level >= checks.WARNING]
    if messages:
        for message in messages:
            yield False, f"configuration: {message}"
    else:
        yield True, "configuration: no problems found"
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        yield True, f"database: {connection.vendor} reachable ({connection.settings_dict['NAME']})"
    except DatabaseError as exc:
        yield False, f"database: cannot connect ({str(exc).strip().splitlines()[0]})"
        return
    pending = pending_migrations()
    if pending:
        yield (
            False,
            f"database: {len(pending)} migrations pending; run `secondstory django migrate`",
        )
    else:
        yield True, "database: schema up to date"
        yield _search_index()
        yield _abandoned_imports()
    try:
        from secondstory.core.review import load_config

        source = load_config(Path(settings.HOME)).source
        yield True, f"review settings: {source or 'defaults (no secondstory.toml)'}"
    except ValueError as exc:
        yield False, f"review settings: {exc}"
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            mode = cursor.fetchone()[0]
        yield mode == "wal", f"database: SQLite journal mode {mode} (expected wal)"


def _abandoned_imports() -> tuple[bool, str]:
    """Remove what killed imports left behind (invisible rows; see incidents.pending_events)."""
    from secondstory.incidents.pending_events import discard_abandoned

    removed = discard_abandoned()
    if removed:
        return True, f"imports: removed {removed} events left pending by interrupted imports"
    return True, "imports: nothing left pending by interrupted imports"


def _search_index() -> tuple[bool, str]:
    """Every search document carries its filter keys (documents from before them do not)."""
    from secondstory.library.models import SearchDocument

    stale = SearchDocument.objects.filter(keys="").count()
    if stale:
        return (
            False,
            f"search index: {stale} documents were indexed by an older version; "
            "run `secondstory reindex`",
        )
    return True, f"search index: {SearchDocument.objects.count()} documents"
