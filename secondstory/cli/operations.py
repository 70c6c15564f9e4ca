"""``secondstory backup`` and ``secondstory restore``."""

from __future__ import annotations

from pathlib import Path

import click

from secondstory.cli.support import UserError, with_django


def print_report(lines: list[tuple[str, str]]) -> tuple[int, int]:
    """Print the lines of ``check``; return (failures, warnings)."""
    labels = {"ok": "ok    ", "warn": "WARN  ", "fail": "FAIL  "}
    for level, line in lines:
        click.echo(labels[level] + line)
    return (
        sum(level == "fail" for level, _ in lines),
        sum(level == "warn" for level, _ in lines),
    )


@click.command("backup")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@with_django
def backup_command(directory: Path) -> None:
    """Write a consistent backup of the database and the data directory's keys to DIRECTORY.

    Safe while the application runs. Each backup is a directory
    secondstory-YYYYMMDDTHHMMSSZ with manifest.json; see docs/operations.md.

    Example:

        secondstory backup /srv/backups/secondstory
    """
    from secondstory.operations.backup import BackupError, take_backup
    from secondstory.operations.postgres import ToolMissing

    try:
        result = take_backup(directory)
    except (BackupError, ToolMissing, RuntimeError, OSError) as exc:
        raise UserError(f"backup: {exc}; nothing was written") from exc
    rows = sum(result.manifest.row_counts.values())
    click.echo(
        f"backed up {result.manifest.engine} ({rows} rows, "
        f"{result.manifest.database_size} bytes) to {result.path}"
    )


@click.command("restore")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--replace",
    is_flag=True,
    help="Restore even though this installation holds data (it is backed up first).",
)
@with_django
def restore_command(directory: Path, replace: bool) -> None:
    """Restore the backup in DIRECTORY into this (empty) installation, then check it.

    Stop the application first. Exit status: 0 restored and checked, 1 refused or a
    check failed.

    Example:

        secondstory restore /srv/backups/secondstory/secondstory-20261206T020000Z
    """
    from secondstory.lib.health import health_report
    from secondstory.operations.manifest import ManifestError
    from secondstory.operations.postgres import ToolMissing
    from secondstory.operations.restore import RestoreError, restore

    try:
        result = restore(directory, replace=replace)
    except (RestoreError, ManifestError, ToolMissing, RuntimeError, OSError) as exc:
        raise UserError(f"restore: {exc}") from exc
    if result.safety_backup:
        click.echo(f"backed up what was here to {result.safety_backup}")
    rows = sum(result.manifest.row_counts.values())
    click.echo(
        f"restored {result.source} ({result.manifest.engine}, {rows} rows, "
        f"taken {result.manifest.created_at})"
    )
    if result.migrations_applied:
        click.echo(f"applied {result.migrations_applied} newer migrations")
    for name in result.manifest.files:
        click.echo(f"restored {name} into the data directory")
    failures, _ = print_report(list(health_report()))
    if failures:
        raise SystemExit(1)


def export_everything_to(directory: Path) -> None:
    """The ``export --all`` branch of ``secondstory export``."""
    from secondstory.operations.full_export import ExportDirectoryError, export_everything

    try:
        counts = export_everything(directory)
    except ExportDirectoryError as exc:
        raise UserError(str(exc)) from exc
    listed = ", ".join(f"{n} {kind.replace('_', ' ')}" for kind, n in counts.items() if n)
    click.echo(f"exported {listed} to {directory}")


def load_complete_export(paths: tuple[Path, ...]) -> bool:
    """Load a directory written by ``export --all``; False when ``paths`` is not one."""
    from secondstory.operations.full_load import (
        FullLoadError,
        is_complete_export,
        load_everything,
    )

    if len(paths) != 1 or not is_complete_export(paths[0]):
        return False
    try:
        report = load_everything(paths[0])
    except FullLoadError as exc:
        raise UserError(str(exc)) from exc
    for line in report.lines():
        click.echo(line)
    return True
