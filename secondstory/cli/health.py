"""``secondstory health``: the learning-health diagnostic from the command line."""

from __future__ import annotations

import os
import tempfile
from datetime import date
from pathlib import Path

import click

from secondstory.cli.support import UserError, with_django


class UsageProblem(UserError):
    """A bad option value: one line, exit status 2."""

    exit_code = 2


def _as_of(value: str | None) -> date:
    if value is None:
        from django.utils import timezone

        return timezone.localdate()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UsageProblem(f"--as-of: {value!r} is not a date of the form YYYY-MM-DD") from None


def _write(output: Path, text: str) -> None:
    """Write all of ``text`` or nothing: a temporary file in the same directory, then a rename."""
    directory = output.parent if str(output.parent) else Path(".")
    try:
        handle, temporary = tempfile.mkstemp(dir=directory, prefix=".health-", suffix=".tmp")
    except OSError as exc:
        raise UsageProblem(f"--output: cannot write {output}: {exc.strerror}") from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, output)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise UsageProblem(f"--output: cannot write {output}: {exc.strerror}") from None


@click.command("health")
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD", help="Evaluate as of this date.")
@click.option("--team", metavar="T", help="Only this team's checks (by slug).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "md", "html"]),
    default="text",
    show_default=True,
)
@click.option("--output", type=click.Path(path_type=Path), help="Write to FILE.")
@with_django
def health_command(as_of: str | None, team: str | None, fmt: str, output: Path | None) -> None:
    """Run the learning-health checks; exit 1 when any says alarm.

    Example:

        secondstory health --as-of 2026-06-30 --format json --output health.json
    """
    from secondstory.accounts.models import Team
    from secondstory.core.insights.health.render import render
    from secondstory.insights import health_data

    day = _as_of(as_of)
    if output is not None and output.is_dir():
        raise UsageProblem(f"--output: {output} is a directory")
    if team is not None and not Team.objects.filter(slug=team).exists():
        raise UsageProblem(f"--team: no team {team!r}")
    try:
        thresholds = health_data.thresholds()
    except ValueError as exc:
        raise UserError(f"SECONDSTORY_HEALTH: {exc}") from None
    results = health_data.checks(day, team, known=thresholds)
    text = render(fmt, day, results)
    if output is None:
        click.echo(text, nl=False)
    else:
        _write(output, text)
    if any(r.status == "alarm" for r in results):
        raise SystemExit(1)
