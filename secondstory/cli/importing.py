"""``secondstory parse`` and ``secondstory import``: timeline events from raw exports.

``parse`` never touches the database and never imports Django; ``import`` writes, all or
nothing, through ``incidents.importing``.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click
import orjson

from secondstory.cli.support import UserError, with_django
from secondstory.core.timeline import sources
from secondstory.core.timeline.event import TimelineEvent, event_json, offset_text
from secondstory.core.timeline.sources.base import ParseOptions, Source, SourceError, Where
from secondstory.core.timeline.sources.folders import Expanded, expand

F = TypeVar("F", bound=Callable[..., Any])
STDIN = "-"
EVENT_FIELDS = (
    "at",
    "text",
    "actor",
    "actor_role",
    "kind",
    "source_ref",
    "evidence_url",
    "date",
    "time",
    "offset",
)


def source_options(func: F) -> F:
    """The options ``parse`` and ``import`` share."""
    options = [
        click.argument("inputs", nargs=-1, required=True, metavar="SOURCE..."),
        click.option(
            "--from",
            "fmt",
            type=click.Choice(sources.FORMATS),
            help="The format of every SOURCE (default: told from each one's content).",
        ),
        click.option(
            "--tz", "zone", metavar="ZONE", help="Zone of times without an offset (Europe/Berlin)."
        ),
        click.option("--date", "day", metavar="YYYY-MM-DD", help="Date of times without one."),
        click.option("--since", metavar="TIME", help="Keep events at or after TIME (ISO 8601)."),
        click.option("--until", metavar="TIME", help="Keep events at or before TIME (ISO 8601)."),
        click.option(
            "--channel",
            "channels",
            multiple=True,
            metavar="NAME",
            help="Only these chat channels (name or id; repeatable).",
        ),
        click.option(
            "--column",
            "columns",
            multiple=True,
            metavar="FIELD=NAME",
            help=f"CSV column of a field ({', '.join(EVENT_FIELDS)}); repeatable.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def build_options(
    *,
    zone: str | None,
    day: str | None,
    since: str | None,
    until: str | None,
    channels: tuple[str, ...],
    columns: tuple[str, ...],
) -> ParseOptions:
    """The parse options from the shared command-line options (see ``source_options``)."""
    tz = _zone(zone) if zone else None
    return ParseOptions(
        tz=tz,
        date=_date(day) if day else None,
        since=_bound(since, tz, "--since") if since else None,
        until=_bound(until, tz, "--until", end=True) if until else None,
        channels=channels,
        columns=_columns(columns),
    )


def _zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise UserError(f"--tz: unknown time zone {name!r} (try Europe/Berlin or UTC)") from exc


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise UserError(f"--date: expected YYYY-MM-DD, got {text!r}") from exc


def _bound(text: str, tz: tzinfo | None, option: str, *, end: bool = False) -> datetime:
    """A window bound; a bare date means the whole day, a naive time is read in --tz or UTC."""
    from datetime import UTC

    from secondstory.core.timeline.sources.base import parse_instant

    try:
        if len(text.strip()) == 10:
            day = date.fromisoformat(text.strip())
            moment = datetime(day.year, day.month, day.day, tzinfo=tz or UTC)
            return moment + timedelta(days=1, microseconds=-1) if end else moment
        value = parse_instant(text, Where(option), option, tz=tz or UTC)
    except (SourceError, ValueError) as exc:
        raise UserError(f"{option}: expected an ISO 8601 time, got {text!r}") from exc
    if value is None:
        raise UserError(f"{option}: expected an ISO 8601 time, got {text!r}")
    return value


def _columns(pairs: tuple[str, ...]) -> dict[str, str]:
    mapping = {}
    for pair in pairs:
        name, sep, column = pair.partition("=")
        if not sep or name not in EVENT_FIELDS or not column:
            raise UserError(
                f"--column: expected FIELD=COLUMN with FIELD one of {', '.join(EVENT_FIELDS)}, "
                f"got {pair!r}"
            )
        mapping[name] = column
    return mapping


class Inputs:
    """The SOURCE arguments as importer inputs; ``-`` (standard input) is spooled to a file."""

    def __init__(self, names: tuple[str, ...]) -> None:
        self.names = names
        self._spool: Path | None = None

    def __enter__(self) -> list[Source]:
        found = []
        for name in self.names:
            if name == STDIN:
                self._spool = Path(tempfile.mkdtemp(prefix="secondstory-stdin-"))
                path = self._spool / "stdin"
                with path.open("wb") as out:
                    shutil.copyfileobj(sys.stdin.buffer, out)
                found.append(Source(path, "<stdin>"))
                continue
            path = Path(name)
            if not path.exists():
                raise UserError(f"{name}: no such file or folder")
            found.append(Source(path, name))
        return found

    def __exit__(self, *exc: object) -> None:
        if self._spool is not None:
            shutil.rmtree(self._spool, ignore_errors=True)


def table_line(event: TimelineEvent) -> str:
    stamp = event.utc.strftime("%Y-%m-%d %H:%M:%S")
    text = event.text.splitlines()[0] if event.text else ""
    actor = event.actor[:20]
    return (
        f"{stamp}Z  {offset_text(event.utc_offset_minutes)}  {event.kind:<11} "
        f"{event.source:<12} {actor:<20} {text[:100]}"
    )


def _parsed(
    inputs: list[Source], fmt: str | None, options: ParseOptions, read: list[tuple[str, str, int]]
) -> Iterator[TimelineEvent]:
    """The events of every input; ``read`` gets ``(input, format, events)`` of each."""
    formats = [fmt or sources.detect(source) for source in inputs]
    for source, name in zip(inputs, formats, strict=True):
        count = 0
        for event in sources.parse(source, options, name):
            count += 1
            yield event
        read.append((source.name, name, count))


def expanded(given: list[Source], fmt: str | None) -> Expanded:
    """The inputs, each folder of mixed exports replaced by its files."""
    try:
        return expand(given, fmt)
    except SourceError as exc:
        raise UserError(str(exc)) from exc


def _print_summary(found: Expanded, read: list[tuple[str, str, int]]) -> None:
    """One line a file on standard error, when a folder was walked."""
    if not found.walked:
        return
    for name, fmt, count in read:
        click.echo(f"read {name} as {fmt}: {count:,} event{'' if count == 1 else 's'}", err=True)
    for name, reason in found.skipped:
        click.echo(f"skipped {name}: {reason}", err=True)


@click.command("parse")
@source_options
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["jsonl", "table"]),
    default="jsonl",
    show_default=True,
    help="jsonl streams in the sources' order; table is sorted by time.",
)
@click.option(
    "--redact/--no-redact",
    default=True,
    show_default=True,
    help="Replace secrets by [REDACTED:kind].",
)
@click.option("--emails", is_flag=True, help="Redact email addresses too.")
@click.option("--phones", is_flag=True, help="Redact phone numbers too.")
def parse_command(
    inputs: tuple[str, ...],
    fmt: str | None,
    output_format: str,
    redact: bool,
    emails: bool,
    phones: bool,
    **window: Any,
) -> None:
    """Print the timeline events of raw exports, without touching the database.

    SOURCE is a file, a folder (a Slack export, a git repository, or a folder
    of mixed exports: each file is told on its own) or - for standard input.
    Each line of jsonl output is one event with at (ISO 8601 UTC), offset,
    kind, source, source_ref, actor, actor_role and text. When a folder is
    walked, standard error ends with one line a file: its format and events,
    or why it was skipped.

    Example:

        secondstory parse slack-export.zip alerts.json --since 2026-03-04T13:00Z
    """
    from secondstory.core.timeline.redact import Redactor

    options = build_options(**window)
    redactor = Redactor(emails=emails, phones=phones) if redact else None
    out = sys.stdout
    read: list[tuple[str, str, int]] = []
    with Inputs(inputs) as given:
        walked = expanded(given, fmt)
        found = walked.sources
        try:
            events: Iterator[TimelineEvent] = _parsed(found, fmt, options, read)
            if redactor is not None:
                events = (redactor.event(e) for e in events)
            if output_format == "jsonl":
                for event in events:
                    out.write(orjson.dumps(event_json(event)).decode("utf-8") + "\n")
            else:
                for event in sorted(events, key=lambda e: (e.utc, e.source, e.source_ref)):
                    out.write(table_line(event) + "\n")
        except SourceError as exc:
            raise UserError(str(exc)) from exc
        _print_summary(walked, read)
        for source in found:
            for warning in source.warnings:
                click.echo(f"warning: {warning}", err=True)
            if source.warning_count > len(source.warnings):
                hidden = source.warning_count - len(source.warnings)
                click.echo(f"warning: {source.name}: {hidden} more warnings", err=True)


@click.command("import")
@source_options
@click.option("--incident", "incident_key", required=True, help="Key of the incident.")
@click.option("--dry-run", is_flag=True, help="Do everything, then write nothing.")
@click.option("--no-redact", is_flag=True, help="Keep secrets (only for trusted data).")
@click.option("--emails", is_flag=True, help="Redact email addresses too.")
@click.option("--phones", is_flag=True, help="Redact phone numbers too.")
@click.option(
    "--accept-milestones",
    "accept",
    default="",
    metavar="KIND,...",
    help="Set these suggested milestones (detected, acknowledged, resolved, or all).",
)
@click.option("--as", "username", default="", help="Who the history names as the importer.")
@with_django
def import_command(
    inputs: tuple[str, ...],
    fmt: str | None,
    incident_key: str,
    dry_run: bool,
    no_redact: bool,
    emails: bool,
    phones: bool,
    accept: str,
    username: str,
    **window: Any,
) -> None:
    """Import raw exports onto an incident's timeline, all or nothing.

    Re-importing the same data adds nothing; the same alert seen through two
    sources is kept once, with both references. Secrets are redacted before
    anything is written. Milestones are only suggested, unless accepted.

    Example:

        secondstory import slack.zip pagerduty.json git.log --incident INC-0042
    """
    from secondstory.cli import import_report
    from secondstory.incidents.importing import ImportRequest, import_events
    from secondstory.incidents.pending_events import ImportInterrupted

    options = build_options(**window)
    incident = import_report.incident_for(incident_key)
    by = import_report.user_for(username)
    kinds = import_report.milestone_kinds(accept)
    with Inputs(inputs) as given:
        walked = expanded(given, fmt)
        request = ImportRequest(
            walked.sources, fmt, options, redact=not no_redact, emails=emails, phones=phones
        )
        try:
            with import_report.progress_bar() as advance:
                summary = import_events(
                    incident,
                    request,
                    dry_run=dry_run,
                    accept_milestones=kinds,
                    by=by,
                    progress=advance,
                )
        except (SourceError, ImportInterrupted) as exc:
            raise UserError(f"{exc} (nothing was imported)") from exc
    summary.skipped = walked.skipped + summary.skipped
    click.echo(import_report.render(summary, incident_key))
