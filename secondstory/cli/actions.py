"""``secondstory actions``: action items from the command line (``list``; others attach here)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING

import click

from secondstory.cli.support import UserError, with_django

if TYPE_CHECKING:
    from secondstory.actions.filters import Row


@click.group(name="actions")
def actions() -> None:
    """Follow action items across every postmortem.

    Example:

        secondstory actions list --overdue --team payments
    """


@actions.command(name="list")
@click.option("--owner", default="", help="Username of the owner.")
@click.option("--team", default="", help="Slug of a team of the item's incident.")
@click.option("--service", default="", help="Slug of a service of the item's incident.")
@click.option("--status", default="", help="open, in_progress, done or not_doing.")
@click.option("--type", "type_", default="", help="prevent, mitigate, detect, … (item type).")
@click.option("--priority", default="", help="P0, P1 or P2.")
@click.option("--overdue/--not-overdue", default=None, help="Only overdue items (or none).")
@click.option(
    "--verified/--not-verified", default=None, help="Only items verified by a game day (or none)."
)
@click.option("--severity", default="", help="Severity code of the incident, e.g. SEV1.")
@click.option("--due-after", default="", help="Due on or after this date (YYYY-MM-DD).")
@click.option("--due-before", default="", help="Due on or before this date (YYYY-MM-DD).")
@click.option("--sort", default="due", show_default=True, help="due, priority, status, owner, …")
@click.option(
    "--as",
    "as_user",
    default="",
    metavar="USERNAME",
    help="Show only what this person may read (default: every item, for operators).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
)
@with_django
def list_items(
    owner: str,
    team: str,
    service: str,
    status: str,
    type_: str,
    priority: str,
    overdue: bool | None,
    verified: bool | None,
    severity: str,
    due_after: str,
    due_before: str,
    sort: str,
    as_user: str,
    fmt: str,
) -> None:
    """List action items with the same filters as the web page's /actions/.

    Examples:

        secondstory actions list --status open --priority P0

        secondstory actions list --overdue --format csv > overdue.csv

        secondstory actions list --as charlie --format json
    """
    from django.utils import timezone

    from secondstory.accounts.models import User
    from secondstory.actions.filters import (
        FilterError,
        apply_filter,
        ordered,
        parse_filter,
        row_for,
        visible_items,
        write_csv,
    )

    params = {
        "owner": owner,
        "team": team,
        "service": service,
        "status": status,
        "type": type_,
        "priority": priority,
        "severity": severity,
        "due_after": due_after,
        "due_before": due_before,
        "sort": sort,
    }
    if overdue is not None:
        params["overdue"] = "yes" if overdue else "no"
    if verified is not None:
        params["verified"] = "yes" if verified else "no"
    try:
        flt = parse_filter(params)
    except FilterError as exc:
        problems = (f"--{k.replace('_', '-')}: {m}" for k, m in exc.errors.items())
        raise UserError("; ".join(problems)) from exc
    viewer = None
    if as_user:
        viewer = User.objects.filter(username=as_user).first()
        if viewer is None:
            raise UserError(f"--as: no person called “{as_user}”")
    today = timezone.localdate()
    rows = [
        row_for(i, today) for i in ordered(apply_filter(visible_items(viewer), flt, today), flt)
    ]
    from secondstory.lib import site

    base_url = site.base_url()
    if fmt == "csv":
        click.echo(write_csv(rows, base_url), nl=False)
    elif fmt == "json":
        click.echo(json.dumps([_as_json(row, base_url) for row in rows], indent=2))
    else:
        _table(rows)


def _as_json(row: Row, base_url: str) -> dict[str, object]:
    from secondstory.actions.filters import CSV_HEADER, item_path

    values: dict[str, object] = dict(
        zip(CSV_HEADER, row.values(base_url.rstrip("/") + item_path(row.item)), strict=True)
    )
    values["teams"] = row.teams
    values["services"] = row.services
    values["overdue_days"] = row.overdue_days
    values["completed_at"] = _iso(row.item.completed_at)
    return values


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _table(rows: list[Row]) -> None:
    if not rows:
        click.echo("No action items match.")
        return
    header = ["ITEM", "PRIORITY", "STATUS", "DUE", "OVERDUE", "OWNER", "TEAMS", "TITLE"]
    lines = [header]
    for row in rows:
        item = row.item
        lines.append(
            [
                f"{item.postmortem.key}/{item.key}",
                item.priority,
                item.status,
                item.due.isoformat(),
                f"{row.overdue_days}d" if row.overdue_days else "",
                item.owner.username,
                ",".join(row.teams) or "-",
                item.title,
            ]
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header) - 1)]
    for line in lines:
        cells = [cell.ljust(width) for cell, width in zip(line, widths, strict=False)]
        click.echo("  ".join([*cells, line[-1]]).rstrip())
    click.echo(f"\n{len(rows)} action item{'s' if len(rows) != 1 else ''}")
