"""The search query language, as plain data (no Django)."""

from secondstory.core.search.query import (
    FIELDS,
    Filter,
    Query,
    QueryError,
    Term,
    parse,
    render,
)

__all__ = ["FIELDS", "Filter", "Query", "QueryError", "Term", "parse", "render"]
