"""``secondstory actions remind`` and ``secondstory worker``: reminders and background work."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import date

import click

from secondstory.cli.support import UserError, with_django


def _parse_day(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise UserError(f"--today: expected a date as YYYY-MM-DD, got {value!r}") from exc


@click.command("remind")
@click.option(
    "--dry-run", is_flag=True, help="Print what would be sent, to whom and why; send nothing."
)
@click.option("--today", metavar="YYYY-MM-DD", help="Pretend it is this day (default: today).")
@click.option(
    "--digest/--no-digest", default=True, show_default=True, help="Include the weekly digests."
)
@with_django
def remind_command(dry_run: bool, today: str | None, digest: bool) -> None:
    """Send due-soon and overdue reminders (and weekly digests) to action item owners.

    Each reminder goes once per item, threshold and due date; the digest once a week.
    The worker does this every 15 minutes; this command does it now.

    Example:

        secondstory actions remind --dry-run --today 2026-05-01
    """
    from django.utils import timezone

    from secondstory.notify import jobs
    from secondstory.notify.channels import active_channels, unconfigured_reason
    from secondstory.notify.reminders import digest_reminders, item_reminders, plan
    from secondstory.notify.services import MAX_ATTEMPTS

    day = _parse_day(today) or timezone.localdate()
    if not dry_run:
        result = jobs.remind(day, digest=digest)
        click.echo(f"{len(result.sent)} sent, {len(result.failed)} failed (retried next run)")
        for delivery in result.failed:
            given_up = (
                f" (given up after {MAX_ATTEMPTS} tries)" if delivery.status == "failed" else ""
            )
            click.echo(
                f"failed: {delivery.kind} to {delivery.channel_label}: {delivery.error}{given_up}"
            )
        return
    reminders = item_reminders(day) + (digest_reminders(day) if digest else [])
    channels = active_channels()
    planned = plan(reminders, channels)
    if not planned:
        click.echo(f"nothing to send on {day.isoformat()}")
        return
    if not channels:
        click.echo(f"note: {unconfigured_reason()}; listing what would be sent once one is")
    for entry in planned:
        reminder = entry.reminder
        what = reminder.kind.replace("_", "-")
        if reminder.item is not None:
            item = reminder.item
            what += f' {item.postmortem.key} {item.key} "{item.title}" (due {item.due.isoformat()})'
        click.echo(f"would send {what} to {reminder.user.username} because {reminder.reason}")
        for channel in entry.channels:
            click.echo(f"    by {channel.label}: {channel.address_for(reminder.user)}")
        if channels and not entry.channels:
            click.echo(f"    not sent: no configured channel reaches {reminder.user.username}")
    click.echo(f"{len(planned)} reminders on {day.isoformat()}; dry run, nothing sent")


@click.command("worker")
@click.option(
    "--every",
    default=15,
    show_default=True,
    type=click.IntRange(1),
    help="Minutes between enqueuing the reminder sweep, digest check and periodic jobs.",
)
@click.option(
    "--queue-name",
    default="default",
    show_default=True,
    help="Queues to process (comma-separated; * for all).",
)
@click.option(
    "--interval",
    default=1.0,
    show_default=True,
    type=click.FloatRange(0),
    help="Seconds to wait when no task is ready.",
)
@click.option(
    "--once", is_flag=True, help="Enqueue the periodic jobs, run every ready task, then exit."
)
@with_django
def worker_command(every: int, queue_name: str, interval: float, once: bool) -> None:
    """Run background tasks: reminders, digests, tracker sync and recurrence checks.

    Uses the database as its queue (no other service). Ctrl-C or SIGTERM stops it after the
    delivery it is sending; what is left stays queued for the next run. A second signal
    stops it at once.

    Example:

        secondstory worker --every 15
    """
    from secondstory.audit.context import set_process_actor
    from secondstory.notify.tasks import enqueue_periodic

    set_process_actor("worker")
    verbosity = 0 if once else 1
    if once:
        enqueued = enqueue_periodic()
        click.echo(f"enqueued {len(enqueued)}: {', '.join(enqueued) or 'nothing'}")
        stopped = _run_tasks(queue_name, 0, batch=True, verbosity=verbosity)
        click.echo("stopped; what is left runs next time" if stopped else "ran every ready task")
        return
    stop = threading.Event()
    scheduler = threading.Thread(
        target=_scheduler_thread,
        args=(stop, every * 60.0),
        name="secondstory-scheduler",
        daemon=True,
    )
    click.echo(f"secondstory worker: periodic jobs every {every} minutes (Ctrl-C stops)")
    scheduler.start()
    try:
        _run_tasks(queue_name, interval, batch=False, verbosity=verbosity)
    finally:
        stop.set()
        scheduler.join(timeout=10)
    click.echo("secondstory worker stopped")


def _run_tasks(queue_name: str, interval: float, *, batch: bool, verbosity: int) -> bool:
    """Run the task loop; True when a stop signal ended it."""
    import sys

    from secondstory.notify.stopping import stop_requested
    from secondstory.notify.worker import run_tasks

    try:
        run_tasks(
            queue_name=queue_name,
            interval=interval,
            batch=batch,
            verbosity=verbosity,
            stdout=sys.stdout,
        )
    except SystemExit as exc:  # the first signal while idle ends the loop this way
        if exc.code not in (0, None):
            raise
    return stop_requested()


def schedule_periodic(
    stop: threading.Event, seconds: float, tick: Callable[[], object] | None = None
) -> None:
    """Call ``tick`` (default: enqueue the periodic jobs) now and every ``seconds`` until
    ``stop`` is set."""
    tick = tick or enqueue_once
    while not stop.is_set():
        tick()
        stop.wait(seconds)


def enqueue_once() -> None:
    """Enqueue the periodic jobs; a database problem is logged and tried again next time."""
    from django.db import DatabaseError

    from secondstory.notify.tasks import enqueue_periodic

    try:
        enqueue_periodic()
    except DatabaseError as exc:
        logging.getLogger("secondstory.notify").warning(
            "could not enqueue periodic jobs (tried again later): %s", exc
        )


def _scheduler_thread(stop: threading.Event, seconds: float) -> None:
    from django.db import close_old_connections, connection

    def tick() -> None:
        enqueue_once()
        close_old_connections()

    try:
        schedule_periodic(stop, seconds, tick)
    finally:
        connection.close()
