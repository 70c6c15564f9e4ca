"""``secondstory audit``: the audit log on the command line, streamed."""

from __future__ import annotations

import sys

import click

from secondstory.cli.support import UserError, with_django


@click.command("audit")
@click.option("--since", required=True, help="From this moment: YYYY-MM-DD[THH:MM] (UTC).")
@click.option("--until", default="", help="Before this moment (a date alone: to its end).")
@click.option("--actor", default="", help="Only this actor (a username, cli, worker...).")
@click.option("--action", default="", help="Only this action (create, update, login...).")
@click.option("--object", "object_", default="", help="Only this object (PM-12, app.model...).")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["jsonl", "text"]),
    default="text",
    show_default=True,
)
@with_django
def audit_command(
    since: str, until: str, actor: str, action: str, object_: str, output_format: str
) -> None:
    """Print audit events, oldest first, one per line (memory stays flat).

    Example:

        secondstory audit --since 2026-12-01 --format jsonl > audit.jsonl
        secondstory audit --since 2026-12-06T09:00 --actor dana --action update
    """
    from secondstory.audit.models import Action
    from secondstory.audit.query import AuditFilter, FilterError, as_jsonl, as_text, parse_moment
    from secondstory.audit.query import stream as stream_events

    if action and action not in Action.values:
        raise UserError(f"--action: unknown action {action!r} ({', '.join(Action.values)})")
    try:
        found = AuditFilter(
            since=parse_moment(since, "--since"),
            until=parse_moment(until, "--until", end=True),
            actor=actor,
            action=action,
            object=object_,
        )
    except FilterError as exc:
        raise UserError(str(exc)) from exc
    line = as_jsonl if output_format == "jsonl" else as_text
    out = sys.stdout
    for event in stream_events(found.events()):
        out.write(line(event))
