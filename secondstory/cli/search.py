"""``secondstory search`` and ``secondstory reindex``: the full-text index from the command line."""

from __future__ import annotations

import json

import click

from secondstory.cli.support import UserError, with_django

MAX_LIMIT = 1000


@click.command("search")
@click.argument("query", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@click.option(
    "--limit",
    default=20,
    show_default=True,
    type=click.IntRange(1, MAX_LIMIT),
    help="How many results to print.",
)
@click.option(
    "--as",
    "as_user",
    metavar="USERNAME",
    default="",
    help="Show only what this person may read (default: everything).",
)
@with_django
def search_command(query: tuple[str, ...], as_json: bool, limit: int, as_user: str) -> None:
    """Search every postmortem: words, "phrases", -exclusions and filters.

    Filters: service: team: tag: severity: factor: status: after: before:
    exercise:yes|no (e.g. service:checkout factor:"config change" after:2025-01
    -exercise:yes). Quote the whole query for your shell.

    Example:

        secondstory search 'pool "config change" service:checkout' --limit 5
    """
    from secondstory.accounts.models import User
    from secondstory.core.search.query import QueryError
    from secondstory.library.search import search

    user = None
    if as_user:
        user = User.objects.filter(username=as_user).first()
        if user is None:
            raise UserError(f"--as: no user named {as_user!r}")
    text = " ".join(query)
    try:
        results = search(text, user=user, per_page=limit, with_facets=as_json)
    except QueryError as exc:
        raise UserError(f"query: {exc}") from exc
    if as_json:
        click.echo(json.dumps(_as_data(results), indent=2, ensure_ascii=False))
        return
    if not results.hits:
        click.echo(f"no postmortem matches {results.text!r}")
        return
    for hit in results.hits:
        pm = hit.postmortem
        exercise = "  [exercise]" if pm.is_exercise else ""
        click.echo(f"{pm.key}  {pm.title}  [{pm.status}, {pm.created_at:%Y-%m-%d}]{exercise}")
        snippet = _plain(str(hit.snippet))
        if snippet:
            click.echo(f"    {snippet}")
    shown = len(results.hits)
    click.echo(f"{shown} of {results.total} result{'s' if results.total != 1 else ''}")


def _plain(snippet: str) -> str:
    import html

    text = snippet.replace("<mark>", "*").replace("</mark>", "*")
    return html.unescape(text)


def _as_data(results: object) -> dict[str, object]:
    from secondstory.library.search import Results

    assert isinstance(results, Results)
    return {
        "query": results.text,
        "total": results.total,
        "results": [
            {
                "key": hit.postmortem.key,
                "title": hit.postmortem.title,
                "status": hit.postmortem.status,
                "created_at": hit.postmortem.created_at.isoformat(),
                "exercise": hit.postmortem.is_exercise,
                "rank": hit.rank,
                "snippet": str(hit.snippet),
            }
            for hit in results.hits
        ],
        "facets": {
            name: [{"value": f.value, "label": f.label, "count": f.count} for f in values]
            for name, values in results.facets.items()
        },
    }


@click.command("reindex")
@click.option("--batch", default=500, show_default=True, type=click.IntRange(1, 10000))
@with_django
def reindex_command(batch: int) -> None:
    """Rebuild the full-text search index of every postmortem.

    Example:

        secondstory reindex
    """
    from secondstory.library.index import rebuild
    from secondstory.postmortems.models import Postmortem

    total = Postmortem.objects.count()
    with click.progressbar(length=total, label="Indexing postmortems", file=None) as bar:
        written = rebuild(bar.update, batch=batch)
    click.echo(f"indexed {written} postmortem{'s' if written != 1 else ''}")
