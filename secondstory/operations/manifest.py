"""``manifest.json``: what a backup holds, and how to tell it is whole.

Format version 1::

    {
      "format": "secondstory-backup",
      "format_version": 1,
      "secondstory_version": "0.1.0",
      "engine": "sqlite" | "postgresql",
      "server_major": 15,                      # PostgreSQL only
      "created_at": "2026-12-06T12:00:00+00:00",
      "database": {"file": "database.sqlite3", "size": 1234, "checksum": "sha256:…"},
      "files": {"secret_key": "sha256:…"},     # copied from SECONDSTORY_HOME
      "migrations": {"accounts": ["0001_users_and_teams", …], …},
      "row_counts": {"accounts_user": 12, …}
    }
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

from secondstory import __version__

MANIFEST = "manifest.json"
FORMAT = "secondstory-backup"
FORMAT_VERSION = 1


class ManifestError(Exception):
    """The manifest is missing, unreadable or of an unknown format."""


def file_checksum(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return f"sha256:{digest.hexdigest()}"


def applied_migrations() -> dict[str, list[str]]:
    """The migrations applied to the database, by app, in name order."""
    applied: dict[str, list[str]] = {}
    for app, name in sorted(MigrationRecorder(connection).applied_migrations()):
        applied.setdefault(app, []).append(name)
    return applied


def row_counts() -> dict[str, int]:
    """Rows in every table of the database (Django's connection, current transaction)."""
    counts = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = int(cursor.fetchone()[0])
    return counts


def sqlite_row_counts(db: sqlite3.Connection) -> dict[str, int]:
    """Rows in every ordinary table of an SQLite file (virtual tables count their shadows)."""
    tables = [
        name
        for (name,) in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%'"
            " AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    return {t: int(db.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]) for t in tables}


@dataclass(frozen=True)
class Manifest:
    engine: str
    created_at: str
    database_file: str
    database_size: int
    checksum: str
    migrations: dict[str, list[str]]
    row_counts: dict[str, int]
    files: dict[str, str] = field(default_factory=dict)
    server_major: int | None = None
    secondstory_version: str = __version__
    format_version: int = FORMAT_VERSION

    @classmethod
    def new(
        cls,
        engine: str,
        database: Path,
        created: datetime,
        migrations: dict[str, list[str]],
        counts: dict[str, int],
    ) -> Manifest:
        return cls(
            engine=engine,
            created_at=created.isoformat(),
            database_file=database.name,
            database_size=database.stat().st_size,
            checksum=file_checksum(database),
            migrations=migrations,
            row_counts=counts,
        )

    def with_files(self, files: dict[str, str]) -> Manifest:
        return replace(self, files=files)

    def with_server(self, major: int) -> Manifest:
        return replace(self, server_major=major)

    def as_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "format": FORMAT,
            "format_version": self.format_version,
            "secondstory_version": self.secondstory_version,
            "engine": self.engine,
            "created_at": self.created_at,
            "database": {
                "file": self.database_file,
                "size": self.database_size,
                "checksum": self.checksum,
            },
            "files": self.files,
            "migrations": self.migrations,
            "row_counts": self.row_counts,
        }
        if self.server_major is not None:
            data["server_major"] = self.server_major
        return data

    def write(self, path: Path) -> None:
        text = json.dumps(self.as_data(), indent=2, sort_keys=False) + "\n"
        path.write_text(text, encoding="utf-8")

    @classmethod
    def read(cls, path: Path) -> Manifest:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise ManifestError(f"{path}: missing; this is not a secondstory backup") from exc
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ManifestError(f"{path}: unreadable ({exc})") from exc
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ManifestError(f"{path}: not a secondstory backup manifest")
        if data.get("format_version") != FORMAT_VERSION:
            raise ManifestError(
                f"{path}: format_version {data.get('format_version')!r} is not supported "
                f"(this secondstory reads {FORMAT_VERSION}); use the version that wrote it"
            )
        try:
            database = data["database"]
            return cls(
                engine=str(data["engine"]),
                created_at=str(data["created_at"]),
                database_file=str(database["file"]),
                database_size=int(database["size"]),
                checksum=str(database["checksum"]),
                migrations={str(k): [str(n) for n in v] for k, v in data["migrations"].items()},
                row_counts={str(k): int(v) for k, v in data["row_counts"].items()},
                files={str(k): str(v) for k, v in data.get("files", {}).items()},
                server_major=data.get("server_major"),
                secondstory_version=str(data["secondstory_version"]),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ManifestError(f"{path}: field {exc} is missing or malformed") from exc
