"""``secondstory restore``: put one backup back, into an installation that holds no data yet.

Before anything is written the backup is verified (manifest, checksums, engine, and that its
migrations are all known to this code); the installation must be empty unless ``replace``
is given, in which case its current contents are backed up first. After the restore the row
counts are compared with the manifest, and the migrations of newer code are applied.
"""

from __future__ import annotations

import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.db.migrations.loader import MigrationLoader

from secondstory.lib.server import run_migrations
from secondstory.operations import postgres
from secondstory.operations.backup import HOME_FILES, PREFIX, take_backup
from secondstory.operations.manifest import (
    MANIFEST,
    Manifest,
    file_checksum,
    row_counts,
    sqlite_row_counts,
)

#: Tables that migrations fill (default vocabularies, content types) or that hold no
#: content of their own: rows in them do not make an installation "hold data".
NOT_DATA = {
    "contenttypes.contenttype",
    "auth.permission",
    "incidents.severity",
    "incidents.milestonekind",
    "incidents.durationmetric",
    "postmortems.factorcategory",
    "postmortems.postmortemtemplate",
    "actions.prioritypolicy",
    "operations.backuprecord",
    "sessions.session",
    # A new installation logs sign-in attempts before anything is restored.
    "audit.auditevent",
    "insights.datachange",  # the insights cache's token: written by the migration itself
    "insights.metricpair",  # the kept durations' copy of the metric definitions (likewise)
    "insights.monthversion",  # the kept months' versions: the migration starts them (likewise)
    "pagecache.sharedchange",  # the kept page fragments' shared token (likewise)
    "library.wordscore",  # the kept ranking scores: derived from the search documents
    "notify.workerheartbeat",  # a worker started on the new installation beats at once
}
SAFETY_DIRECTORY = "backups-before-restore"
DATABASE_FILES = ("database.sqlite3", "database.pgdump")


class RestoreError(Exception):
    """The backup cannot be restored here; nothing was changed."""


@dataclass(frozen=True)
class RestoreResult:
    source: Path
    manifest: Manifest
    migrations_applied: int
    safety_backup: Path | None


def resolve(directory: Path) -> Path:
    """The backup directory meant: DIRECTORY itself, never a guess among several."""
    if (directory / MANIFEST).is_file():
        return directory
    found = sorted(p.parent for p in directory.glob(f"{PREFIX}*/{MANIFEST}"))
    if not found:
        raise RestoreError(f"{directory}: no {MANIFEST} here; this is not a secondstory backup")
    raise RestoreError(
        f"{directory} holds {len(found)} backup(s); name the one to restore, "
        f"e.g. the newest: {found[-1]}"
    )


def verify(backup: Path) -> Manifest:
    """Check the manifest, the checksums, the engine and the migrations; return the manifest."""
    manifest = Manifest.read(backup / MANIFEST)
    strange = sorted({manifest.database_file, *manifest.files} - {*DATABASE_FILES, *HOME_FILES})
    if strange:
        raise RestoreError(f"{backup / MANIFEST}: names files a backup never holds: {strange[0]}")
    database = backup / manifest.database_file
    if not database.is_file():
        raise RestoreError(f"{database}: missing; the backup is incomplete")
    if file_checksum(database) != manifest.checksum:
        raise RestoreError(f"{database}: checksum differs from {MANIFEST}; the file is damaged")
    for name, checksum in manifest.files.items():
        if not (backup / name).is_file() or file_checksum(backup / name) != checksum:
            raise RestoreError(f"{backup / name}: missing or damaged (checksum differs)")
    if manifest.engine != connection.vendor:
        raise RestoreError(
            f"{backup} is a backup of a {manifest.engine} installation and this one uses "
            f"{connection.vendor}; move between engines with `secondstory export --all` "
            "and `secondstory load` (see docs/operations.md)"
        )
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    unknown = [
        f"{app}.{name}"
        for app, names in manifest.migrations.items()
        for name in names
        if (app, name) not in known
    ]
    if unknown:
        raise RestoreError(
            f"{backup} was written by secondstory {manifest.secondstory_version} with "
            f"migrations this version does not have ({', '.join(unknown[:3])}); "
            "install that version or newer to restore it"
        )
    return manifest


def tables_holding_data() -> list[str]:
    """The content tables of this installation that have rows (none in a new one)."""
    existing = set(connection.introspection.table_names())
    full = []
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            label = model._meta.label_lower
            table = model._meta.db_table
            if label in NOT_DATA or table not in existing:
                continue
            cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")
            if cursor.fetchone():
                full.append(table)
    return sorted(full)


def restore(directory: Path, *, replace: bool = False) -> RestoreResult:
    """Restore the backup in ``directory`` into this installation."""
    backup = resolve(directory)
    manifest = verify(backup)
    full = tables_holding_data()
    safety = None
    if full and not replace:
        raise RestoreError(
            f"this installation already holds data ({', '.join(full[:4])}"
            f"{', …' if len(full) > 4 else ''}); restore into an empty database, or pass "
            "--replace to back up what is here and replace it"
        )
    if full:
        safety = take_backup(Path(settings.HOME) / SAFETY_DIRECTORY).path
    if connection.vendor == "sqlite":
        _restore_sqlite(backup / manifest.database_file)
        with sqlite3.connect(str(connection.settings_dict["NAME"])) as db:
            counts = sqlite_row_counts(db)
    else:
        _restore_postgres(backup / manifest.database_file)
        counts = row_counts()
    _compare_counts(manifest, counts)
    _restore_home_files(backup, manifest)
    applied = run_migrations()
    return RestoreResult(backup, manifest, applied, safety)


def _restore_sqlite(source_path: Path) -> None:
    connection.close()
    target_path = Path(str(connection.settings_dict["NAME"]))
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
    target = sqlite3.connect(target_path, timeout=60)
    try:
        # Through SQLite itself: the file, its WAL and any open reader stay consistent.
        source.backup(target)
        target.execute("PRAGMA journal_mode=WAL")
    finally:
        target.close()
        source.close()


def _drop_everything() -> None:
    """Remove the tables of an installation that holds no data (or was just backed up)."""
    with transaction.atomic(), connection.cursor() as cursor:
        for table in connection.introspection.get_table_list(cursor):
            kind = "VIEW" if table.type == "v" else "TABLE"
            cursor.execute(f"DROP {kind} IF EXISTS {connection.ops.quote_name(table.name)} CASCADE")


def _restore_postgres(dump: Path) -> None:
    pg_restore = postgres.find_tool("pg_restore")
    if connection.introspection.table_names():
        _drop_everything()
    arguments, environment = postgres.connection_arguments()
    connection.close()
    postgres.run_tool(
        [
            pg_restore,
            "--clean",  # with --if-exists: functions and search configurations left behind
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            *arguments,
            str(dump),
        ],
        environment,
    )


def _compare_counts(manifest: Manifest, counts: dict[str, int]) -> None:
    differ = [
        f"{table}: {manifest.row_counts[table]} in the backup, {counts.get(table)} restored"
        for table in sorted(manifest.row_counts)
        if counts.get(table) != manifest.row_counts[table]
    ]
    if differ:
        raise RestoreError("the restored database differs from the manifest: " + "; ".join(differ))


def _restore_home_files(backup: Path, manifest: Manifest) -> None:
    home = Path(settings.HOME)
    for name in manifest.files:
        target = home / name
        if target.exists() and target.read_bytes() == (backup / name).read_bytes():
            continue
        if target.exists():
            target.replace(target.with_name(f"{name}.before-restore"))
        shutil.copy2(backup / name, target)
