"""Import free-form Markdown postmortems into the database (the reading is in
``secondstory.core.postmortem_import``). Each file is written whole or not at all; importing
the same file again updates what it wrote the first time."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction

from secondstory.accounts.models import User
from secondstory.actions.models import PriorityPolicy
from secondstory.core.postmortem_import import (
    ImportOptions,
    ImportResult,
    import_file,
    postmortem_files,
)
from secondstory.core.timeline.sources.base import SourceError
from secondstory.incidents.models import Severity
from secondstory.postmortems.models import Postmortem
from secondstory.postmortems.records import RecordInvalid, load_record, vocabulary


class ImportSetupError(ValueError):
    """The import cannot start (unknown owner, unknown severity); nothing was read."""


@dataclass(slots=True)
class FileOutcome:
    path: Path
    result: ImportResult | None = None
    created: bool = False
    error: str = ""
    skipped: str = ""


@dataclass(slots=True)
class Plan:
    options: ImportOptions
    files: list[Path] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)


def plan(paths: Iterable[Path], options: ImportOptions) -> Plan:
    """Check the owner and severity against the database and find the files."""
    if not options.owner:
        raise ImportSetupError(
            "give the owner of the imported postmortems with --owner USERNAME "
            "(an existing user; or use --dry-run)"
        )
    if not User.objects.filter(username=options.owner).exists():
        raise ImportSetupError(f"--owner: no user {options.owner!r}; create it first")
    vocab = vocabulary()
    if options.severity and options.severity not in vocab.severities:
        known = ", ".join(sorted(vocab.severities))
        raise ImportSetupError(f"--severity: unknown severity {options.severity!r}; known: {known}")
    slo_days = dict(Severity.objects.values_list("code", "slo_days"))
    priority_days = dict(PriorityPolicy.objects.values_list("priority", "slo_days"))
    found = postmortem_files(paths)
    return Plan(
        replace(options, vocab=vocab, slo_days=slo_days, priority_days=priority_days),
        found.files,
        found.skipped,
    )


def import_paths(paths: Iterable[Path], options: ImportOptions) -> Iterator[FileOutcome]:
    """Import every file, yielding what happened to each (skipped files first)."""
    work = plan(paths, options)
    for path, reason in work.skipped:
        yield FileOutcome(path, skipped=reason)
    for path in work.files:
        yield import_one(path, work.options)


def import_one(path: Path, options: ImportOptions) -> FileOutcome:
    try:
        result = import_file(path, options)
    except SourceError as exc:
        return FileOutcome(path, error=str(exc))
    existed = Postmortem.objects.filter(key=result.record.key).exists()
    try:
        with transaction.atomic():
            load_record(result.record, vocab=options.vocab)
    except RecordInvalid as exc:
        return FileOutcome(path, result, error=f"{path}:1: {exc}")
    except ValidationError as exc:
        return FileOutcome(path, result, error=f"{path}:1: " + "; ".join(exc.messages))
    except DatabaseError as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        return FileOutcome(path, result, error=f"{path}:1: database: {first}")
    return FileOutcome(path, result, created=not existed)
