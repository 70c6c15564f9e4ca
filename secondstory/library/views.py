"""The search page (a query box, ranked results with highlighted snippets, facets and pages)
and the similar-incidents panel of a postmortem's page, re-fetched while it is written."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from secondstory.accounts.models import User
from secondstory.core.search.query import MAX_QUERY, QueryError, parse
from secondstory.library.ask import QuestionError, ask
from secondstory.library.search import facets, matcher, search
from secondstory.postmortems.access import is_htmx, postmortem_for_reader

FACET_HEADINGS = {
    "service": "Service",
    "team": "Team",
    "severity": "Severity",
    "factor": "Factor category",
    "year": "Year",
    "status": "Status",
    "exercise": "Game day exercise",
}


def _page_number(raw: str | None) -> int:
    try:
        return max(1, int(raw or "1"))
    except ValueError:
        return 1


@require_GET
def search_page(request: HttpRequest) -> HttpResponse:
    assert isinstance(request.user, User)
    text = request.GET.get("q", "")[:MAX_QUERY]
    context: dict[str, object] = {"q": text, "max_query": MAX_QUERY}
    status = 200
    if text.strip():
        try:
            results = search(
                text,
                user=request.user,
                page=_page_number(request.GET.get("page")),
                with_facets=False,
            )
        except QueryError as exc:
            context["error"] = str(exc)
            status = 400
        else:
            context["results"] = results
            context["query_prefix"] = urlencode({"q": text}) + "&"
    return render(request, "library/search.html", context, status=status)


@require_GET
def ask_page(request: HttpRequest) -> HttpResponse:
    """Ask the library: the best postmortems the reader may read, with the passages."""
    assert isinstance(request.user, User)
    text = request.GET.get("q", "")[:MAX_QUERY]
    context: dict[str, object] = {"q": text, "max_query": MAX_QUERY}
    status = 200
    if text.strip():
        try:
            answer = ask(text, user=request.user)
        except (QuestionError, QueryError) as exc:
            context["error"] = str(exc)
            status = 400
        else:
            context["answer"] = answer
            context["search_prefix"] = urlencode({"q": answer.query})
    return render(request, "library/ask.html", context, status=status)


@require_GET
def search_facets(request: HttpRequest) -> HttpResponse:
    """The facet counts of a search (the search page loads them after its results)."""
    assert isinstance(request.user, User)
    text = request.GET.get("q", "")[:MAX_QUERY]
    try:
        query = parse(text)
        counted = facets(matcher(query, request.user), query)
    except QueryError as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
    context = {
        "facets": [
            (name, FACET_HEADINGS[name], values) for name, values in counted.items() if values
        ]
    }
    return render(request, "library/_facets.html", context)


@require_GET
def similar_panel(request: HttpRequest, key: str) -> HttpResponse:
    """The "Similar past incidents" panel alone, as the postmortem's page shows it.

    The panel fetches it again (htmx) each time a save on the page changes what similarity
    uses, so the list follows a draft as it is written; the page itself shows only a
    placeholder that fetches the panel once loaded, so a page view does not compute it.
    Reading needs the same access as the postmortem's page (404 otherwise); without htmx
    it is the panel on a page of its own, with a link back to the postmortem.
    """
    postmortem = postmortem_for_reader(request, key)
    if not is_htmx(request):
        return render(request, "library/similar_page.html", {"postmortem": postmortem})
    return render(request, "library/_similar.html", {"postmortem": postmortem})
