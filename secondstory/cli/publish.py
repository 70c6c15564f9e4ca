"""``secondstory publish-site``: a static HTML site of published postmortems."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import click

from secondstory.cli.support import UserError, with_django

MAX_TITLE = 200


def _title(ctx: click.Context, param: click.Parameter, value: str) -> str:
    value = " ".join(value.split())
    if not value:
        raise click.BadParameter("the site needs a title")
    if len(value) > MAX_TITLE:
        raise click.BadParameter(f"at most {MAX_TITLE} characters")
    return value


def _base_url(ctx: click.Context, param: click.Parameter, value: str | None) -> str:
    if not value:
        return ""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise click.BadParameter(
            f"{value!r} is not an http(s) URL, e.g. https://postmortems.example.com"
        )
    if parts.query or parts.fragment:
        raise click.BadParameter("a base URL has no ?query or #fragment")
    return value.rstrip("/")


@click.command("publish-site")
@click.argument("directory", metavar="DIR", type=click.Path(file_okay=False, path_type=Path))
@click.option("--roles", is_flag=True, help="Replace people's names with their roles throughout.")
@click.option(
    "--title", default="Postmortems", show_default=True, callback=_title, help="Site title."
)
@click.option(
    "--base-url",
    callback=_base_url,
    help="Where the site will be served; adds canonical links and a sitemap.xml.",
)
@with_django
def publish_site_command(directory: Path, roles: bool, title: str, base_url: str) -> None:
    """Write a static HTML site of published, non-restricted postmortems to DIR.

    The site has an index, one page per postmortem, service and tag pages and a
    search that runs in the browser. It links only to itself, so any static host
    (or opening DIR/index.html from disk) serves it. DIR's contents are replaced.

    Example:

        secondstory publish-site public/ --roles --title "Larkspur postmortems"
    """
    from secondstory.library.site.builder import SiteError, publish_site

    try:
        published = publish_site(directory, title=title, base_url=base_url, roles=roles)
    except SiteError as exc:
        raise UserError(str(exc)) from exc
    except OSError as exc:
        raise UserError(f"DIR: cannot write {directory}: {exc.strerror or exc}") from exc
    click.echo(
        f"wrote {published.postmortems} postmortem{'s' if published.postmortems != 1 else ''} "
        f"({published.pages} pages) to {published.directory}; open index.html"
    )


@click.command("publish")
@click.argument("key")
@click.option(
    "--as",
    "as_user",
    required=True,
    metavar="USERNAME",
    help="Who publishes: the postmortem's owner, its facilitator or an admin.",
)
@click.option("--yes", "-y", is_flag=True, help="Publish without asking for confirmation.")
@with_django
def publish_command(key: str, as_user: str, yes: bool) -> None:
    """Publish the approved postmortem KEY, as the web page's Publish button does.

    Says what the blameless review still holds against it (SECONDSTORY_REVIEW_GATE) and
    who will be notified, then asks for confirmation.

    Example:

        secondstory publish PM-42 --as dana
    """
    from django.core.exceptions import ValidationError
    from django.db import transaction

    from secondstory.accounts import permissions
    from secondstory.accounts.models import User
    from secondstory.postmortems.models import Postmortem
    from secondstory.postmortems.publish_gate import notified_on_publish, review_gate
    from secondstory.postmortems.revisions import record_revision
    from secondstory.postmortems.services import transition

    postmortem = Postmortem.objects.filter(key=key).first()
    if postmortem is None:
        raise UserError(f"KEY: there is no postmortem {key!r}")
    user = User.objects.filter(username=as_user, is_active=True).first()
    if user is None:
        raise UserError(f"--as: there is no active user {as_user!r}")
    if not (
        permissions.may_read(user, postmortem) and permissions.may(user, "publish", postmortem)
    ):
        raise UserError(
            f"--as: {as_user} may not publish {key} (its owner, facilitator or an admin may)"
        )
    gate = review_gate(postmortem)
    for problem in gate.problems:
        label = "blocked" if gate.blocks else "warning"
        click.echo(f"{label}: {problem}")
    if gate.blocks:
        raise UserError(f"{key} was not published: the review holds it back (see above)")
    people = notified_on_publish(postmortem)
    if people:
        names = ", ".join(person.name for person in people)
        click.echo(f"The next publication digest of {len(people)} will list it: {names}.")
    else:
        click.echo("Nobody follows its teams, services or tags: no one will be notified.")
    if not yes and not click.confirm(f"Publish {key}?", default=False):
        raise UserError(f"{key} was not published")
    try:
        with transaction.atomic():
            transition(postmortem, "published", by=user)
            record_revision(postmortem, author=user, summary="Moved to Published")
    except ValidationError as error:
        raise UserError(f"{key} was not published: {'; '.join(error.messages)}") from error
    click.echo(f"Published {key}.")
