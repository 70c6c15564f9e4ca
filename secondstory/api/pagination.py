"""One pagination convention for every list: ``page`` (from 1) and ``limit`` (1–100).

A list answers ``{"count", "page", "limit", "next", "previous", "items"}``; ``next`` and
``previous`` are full URLs (the same query with another page) or null.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Schema

MAX_LIMIT = 100
DEFAULT_LIMIT = 50
MAX_PAGE = 100_000

T = TypeVar("T")


class PageQuery(Schema):
    page: int = Field(1, ge=1, le=MAX_PAGE, description="Page number, from 1.")
    limit: int = Field(
        DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Items per page (at most 100)."
    )


class Page(Schema, Generic[T]):
    count: int = Field(description="How many items match, on every page.")
    page: int
    limit: int
    next: str | None = Field(description="URL of the next page, or null on the last.")
    previous: str | None = Field(description="URL of the previous page, or null on the first.")
    items: list[T]


def _link(request: HttpRequest, page: int) -> str:
    query = request.GET.copy()
    query["page"] = str(page)
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


def page_of(
    request: HttpRequest,
    rows: QuerySet[Any] | Sequence[Any],
    params: PageQuery,
    serialise: Callable[[Any], Any],
    *,
    count: int | None = None,
) -> dict[str, Any]:
    """One page of ``rows`` (sliced in the database for a queryset), each ``serialise``-d."""
    total = (
        count if count is not None else (rows.count() if isinstance(rows, QuerySet) else len(rows))
    )
    start = (params.page - 1) * params.limit
    window = list(rows[start : start + params.limit])
    return {
        "count": total,
        "page": params.page,
        "limit": params.limit,
        "next": _link(request, params.page + 1) if start + params.limit < total else None,
        "previous": _link(request, params.page - 1) if params.page > 1 else None,
        "items": [serialise(row) for row in window],
    }
