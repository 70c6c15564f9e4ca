"""``secondstory trackers``: list the tracker connections and run a pull sync by hand."""

from __future__ import annotations

import click

from secondstory.cli.support import UserError, with_django


@click.group("trackers")
def trackers() -> None:
    """Issue tracker connections (GitHub, GitLab, Jira Cloud, Linear).

    Example:

        secondstory trackers pull --connection github-checkout
    """


@trackers.command("list")
@with_django
def list_connections() -> None:
    """Each connection: kind, project, whether a token and webhook secret are set.

    Example:

        secondstory trackers list
    """
    from django.urls import reverse

    from secondstory.trackers.models import TrackerConnection

    connections = list(TrackerConnection.objects.all())
    if not connections:
        click.echo("No tracker connections; add one in the admin (Issue trackers).")
        return
    for connection in connections:
        state = "enabled" if connection.enabled else "disabled"
        token = "token set" if connection.has_token else "NO TOKEN"
        secret = "webhook secret set" if connection.has_webhook_secret else "NO WEBHOOK SECRET"
        hook = reverse("trackers:hook", args=[connection.pk])
        click.echo(
            f"{connection.pk}\t{connection.name}\t{connection.kind}\t{connection.project}\t"
            f"{state}\t{token}\t{secret}\twebhook {hook}"
        )


@trackers.command("pull")
@click.option("--connection", "name", default="", help="Only the connection of this name.")
@with_django
def pull(name: str) -> None:
    """Fetch the state of every linked issue now and apply it to its action item.

    Example:

        secondstory trackers pull --connection github-checkout
    """
    from secondstory.trackers.models import TrackerConnection
    from secondstory.trackers.services import pull_sync

    connections = list(TrackerConnection.objects.filter(enabled=True))
    if name:
        connections = [c for c in connections if c.name == name]
        if not connections:
            raise UserError(f"--connection: no enabled tracker connection is named {name!r}")
    report = pull_sync(connections=connections)
    click.echo(
        f"{report.checked} checked, {report.changed} changed, "
        f"{report.failed} failed, {report.skipped} skipped (rate limited)"
    )
