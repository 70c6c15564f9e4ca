"""``secondstory customer-summary KEY``: export a postmortem's customer-facing summary."""

from __future__ import annotations

from pathlib import Path

import click

from secondstory.cli.support import UserError, with_django


@click.command("customer-summary")
@click.argument("key")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write the Markdown to this file instead of printing it.",
)
@with_django
def customer_summary_command(key: str, output: Path | None) -> None:
    """Export the customer summary of postmortem KEY as Markdown.

    Only the customer summary is written, never the internal review.

    Example:

        secondstory customer-summary PM-42 -o PM-42-customer-summary.md
    """
    from secondstory.postmortems.models import Postmortem
    from secondstory.sharing.models import CustomerSummary
    from secondstory.sharing.services import customer_summary_markdown

    postmortem = Postmortem.objects.filter(key=key).first()
    if postmortem is None:
        raise UserError(f"KEY: there is no postmortem {key!r}")
    summary = CustomerSummary.objects.filter(postmortem=postmortem).first()
    if summary is None:
        raise UserError(
            f"KEY: postmortem {key} has no customer summary yet "
            f"(write it at /sharing/postmortems/{key}/customer-summary/)"
        )
    text = customer_summary_markdown(postmortem, summary)
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UserError(f"--output: cannot write {output}: {exc.strerror or exc}") from exc
    click.echo(f"Wrote the customer summary of {key} to {output}")
