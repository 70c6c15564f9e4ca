"""What ``secondstory import`` prints, and the lookups it needs (Django is set up)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from secondstory.accounts.models import User
from secondstory.cli.support import UserError
from secondstory.core.timeline.event import offset_minutes, offset_text
from secondstory.core.timeline.merge import SUGGESTED_MILESTONES
from secondstory.incidents.importing import ImportSummary
from secondstory.incidents.models import Incident

SHOWN_WARNINGS = 20


def incident_for(key: str) -> Incident:
    try:
        return Incident.objects.get(key=key)
    except Incident.DoesNotExist as exc:
        raise UserError(f"--incident: no incident {key!r}") from exc


def user_for(username: str) -> User | None:
    if not username:
        return None
    try:
        return User.objects.get(username=username)
    except User.DoesNotExist as exc:
        raise UserError(f"--as: no user {username!r}") from exc


def milestone_kinds(text: str) -> list[str]:
    known = [kind for kind, _, _ in SUGGESTED_MILESTONES]
    if text.strip() == "all":
        return known
    kinds = [k.strip() for k in text.split(",") if k.strip()]
    unknown = [k for k in kinds if k not in known]
    if unknown:
        raise UserError(
            f"--accept-milestones: unknown {', '.join(unknown)} (one of {', '.join(known)}, all)"
        )
    return kinds


@contextmanager
def progress_bar() -> Iterator[Callable[[int], None]]:
    """A progress display on standard error: events read so far."""
    console = Console(stderr=True)
    columns = (
        SpinnerColumn(),
        TextColumn("importing: {task.completed:,} events read"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("import", total=None)
        yield lambda n: progress.advance(task, n)


def render(summary: ImportSummary, key: str) -> str:
    lines = []
    for name, fmt in summary.formats:
        count = summary.events_by_input[name]
        lines.append(f"read {name} as {fmt}: {count:,} event{'' if count == 1 else 's'}")
    for name, reason in summary.skipped:
        lines.append(f"skipped {name}: {reason}")
    verb = "would add" if summary.dry_run else "added"
    lines.append(
        f"{key}: {verb} {summary.added:,} events; {summary.duplicates:,} duplicates skipped, "
        f"{summary.grouped:,} grouped, {summary.redacted:,} redacted, "
        f"{summary.warning_count:,} warnings"
        + (f", {summary.left_out:,} left out" if summary.left_out else "")
    )
    if summary.redactions:
        kinds = ", ".join(f"{kind} {n:,}" for kind, n in sorted(summary.redactions.items()))
        lines.append(f"redacted: {kinds}")
    for warning in summary.warnings[:SHOWN_WARNINGS]:
        lines.append(f"warning: {warning}")
    if summary.warning_count > SHOWN_WARNINGS:
        lines.append(f"warning: … and {summary.warning_count - SHOWN_WARNINGS:,} more")
    for suggestion in summary.suggestions:
        at = suggestion.at
        stamp = f"{at:%Y-%m-%d %H:%M:%S} {offset_text(offset_minutes(at))}"
        if suggestion.kind in summary.milestones_set:
            lines.append(f"milestone {suggestion.kind} set to {stamp} ({suggestion.reason})")
        else:
            lines.append(
                f"suggested milestone {suggestion.kind}: {stamp} ({suggestion.reason}); "
                f"set it with --accept-milestones {suggestion.kind}"
            )
    if summary.dry_run:
        lines.append("dry run: nothing was written")
    return "\n".join(lines)
