"""Export and load postmortems as Markdown files (the format lives in ``core.exchange``)."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from secondstory.core.exchange import ExchangeError, parse_postmortem, render_postmortem
from secondstory.postmortems.models import Postmortem
from secondstory.postmortems.records import (
    RecordInvalid,
    load_record,
    postmortems_for_export,
    record_for,
    vocabulary,
)


def file_name(key: str) -> str:
    """A safe file name for a postmortem key: ``PM-0001`` -> ``PM-0001.md``."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", key).strip("._") + ".md"


def _write_atomically(path: Path, text: str) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def export_postmortem(postmortem: Postmortem) -> str:
    return render_postmortem(record_for(postmortem))


def export_all(directory: Path) -> int:
    """Write one ``KEY.md`` per postmortem into ``directory``; return how many."""
    directory.mkdir(parents=True, exist_ok=True)
    count = 0
    for postmortem in postmortems_for_export().order_by("key").iterator(chunk_size=200):
        _write_atomically(directory / file_name(postmortem.key), export_postmortem(postmortem))
        count += 1
    return count


@dataclass
class LoadReport:
    loaded: list[tuple[Path, str, bool]] = field(default_factory=list)  # path, key, created
    errors: list[tuple[Path, str]] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return bool(self.errors)

    def lines(self) -> list[str]:
        out = [
            f"{'created' if created else 'updated'} {key} from {path}"
            for path, key, created in self.loaded
        ]
        for path, message in self.errors:
            out.append(f"error: {path}: not loaded")
            out.extend(f"  {line}" for line in message.splitlines())
        out.append(f"{len(self.loaded)} loaded, {len(self.errors)} refused")
        return out


def markdown_files(paths: Iterable[Path]) -> list[Path]:
    """The files named, and the ``*.md`` files inside the directories named."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*.md") if p.is_file()))
        else:
            files.append(path)
    return files


def load_text(text: str, *, source: str) -> tuple[Postmortem, bool]:
    """Parse and load one file's text; all or nothing. Returns (postmortem, created)."""
    vocab = vocabulary()
    record = parse_postmortem(text, source=source, vocab=vocab)
    existed = Postmortem.objects.filter(key=record.key).exists()
    with transaction.atomic():
        postmortem = load_record(record, vocab=vocab)
    return postmortem, not existed


def load_paths(paths: Iterable[Path]) -> LoadReport:
    """Load every file; each file is loaded whole or not at all."""
    report = LoadReport()
    for path in markdown_files(paths):
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            report.errors.append((path, f"{path}:1: (file): not UTF-8 text ({exc.reason})"))
            continue
        except OSError as exc:
            report.errors.append((path, f"{path}: cannot read ({exc.strerror})"))
            continue
        try:
            postmortem, created = load_text(text, source=str(path))
        except ExchangeError as exc:
            report.errors.append((path, str(exc)))
        except RecordInvalid as exc:
            report.errors.append((path, f"{path}:1: {exc}"))
        else:
            report.loaded.append((path, postmortem.key, created))
    return report
