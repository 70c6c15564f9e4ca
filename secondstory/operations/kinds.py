"""The files of a complete export: one JSON Lines file per kind, each with a header line.

A file ``users.jsonl`` reads::

    {"format": "secondstory-export", "kind": "users", "version": 1}
    {"username": "alice", "display_name": "Alice", ...}
    ...

One object per line, so a problem is reported with its file, line and field. Values are
plain JSON; instants are ISO 8601 with their offset; people are usernames, postmortems
and incidents their keys (see docs/operations.md for every kind's fields).
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

FORMAT = "secondstory-export"
VERSION = 1
INDEX = "secondstory-export.json"


class ExportFileError(Exception):
    """A line of an export file is malformed: names the file, the line and the field."""

    def __init__(self, path: Path, line: int, field: str, message: str) -> None:
        self.path, self.line, self.field = path, line, field
        where = f"{field}: " if field else ""
        super().__init__(f"{path}:{line}: {where}{message}")


def write_kind(directory: Path, kind: str, items: Iterable[dict[str, Any]]) -> int:
    """Write ``kind.jsonl`` atomically; return how many items."""
    path = directory / f"{kind}.jsonl"
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=".", suffix=".tmp")
    count = 0
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            header = {"format": FORMAT, "kind": kind, "version": VERSION}
            out.write(json.dumps(header) + "\n")
            for item in items:
                out.write(json.dumps(item, ensure_ascii=False, sort_keys=True) + "\n")
                count += 1
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return count


class Item:
    """One object of a kind file, whose fields are read with their location attached."""

    def __init__(self, path: Path, line: int, data: dict[str, Any]) -> None:
        self.path, self.line, self.data = path, line, data

    def error(self, field: str, message: str) -> ExportFileError:
        return ExportFileError(self.path, self.line, field, message)

    def text(self, field: str, *, required: bool = True) -> str:
        value = self.data.get(field, None if required else "")
        if not isinstance(value, str) or (required and not value):
            raise self.error(field, "expected a non-empty string" if required else "a string")
        return value

    def flag(self, field: str) -> bool:
        value = self.data.get(field)
        if not isinstance(value, bool):
            raise self.error(field, "expected true or false")
        return value

    def number(self, field: str) -> int:
        value = self.data.get(field)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise self.error(field, "expected a whole number >= 0")
        return value

    def names(self, field: str) -> list[str]:
        value = self.data.get(field, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.error(field, "expected a list of strings")
        return value

    def instant(self, field: str, *, required: bool = True) -> datetime | None:
        value = self.data.get(field)
        if value is None and not required:
            return None
        try:
            moment = datetime.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            moment = None
        if moment is None or moment.tzinfo is None:
            raise self.error(field, f"expected an ISO 8601 instant with an offset, got {value!r}")
        return moment


def read_kind(directory: Path, kind: str) -> Iterator[Item]:
    """The items of ``kind.jsonl``; a missing file has none."""
    path = directory / f"{kind}.jsonl"
    if not path.exists():
        return
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ExportFileError(path, number, "", f"not JSON ({exc.msg})") from exc
            except UnicodeDecodeError as exc:
                raise ExportFileError(path, number, "", "not UTF-8 text") from exc
            if not isinstance(data, dict):
                raise ExportFileError(path, number, "", "expected one JSON object per line")
            if number == 1:
                _check_header(path, kind, data)
                continue
            yield Item(path, number, data)


def _check_header(path: Path, kind: str, header: dict[str, Any]) -> None:
    if header.get("format") != FORMAT or header.get("kind") != kind:
        raise ExportFileError(path, 1, "kind", f"expected a {FORMAT} header of kind {kind!r}")
    if header.get("version") != VERSION:
        raise ExportFileError(
            path, 1, "version", f"version {header.get('version')!r} is not supported ({VERSION})"
        )
