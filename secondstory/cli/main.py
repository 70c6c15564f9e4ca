"""The ``secondstory`` command.

Each command parses its options, calls one service function and prints. Django
is set up only inside the commands that need the database, so pure commands
stay fast and the core never depends on it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from secondstory import __version__
from secondstory.cli.actions import actions
from secondstory.cli.ask import ask_command
from secondstory.cli.audit import audit_command
from secondstory.cli.health import health_command
from secondstory.cli.importing import import_command, parse_command
from secondstory.cli.learning_check import learning_check_command
from secondstory.cli.mcp import mcp_command
from secondstory.cli.notify import remind_command, worker_command
from secondstory.cli.operations import backup_command, restore_command
from secondstory.cli.postmortem_import import import_postmortems
from secondstory.cli.publish import publish_command, publish_site_command
from secondstory.cli.search import reindex_command, search_command
from secondstory.cli.sharing import customer_summary_command
from secondstory.cli.support import UserError, setup_django, with_django
from secondstory.cli.trackers import trackers


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="secondstory")
def cli() -> None:
    """secondstory: self-hosted blameless postmortems.

    Example:

        secondstory demo && secondstory serve
    """


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    help="Worker processes (default: one per core).",
)
@click.option(
    "--threads", default=4, show_default=True, type=click.IntRange(1, 64), help="Per worker."
)
@click.option(
    "--migrate/--no-migrate",
    default=None,
    help="Apply pending migrations first (default: yes on SQLite, no on PostgreSQL).",
)
@with_django
def serve(host: str, port: int, workers: int | None, threads: int, migrate: bool | None) -> None:
    """Serve the web app with a production WSGI server.

    Example:

        secondstory serve --host 0.0.0.0 --port 8080
    """
    from django.db import connection

    from secondstory.lib.server import pending_migrations, run_migrations, serve_wsgi

    if migrate is None:
        migrate = connection.vendor == "sqlite"
    if migrate:
        run_migrations()
    elif pending := pending_migrations():
        raise UserError(
            f"{len(pending)} database migrations are pending ({pending[0]} …); "
            "run `secondstory django migrate` or `secondstory serve --migrate`"
        )
    click.echo(f"secondstory {__version__} serving on http://{host}:{port}/ (Ctrl-C stops)")
    serve_wsgi(host, port, workers, threads)


@cli.command()
@click.option("--scale", type=click.IntRange(1), help="Stream N extra incidents for benchmarks.")
@click.option("--seed", default=7, show_default=True, help="Seed of the generator.")
@click.option(
    "--login/--no-login",
    default=True,
    help="Give one demo person the password demo and print the login.",
)
@with_django
def demo(scale: int | None, seed: int, login: bool) -> None:
    """Load a realistic fictional organisation; running it again changes nothing.

    Example:

        secondstory demo            # about 65 incidents over 18 months
        secondstory demo --scale 100000
    """
    from secondstory.audit.bulk import bulk
    from secondstory.lib.server import run_migrations
    from secondstory.postmortems.demo import load_demo, load_scale

    run_migrations()
    with bulk("demo"):  # one audit event for the whole organisation
        summary = load_scale(scale, seed=seed) if scale else load_demo(seed=seed, login=login)
    click.echo(summary)


@cli.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--all",
    "everything",
    is_flag=True,
    help="Everything a move needs: also people, teams, comments, history (docs/operations.md).",
)
@with_django
def export(directory: Path, everything: bool) -> None:
    """Write every postmortem as one Markdown file to DIRECTORY.

    Example:

        secondstory export ./postmortems
        secondstory export --all ./move   # load it elsewhere with: secondstory load ./move
    """
    if everything:
        from secondstory.cli.operations import export_everything_to

        return export_everything_to(directory)
    from secondstory.postmortems.exchange import export_all

    count = export_all(directory)
    click.echo(f"exported {count} postmortems to {directory}")


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@with_django
def load(paths: tuple[Path, ...]) -> None:
    """Load postmortem Markdown files (or directories of them); loading twice updates.

    Each file is all or nothing: a malformed file is reported with its file,
    line and field, and nothing of it is written.

    Example:

        secondstory load ./postmortems
    """
    from secondstory.audit.bulk import bulk
    from secondstory.cli.operations import load_complete_export
    from secondstory.postmortems.exchange import load_paths

    # One audit event sums up the load, however many rows it writes.
    with bulk("load", object_label=" ".join(str(p) for p in paths)[:200]) as scope:
        if load_complete_export(paths):  # a directory written by `export --all`
            return
        report = load_paths(paths)
        refused = report.count("refused")
        scope.details["files"] = {"loaded": len(report.outcomes) - refused, "refused": refused}
    for line in report.lines():
        click.echo(line, err=line.startswith(("error", "  ")))
    if report.failed:
        raise SystemExit(1)


@cli.command()
@click.argument("username")
@click.option("--email", default="")
@click.option("--name", "display_name", default="", help="Display name.")
@click.option("--staff", is_flag=True, help="An admin who may use the admin site.")
@click.option(
    "--role",
    type=click.Choice(["admin", "responder", "viewer"]),
    default=None,
    help="Organisation role (default: admin with --staff, else responder).",
)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_django
def createuser(
    username: str,
    email: str,
    display_name: str,
    staff: bool,
    role: str | None,
    password_stdin: bool,
) -> None:
    """Create a person who can sign in.

    Example:

        echo 's3cret-pass' | secondstory createuser dana --name "Dana Reyes" --password-stdin
        secondstory createuser nina --role viewer
    """
    from secondstory.accounts.services import create_user

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if not password:
        raise UserError("the password is empty")
    user = create_user(
        username,
        password=password,
        display_name=display_name,
        email=email,
        staff=staff,
        role=role,
    )
    click.echo(f"created {user.username} ({user.role}{', staff' if staff else ''})")


@cli.command()
@click.option("--strict", is_flag=True, help="Exit 2 when there are warnings (and no failures).")
@click.option("--quick", is_flag=True, help="Do not compare every search document's content.")
@click.option(
    "--repair",
    is_flag=True,
    help="Recompute the insights' kept rows (and put back their triggers) when they are off.",
)
@with_django
def check(strict: bool, quick: bool, repair: bool) -> None:
    """Check the configuration, the database, the search index, the insights'
    kept rows and backups.

    Exit status: 0 no failures (warnings may be printed), 1 at least one check
    failed, 2 only warnings and --strict. See docs/operations.md.

    Example:

        SECONDSTORY_DATABASE_URL=postgres://app@db/secondstory secondstory check
        secondstory check --repair   # recompute kept insights rows that are off
    """
    from secondstory.cli.operations import print_report
    from secondstory.lib.health import health_report

    failures, warnings = print_report(list(health_report(quick=quick, repair=repair)))
    if failures:
        raise SystemExit(1)
    if warnings and strict:
        raise SystemExit(2)


class ReviewUsageError(UserError):
    """A usage or read error of ``secondstory review``: one line, exit status 2."""

    exit_code = 2


@cli.command()
@click.argument("paths", nargs=-1, metavar="PATH... | -")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "jsonl", "sarif"]),
    default="text",
    show_default=True,
)
@click.option("--preset", default=None, help="Rule preset (default, strict); default: default.")
@click.option("--disable", multiple=True, metavar="RULE", help="Turn a rule off (repeatable).")
@click.option(
    "--names-file",
    metavar="FILE",
    help="People and team names, one a line; they count as people.",
)
@click.option(
    "--fail-on",
    type=click.Choice(["blame", "hindsight", "tone", "never"]),
    default="blame",
    show_default=True,
    help="Exit 1 when a finding at or above this severity exists.",
)
def review(
    paths: tuple[str, ...],
    output_format: str,
    preset: str | None,
    disable: tuple[str, ...],
    names_file: str | None,
    fail_on: str,
) -> None:
    """Flag blame and hindsight language in postmortem Markdown files.

    Directories are searched for *.md; - reads standard input. Exit status: 1
    when a finding at or above --fail-on exists, 0 otherwise, 2 on usage or
    read errors.

    Example:

        secondstory review postmortems/ --format jsonl --fail-on hindsight
    """
    from secondstory.cli import review as review_cli

    try:
        files = review_cli.markdown_files(paths)
        stdin = sys.stdin.buffer.read() if review_cli.STDIN in files else None
        documents = [review_cli.read_document(path, stdin) for path in files]
        names = review_cli.read_names_file(names_file) if names_file else ()
        options = review_cli.ReviewOptions(output_format, preset, disable, names, fail_on)
        outcome = review_cli.run_review(documents, options)
    except review_cli.ReviewInputError as exc:
        raise ReviewUsageError(str(exc)) from exc
    click.echo(outcome.output, nl=False)
    if outcome.status:
        raise SystemExit(outcome.status)


@cli.command(
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
    add_help_option=False,
)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def django(args: tuple[str, ...]) -> None:
    """Run a Django management command.

    Example:

        secondstory django migrate
    """
    setup_django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["secondstory django", *args])


cli.add_command(parse_command)
cli.add_command(import_command)
cli.add_command(import_postmortems)
cli.add_command(actions)
actions.add_command(remind_command, "remind")
cli.add_command(worker_command, "worker")
cli.add_command(trackers)
cli.add_command(customer_summary_command)
cli.add_command(publish_site_command)
cli.add_command(publish_command)
cli.add_command(search_command, "search")
cli.add_command(reindex_command, "reindex")
cli.add_command(ask_command, "ask")
cli.add_command(mcp_command, "mcp")
cli.add_command(backup_command)
cli.add_command(restore_command)
cli.add_command(health_command)
cli.add_command(learning_check_command)
cli.add_command(audit_command)


def main() -> None:
    try:
        cli.main(standalone_mode=True)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
    except Exception as exc:  # never show a traceback to a user
        if os.environ.get("SECONDSTORY_DEBUG"):
            raise
        click.echo(f"error: {type(exc).__name__}: {exc}", err=True)
        click.echo("(set SECONDSTORY_DEBUG=1 to see the details)", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
