"""``secondstory import-postmortems``: bring existing Markdown postmortems in as drafts."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import date, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

# The importer (and its YAML and Markdown parsers) loads when the command runs, not when any
# ``secondstory`` command starts.
if TYPE_CHECKING:
    from secondstory.core.postmortem_import import ImportOptions, ImportResult


def _zone(name: str) -> tzinfo | None:
    from secondstory.core.postmortem_import.clock import zone_named

    if not name:
        return None
    zone = zone_named(name)
    if zone is None:
        from secondstory.cli.support import UserError

        raise UserError(f"--tz: unknown time zone {name!r} (e.g. UTC, Europe/Berlin, +05:30)")
    return zone.tz


def _result_lines(result: ImportResult, verb: str) -> Iterator[str]:
    yield f"{verb} {result.summary()} from {result.file}"
    for warning in result.warnings():
        yield f"  warning: {warning}"
    hidden = result.notes.total - len(result.notes.items)
    if hidden > 0:
        yield f"  ({hidden} more warnings)"


class _Tally:
    def __init__(self) -> None:
        self.imported = self.refused = self.skipped = self.warnings = 0

    def line(self, verb: str) -> str:
        return (
            f"{self.imported} {verb}, {self.refused} refused, {self.skipped} skipped; "
            f"{self.warnings} warnings"
        )


def _dry_run(paths: Iterable[Path], options: ImportOptions, output_format: str) -> bool:
    """Print what would be imported; return whether any file was refused."""
    from secondstory.core.postmortem_import import import_file, postmortem_files
    from secondstory.core.timeline.event import event_json
    from secondstory.core.timeline.sources.base import SourceError

    found = postmortem_files(paths)
    tally = _Tally()
    for path, reason in found.skipped:
        tally.skipped += 1
        if output_format == "text":
            click.echo(f"skipped {path}: {reason}")
    for path in found.files:
        try:
            result = import_file(path, options)
        except SourceError as exc:
            tally.refused += 1
            click.echo(f"error: {exc}", err=True)
            continue
        tally.imported += 1
        tally.warnings += result.notes.total
        if output_format == "jsonl":
            for incident in result.record.incidents:
                for event in incident.timeline:
                    click.echo(json.dumps({**event_json(event), "file": str(path)}))
        else:
            for line in _result_lines(result, "would import"):
                click.echo(line)
    if output_format == "text":
        click.echo(tally.line("would be imported"))
    return tally.refused > 0


def _write(paths: Iterable[Path], options: ImportOptions) -> bool:
    from secondstory.cli.support import UserError, with_django

    @with_django
    def run() -> bool:
        from secondstory.audit.bulk import bulk
        from secondstory.postmortems.markdown_import import ImportSetupError, import_paths

        tally = _Tally()
        try:
            with bulk("import-postmortems") as scope:
                for outcome in import_paths(paths, options):
                    _report(outcome, tally)
                scope.details["files"] = {"imported": tally.imported, "refused": tally.refused}
        except ImportSetupError as exc:
            raise UserError(str(exc)) from exc
        click.echo(tally.line("imported"))
        return tally.refused > 0

    return bool(run())


def _report(outcome: Any, tally: _Tally) -> None:
    """Print what happened to one file and count it."""
    if outcome.skipped:
        tally.skipped += 1
        click.echo(f"skipped {outcome.path}: {outcome.skipped}")
    elif outcome.error:
        tally.refused += 1
        click.echo(f"error: {outcome.path}: not imported", err=True)
        for line in outcome.error.splitlines():
            click.echo(f"  {line}", err=True)
    elif outcome.result is not None:
        tally.imported += 1
        tally.warnings += outcome.result.notes.total
        for line in _result_lines(outcome.result, "imported"):
            click.echo(line)


@click.command("import-postmortems")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--owner", default="", metavar="USERNAME", help="Owner of every postmortem.")
@click.option("--severity", default="", metavar="CODE", help="Severity when a file states none.")
@click.option("--tz", "tz_name", default="", metavar="ZONE", help="Zone of times stated without.")
@click.option("--dry-run", is_flag=True, help="Print what would be imported; write nothing.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "jsonl"]),
    default="text",
    show_default=True,
    help="With --dry-run: a report per file, or one JSON object per timeline event.",
)
def import_postmortems(
    paths: tuple[Path, ...],
    owner: str,
    severity: str,
    tz_name: str,
    dry_run: bool,
    output_format: str,
) -> None:
    """Import Markdown postmortems (files, or folders searched for *.md) as drafts.

    Headings become sections, the timeline becomes timeline events, root causes become
    contributing factors and owned action items become action items. Each file is imported
    whole or not at all; importing it again updates it. Exit status 1 when a file is refused.

    Example:

        secondstory import-postmortems docs/postmortems --owner dana --dry-run
    """
    from secondstory.cli.support import UserError
    from secondstory.core.postmortem_import import ImportOptions
    from secondstory.core.taxonomy import DEFAULT_SEVERITIES

    if output_format == "jsonl" and not dry_run:
        raise UserError("--format jsonl prints a dry run; add --dry-run")
    options = ImportOptions(
        owner=owner, severity=severity.strip(), tz=_zone(tz_name.strip()), today=date.today()
    )
    if dry_run:
        known = {s.code for s in DEFAULT_SEVERITIES}
        if options.severity and options.severity not in known:
            raise UserError(
                f"--severity: unknown severity {options.severity!r}; known: "
                + ", ".join(sorted(known))
            )
        failed = _dry_run(paths, options, output_format)
    else:
        failed = _write(paths, options)
    if failed:
        raise SystemExit(1)
