"""``secondstory learning-check``: a review's or a team's learning-check results.

The same rules as the pages (docs/learning-check.md): a review's results from 3 answers,
a team's or the organisation's only over reviews with 3 answers or more, never per person.
"""

from __future__ import annotations

import json
from datetime import date

import click

from secondstory.cli.support import UserError, with_django


class UsageProblem(UserError):
    """A bad option value: one line, exit status 2."""

    exit_code = 2


def _json(report: dict[str, object]) -> str:
    def default(value: object) -> str:
        if isinstance(value, date):  # datetimes too
            return value.isoformat()
        raise TypeError(type(value).__name__)

    return json.dumps(report, indent=2, default=default) + "\n"


@click.command("learning-check")
@click.option("--postmortem", metavar="KEY", help="One review's learning check (e.g. PM-0007).")
@click.option("--team", metavar="T", help="A team's reviews (by slug); the organisation without.")
@click.option("--from", "start", metavar="YYYY-MM-DD", help="First day (default: a year ago).")
@click.option("--to", "end", metavar="YYYY-MM-DD", help="Last day (default: today).")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@with_django
def learning_check_command(
    postmortem: str | None, team: str | None, start: str | None, end: str | None, fmt: str
) -> None:
    """Print learning-check results: of one review, or of a team's or the organisation's
    reviews whose check opened in a range. Results are shown from 3 answers only, and a
    range counts only the reviews with 3 answers or more.

    Example:

        secondstory learning-check --postmortem PM-0007

        secondstory learning-check --team payments --format json
    """
    from django.utils import timezone

    from secondstory.accounts.models import Team
    from secondstory.insights.scope import ScopeError, date_range
    from secondstory.learningcheck import reports, services
    from secondstory.postmortems.models import Postmortem

    if postmortem is not None:
        if team is not None or start is not None or end is not None:
            raise UsageProblem("--postmortem: give it alone, without --team, --from or --to")
        found = Postmortem.objects.filter(key=postmortem).first()
        if found is None:
            raise UsageProblem(f"--postmortem: no postmortem {postmortem!r}")
        survey = services.survey_of(found)
        if survey is None:
            raise UserError(f"the learning check of {found.key} has not been opened")
        report = reports.review_report(survey)
        click.echo(_json(report) if fmt == "json" else reports.review_text(report), nl=False)
        return
    chosen = None
    if team is not None:
        chosen = Team.objects.filter(slug=team).first()
        if chosen is None:
            raise UsageProblem(f"--team: no team {team!r}")
    try:
        span = date_range({"from": start or "", "to": end or ""}, timezone.localdate())
    except ScopeError as error:
        raise UsageProblem(f"--{error}") from None
    report = reports.scope_report(span, chosen)
    click.echo(_json(report) if fmt == "json" else reports.scope_text(report), nl=False)
