"""``secondstory ask``: ask the library a question from the command line."""

from __future__ import annotations

import html
import json

import click

from secondstory.cli.support import UserError, with_django


@click.command("ask")
@click.argument("question", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print the answer as JSON.")
@click.option(
    "--limit",
    default=5,
    show_default=True,
    type=click.IntRange(1, 50),
    help="How many postmortems to answer with.",
)
@click.option(
    "--as",
    "as_user",
    metavar="USERNAME",
    default="",
    help="Answer only from what this person may read (default: everything).",
)
@with_django
def ask_command(question: tuple[str, ...], as_json: bool, limit: int, as_user: str) -> None:
    """Ask the library a question; answers with the passages that match, and links.

    Question words and common words are left out; service and team names become
    filters. Quote the question for your shell.

    Example:

        secondstory ask "has checkout ever timed out after a deploy?"
    """
    from secondstory.accounts.models import User
    from secondstory.core.search.query import QueryError
    from secondstory.lib.site import absolute
    from secondstory.library.ask import QuestionError, ask

    user = None
    if as_user:
        user = User.objects.filter(username=as_user).first()
        if user is None:
            raise UserError(f"--as: no user named {as_user!r}")
    text = " ".join(question)
    try:
        answer = ask(text, user=user, limit=limit)
    except (QuestionError, QueryError) as exc:
        raise UserError(f"question: {exc}") from exc
    if as_json:
        data = {
            "question": answer.question,
            "query": answer.query,
            "total": answer.total,
            "sources": [
                {
                    "key": s.key,
                    "title": s.title,
                    "status": s.status,
                    "url": absolute(s.url),
                    "rank": s.rank,
                    "exercise": s.exercise,
                    "passages": [
                        {
                            "kind": p.kind,
                            "label": p.label,
                            "text": p.text,
                            "html": str(p.html),
                            "url": absolute(p.url),
                        }
                        for p in s.passages
                    ],
                }
                for s in answer.sources
            ],
        }
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    if not answer.sources:
        click.echo("no postmortem answers this question; try other words")
        return
    click.echo(f"Searched for: {answer.query}  ({answer.total} matching)")
    for source in answer.sources:
        exercise = "  [exercise]" if source.exercise else ""
        click.echo(f"\n{source.key}  {source.title}  [{source.status}]{exercise}")
        click.echo(f"  {absolute(source.url)}")
        for p in source.passages:
            marked = str(p.html).replace("<mark>", "*").replace("</mark>", "*")
            click.echo(f"  - {p.label}: {html.unescape(marked)}")
            click.echo(f"    {absolute(p.url)}")
