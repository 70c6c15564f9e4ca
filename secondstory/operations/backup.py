"""``secondstory backup``: a consistent copy of the database and of the data directory's keys.

One backup is one directory ``secondstory-YYYYMMDDTHHMMSSZ`` holding the database (SQLite
through its online backup API, PostgreSQL as a ``pg_dump --format=custom`` file), the
generated secret key and review settings when they live in ``SECONDSTORY_HOME``, and
``manifest.json`` (see ``manifest.py``). It is written under a temporary name and renamed
when complete, so a directory with the final name is always a whole backup.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction

from secondstory.operations import postgres
from secondstory.operations.manifest import (
    MANIFEST,
    Manifest,
    applied_migrations,
    file_checksum,
    row_counts,
    sqlite_row_counts,
)
from secondstory.operations.models import BackupRecord

#: Files of the data directory a restored installation needs besides the database.
HOME_FILES = ("secret_key", "secondstory.toml")
PREFIX = "secondstory-"


class BackupError(Exception):
    """A backup could not be taken; nothing that looks like a backup was left behind."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    manifest: Manifest


def take_backup(directory: Path) -> BackupResult:
    """Write one complete backup into ``directory`` and record it; return where it went."""
    directory.mkdir(parents=True, exist_ok=True)
    created = datetime.now(UTC).replace(microsecond=0)
    with _partial(directory, created) as partial:
        if connection.vendor == "sqlite":
            manifest = _backup_sqlite(partial, created)
        elif connection.vendor == "postgresql":
            manifest = _backup_postgres(partial, created)
        else:  # pragma: no cover - settings allow only these two engines
            raise BackupError(f"cannot back up a {connection.vendor} database")
        manifest = manifest.with_files(_copy_home_files(partial))
        manifest.write(partial / MANIFEST)
        final = _final_name(directory, created)
        partial.rename(final)
    BackupRecord.objects.create(
        created_at=created,
        path=str(final),
        engine=manifest.engine,
        size=manifest.database_size,
        checksum=manifest.checksum,
    )
    return BackupResult(final, manifest)


@contextmanager
def _partial(directory: Path, created: datetime) -> Iterator[Path]:
    """A hidden working directory that is removed unless it was renamed into place."""
    partial = Path(
        tempfile.mkdtemp(dir=directory, prefix=f".{PREFIX}{created:%Y%m%dT%H%M%SZ}.", suffix=".tmp")
    )
    try:
        yield partial
    finally:
        if partial.exists():
            shutil.rmtree(partial, ignore_errors=True)


def _final_name(directory: Path, created: datetime) -> Path:
    base = f"{PREFIX}{created:%Y%m%dT%H%M%SZ}"
    path, n = directory / base, 1
    while path.exists():
        n += 1
        path = directory / f"{base}-{n}"
    return path


def _backup_sqlite(partial: Path, created: datetime) -> Manifest:
    source_path = Path(str(connection.settings_dict["NAME"]))
    target_path = partial / "database.sqlite3"
    # A connection of its own: the backup API copies every page, the WAL's included, as of
    # one read transaction, while the application goes on writing.
    source = sqlite3.connect(source_path, timeout=60)
    target = sqlite3.connect(target_path)
    try:
        source.backup(target)
        problems = [row[0] for row in target.execute("PRAGMA quick_check")]
        if problems != ["ok"]:
            raise BackupError(f"the copy of {source_path} fails quick_check: {problems[0]}")
        target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        counts = sqlite_row_counts(target)
    finally:
        target.close()
        source.close()
    migrations = applied_migrations()
    return Manifest.new("sqlite", target_path, created, migrations, counts)


def _backup_postgres(partial: Path, created: datetime) -> Manifest:
    pg_dump = postgres.find_tool("pg_dump")
    target_path = partial / "database.pgdump"
    arguments, environment = postgres.connection_arguments()
    # The row counts and the dump read the same snapshot, so the manifest describes the dump.
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
        counts = row_counts()
        migrations = applied_migrations()
        postgres.run_tool(
            [
                pg_dump,
                "--format=custom",
                f"--snapshot={snapshot}",
                f"--file={target_path}",
                *arguments,
            ],
            environment,
        )
    manifest = Manifest.new("postgresql", target_path, created, migrations, counts)
    return manifest.with_server(postgres.server_major())


def _copy_home_files(partial: Path) -> dict[str, str]:
    copied = {}
    home = Path(settings.HOME)
    for name in HOME_FILES:
        source = home / name
        if source.is_file():
            shutil.copy2(source, partial / name)
            copied[name] = file_checksum(partial / name)
    return copied


def newest_backup() -> BackupRecord | None:
    return BackupRecord.objects.order_by("-created_at").first()
