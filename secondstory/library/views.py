"""The search page: a query box, ranked results with highlighted snippets, facets and pages."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from secondstory.accounts.models import User
from secondstory.core.search.query import MAX_QUERY, QueryError
from secondstory.library.search import search

FACET_HEADINGS = {
    "service": "Service",
    "team": "Team",
    "severity": "Severity",
    "factor": "Factor category",
    "year": "Year",
    "status": "Status",
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
            results = search(text, user=request.user, page=_page_number(request.GET.get("page")))
        except QueryError as exc:
            context["error"] = str(exc)
            status = 400
        else:
            context["results"] = results
            context["facets"] = [
                (name, FACET_HEADINGS[name], values)
                for name, values in results.facets.items()
                if values
            ]
            context["query_prefix"] = urlencode({"q": text}) + "&"
    return render(request, "library/search.html", context, status=status)
