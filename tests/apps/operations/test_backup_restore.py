"""Backup and restore: every table comes back equal, on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.apps import apps
from django.db import connection

from secondstory.accounts.models import Team
from secondstory.operations.backup import take_backup
from secondstory.operations.manifest import MANIFEST
from secondstory.operations.models import BackupRecord
from tests.apps.operations.installation import populate, postgres, postgres_tables, sqlite_tables

SECONDSTORY = Path(sys.executable).with_name("secondstory")
pytestmark = pytest.mark.django_db(transaction=True)


def run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k != "SECONDSTORY_DATABASE_URL"}
    environment.update(env)
    return subprocess.run(
        [str(SECONDSTORY), *args], env=environment, capture_output=True, text=True, timeout=300
    )


@pytest.fixture
def copy_database() -> Iterator[tuple[dict[str, str], str]]:
    """(environment of an empty installation, where its database is) on the engine under test."""
    if connection.vendor == "sqlite":
        yield {}, ""
        return
    name = f"{connection.settings_dict['NAME']}_restored"
    with postgres("postgres") as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}"')
        db.execute(f'CREATE DATABASE "{name}"')
    settings = connection.settings_dict
    url = f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{name}"
    try:
        yield {"SECONDSTORY_DATABASE_URL": url}, name
    finally:
        with postgres("postgres") as db:
            db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def tables_now(where: str) -> dict[str, list[tuple[object, ...]]]:
    if connection.vendor == "sqlite":
        return sqlite_tables(where)
    return postgres_tables(where)


def test_a_restored_backup_holds_every_row_of_every_table(
    tmp_path: Path, copy_database: tuple[dict[str, str], str]
) -> None:
    populate()
    before = tables_now(str(connection.settings_dict["NAME"]))
    result = take_backup(tmp_path / "backups")

    home = tmp_path / "new-home"
    env, name = copy_database
    # A new installation that was started once: the schema is there, the data is not.
    migrated = run("django", "migrate", "--verbosity", "0", SECONDSTORY_HOME=str(home), **env)
    assert migrated.returncode == 0, migrated.stderr
    restored = run("restore", str(result.path), SECONDSTORY_HOME=str(home), **env)
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert "FAIL" not in restored.stdout
    after = tables_now(name or str(home / "secondstory.sqlite3"))

    model_tables = {m._meta.db_table for m in apps.get_models(include_auto_created=True)}
    assert model_tables <= set(before)
    search = {
        "library_searchdocument",
        "library_searchkeys",
        "library_searchvector",
        "library_wordscore",  # the kept ranking scores come back row for row
    }
    if connection.vendor == "sqlite":
        search |= {
            "library_search_fts_data",
            "library_search_fts_idx",
            "library_search_fts_docsize",
        }
    assert search <= set(before)
    assert set(after) == set(before)
    # The backup's own record is written after the backup, so it is not in it.
    assert before["operations_backuprecord"] == after["operations_backuprecord"] == []
    assert BackupRecord.objects.count() == 1
    differing = [table for table in before if before[table] != after[table]]
    assert differing == []
    assert sum(len(rows) for rows in before.values()) > 300
    assert before["library_wordscore"]
    assert len(before["postmortems_comment"]) == 2 and len(before["postmortems_revision"]) == 4
    secret = (home / "secret_key").read_text()
    assert secret == (result.path / "secret_key").read_text()


def test_the_manifest_describes_the_backup(tmp_path: Path) -> None:
    populate()
    result = take_backup(tmp_path)
    data = json.loads((result.path / MANIFEST).read_text())
    assert data["format"] == "secondstory-backup" and data["format_version"] == 1
    assert data["engine"] == connection.vendor
    assert data["row_counts"]["accounts_team"] == Team.objects.count() == 2
    assert "0001_backup_log" in data["migrations"]["operations"]
    assert data["database"]["checksum"].startswith("sha256:")
    assert result.path.name.startswith("secondstory-")
    assert [p.name for p in tmp_path.iterdir()] == [result.path.name]
    assert BackupRecord.objects.get().path == str(result.path)


def test_a_failed_backup_leaves_nothing_that_looks_complete(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from secondstory.operations import backup

    def fail(partial: Path) -> dict[str, str]:
        raise OSError("disk full")

    monkeypatch.setattr(backup, "_copy_home_files", fail)
    with pytest.raises(OSError, match="disk full"):
        take_backup(tmp_path)
    assert list(tmp_path.iterdir()) == []
    assert not BackupRecord.objects.exists()


def test_restore_refuses_an_installation_that_holds_data(tmp_path: Path) -> None:
    populate()
    result = take_backup(tmp_path)
    from secondstory.operations.restore import RestoreError, restore

    with pytest.raises(RestoreError, match=r"already holds data .*--replace"):
        restore(result.path)
    with pytest.raises(RestoreError, match=r"holds 1 backup.*name the one to restore"):
        restore(tmp_path)


def test_restore_refuses_a_damaged_or_newer_backup(tmp_path: Path) -> None:
    populate()
    result = take_backup(tmp_path)
    from secondstory.operations.restore import RestoreError, verify

    manifest_path = result.path / MANIFEST
    data = json.loads(manifest_path.read_text())
    # A manifest never sends the restore outside the backup or the data directory.
    manifest_path.write_text(json.dumps({**data, "files": {"../../escape": "sha256:0"}}))
    with pytest.raises(RestoreError, match=r"names files a backup never holds: \.\./\.\./escape"):
        verify(result.path)
    data["migrations"]["postmortems"].append("0099_from_the_future")
    manifest_path.write_text(json.dumps(data))
    with pytest.raises(RestoreError, match=r"postmortems\.0099_from_the_future"):
        verify(result.path)
    database = result.path / data["database"]["file"]
    with database.open("r+b") as handle:
        handle.seek(5000)
        handle.write(b"\0garbage\0")
    with pytest.raises(RestoreError, match="checksum differs"):
        verify(result.path)


@pytest.mark.skipif("os.environ.get('SECONDSTORY_DATABASE_URL')", reason="SQLite's WAL")
def test_a_backup_holds_the_rows_still_in_the_write_ahead_log(tmp_path: Path) -> None:
    path = str(connection.settings_dict["NAME"])
    connection.close()
    writer = sqlite3.connect(path, isolation_level=None)
    try:
        writer.execute("PRAGMA wal_autocheckpoint=0")  # the rows stay in the WAL
        writer.execute("PRAGMA journal_mode=WAL")
        writer.execute("BEGIN IMMEDIATE")
        for n in range(200):
            writer.execute(
                "INSERT INTO accounts_team (slug, name) VALUES (?, ?)", (f"t{n}", f"Team {n}")
            )
        writer.execute("COMMIT")
        # A plain copy of the database file loses these rows: they live in the WAL.
        shutil.copy(path, tmp_path / "copied.sqlite3")
        copied = sqlite3.connect(tmp_path / "copied.sqlite3")
        assert copied.execute("SELECT count(*) FROM accounts_team").fetchone()[0] == 0
        copied.close()

        result = take_backup(tmp_path / "backups")
    finally:
        writer.close()
    backup = sqlite3.connect(result.path / "database.sqlite3")
    assert backup.execute("SELECT count(*) FROM accounts_team").fetchone()[0] == 200
    assert backup.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    backup.close()


def test_pg_dump_is_chosen_by_its_major_version(monkeypatch: pytest.MonkeyPatch) -> None:
    from secondstory.operations import postgres as tools

    monkeypatch.setattr(tools, "server_major", lambda: 16)
    monkeypatch.setattr(tools, "candidates", lambda name: [f"/usr/bin/{name}", f"/opt/17/{name}"])
    versions = {"/usr/bin/pg_dump": 15, "/opt/17/pg_dump": 17}
    monkeypatch.setattr(tools, "tool_major", versions.get)
    assert tools.find_tool("pg_dump") == "/opt/17/pg_dump"

    versions["/opt/17/pg_dump"] = 14
    with pytest.raises(tools.ToolMissing, match=r"older than the server \(PostgreSQL 16\)"):
        tools.find_tool("pg_dump")
    monkeypatch.setattr(tools, "candidates", lambda name: [])
    with pytest.raises(tools.ToolMissing, match="pg_dump not found on PATH"):
        tools.find_tool("pg_dump")


@pytest.mark.skipif("os.environ.get('SECONDSTORY_DATABASE_URL')", reason="an SQLite home")
def test_restore_replace_keeps_what_was_there_and_an_older_backup_is_migrated(
    tmp_path: Path,
) -> None:
    populate()
    result = take_backup(tmp_path / "backups")
    # Make the backup look as if an older version wrote it: without the newest migration.
    database = result.path / "database.sqlite3"
    with sqlite3.connect(database) as db:
        db.execute("DELETE FROM django_migrations WHERE app = 'operations'")
        db.execute("DROP TABLE operations_backuprecord")
    db.close()
    manifest = json.loads((result.path / MANIFEST).read_text())
    del manifest["migrations"]["operations"]
    del manifest["row_counts"]["operations_backuprecord"]
    manifest["row_counts"]["django_migrations"] -= 1
    from secondstory.operations.manifest import file_checksum

    manifest["database"]["checksum"] = file_checksum(database)
    (result.path / MANIFEST).write_text(json.dumps(manifest))

    home = tmp_path / "home"
    assert run("demo", "--no-login", "--scale", "1", SECONDSTORY_HOME=str(home)).returncode == 0
    refused = run("restore", str(result.path), SECONDSTORY_HOME=str(home))
    assert refused.returncode == 1
    assert "already holds data" in refused.stderr and "--replace" in refused.stderr
    replaced = run("restore", "--replace", str(result.path), SECONDSTORY_HOME=str(home))
    assert replaced.returncode == 0, replaced.stdout + replaced.stderr
    assert "applied 1 newer migrations" in replaced.stdout
    [safety] = (home / "backups-before-restore").iterdir()
    assert (safety / MANIFEST).is_file()
    with sqlite3.connect(home / "secondstory.sqlite3") as db:
        (teams,) = db.execute("SELECT count(*) FROM accounts_team").fetchone()
    assert teams == 2
