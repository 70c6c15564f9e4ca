"""``/api/search`` and ``/api/postmortems/{key}/similar``: the library, as the caller sees it.

Both need ``library:read``. Search takes the search page's query language (``q``) and never
returns a postmortem the caller may not read; similar incidents are computed for a postmortem
the caller reads (404 otherwise) among the ones they read.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from secondstory.api.auth import scoped, user_of
from secondstory.api.errors import COMMON, WRITES, ApiError
from secondstory.api.pagination import MAX_LIMIT, Page, PageQuery
from secondstory.api.postmortems import postmortem_for
from secondstory.core.search.query import MAX_QUERY, QueryError
from secondstory.library.search import search
from secondstory.library.similar import similar_postmortems

router = Router(tags=["library"])
READ = scoped("library", "read")
_TAGS = re.compile(r"<[^>]*>")


class Hit(Schema):
    key: str
    title: str
    status: str
    snippet: str = Field(description="Matching text; the matched words between « and ».")
    rank: float
    exercise: bool = Field(description="A game day's review, not a real incident's postmortem.")


class SearchQuery(PageQuery):
    q: str = Field(min_length=1, max_length=MAX_QUERY, description="As on the search page.")


class SimilarOut(Schema):
    key: str
    title: str
    status: str
    created_at: datetime
    score: float
    reason: str
    categories: list[str]
    services: list[str]
    tags: list[str]
    terms: list[str]
    exercise: bool = Field(description="A game day's review, not a real incident's postmortem.")


def plain_snippet(snippet: str) -> str:
    marked = snippet.replace("<mark>", "«").replace("</mark>", "»")
    text = _TAGS.sub("", marked)
    return (
        text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", '"')
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
    )


@router.get("/search", response={200: Page[Hit], **WRITES}, auth=READ, summary="Search postmortems")
def search_postmortems(request: HttpRequest, params: Query[SearchQuery]) -> dict[str, Any]:
    """Ranked hits among the postmortems the caller may read (every match is ranked, as on
    the search page)."""
    if not params.q.strip():
        raise ApiError(400, "q: type something to search for", field="q")
    try:
        results = search(
            params.q,
            user=user_of(request),
            page=params.page,
            per_page=params.limit,
            with_facets=False,
        )
    except QueryError as error:
        raise ApiError(400, f"q: {error}", field="q") from None
    past_end = params.page > results.pages
    items = (
        []
        if past_end
        else [
            {
                "key": hit.postmortem.key,
                "title": hit.postmortem.title,
                "status": hit.postmortem.status,
                "snippet": plain_snippet(str(hit.snippet)),
                "rank": hit.rank,
                "exercise": hit.postmortem.is_exercise,
            }
            for hit in results.hits
        ]
    )
    more = not past_end and params.page < results.pages
    query = request.GET.copy()

    def link(page: int) -> str:
        query["page"] = str(page)
        return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")

    return {
        "count": results.total,
        "page": params.page,
        "limit": params.limit,
        "next": link(params.page + 1) if more else None,
        "previous": link(params.page - 1) if params.page > 1 else None,
        "items": items,
    }


@router.get(
    "/postmortems/{key}/similar",
    response={200: list[SimilarOut], **COMMON},
    auth=READ,
    summary="Similar past incidents",
)
def similar(
    request: HttpRequest,
    key: str,
    limit: int = Query(5, ge=1, le=MAX_LIMIT),  # type: ignore[type-arg]
) -> list[dict[str, Any]]:
    """The past postmortems most like this one, with the reason each was chosen."""
    pm = postmortem_for(request, key)
    return [
        {
            "key": s.key,
            "title": s.title,
            "status": s.status,
            "created_at": s.created_at,
            "score": s.score,
            "reason": s.reason,
            "categories": list(s.categories),
            "services": list(s.services),
            "tags": list(s.tags),
            "terms": list(s.terms),
            "exercise": s.is_exercise,
        }
        for s in similar_postmortems(pm, user_of(request), limit=limit)
    ]
