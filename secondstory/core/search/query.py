"""Parse a search query into a small tree of plain data.

The language::

    pool exhaustion          both words (any order, anywhere in the review)
    "config change"          the exact phrase
    -retry  -"load test"     without this word / phrase
    service:checkout         a field filter; quote values with spaces: factor:"config change"
    -team:payments           without this filter
    after:2025-01 before:2025-07
                             created on or after / strictly before a date (YYYY, YYYY-MM or
                             YYYY-MM-DD; a month or year means its first day)
    exercise:yes             a game day's review (``exercise:no``: any other postmortem)

Unknown field names are errors (``QueryError``) that name the field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

FIELDS: tuple[str, ...] = (
    "service",
    "severity",
    "factor",
    "status",
    "team",
    "tag",
    "after",
    "before",
    "exercise",
)
DATE_FIELDS = frozenset({"after", "before"})
MAX_QUERY = 1000
MAX_PARTS = 40

_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
# Letters and digits; everything else (underscores too) separates words, as in both indexes.
_WORD = re.compile(r"[^\W_]+")


class QueryError(ValueError):
    """The query cannot be understood; the message says which part and why."""


@dataclass(frozen=True)
class Term:
    """A word or a quoted phrase (its words, in order)."""

    words: tuple[str, ...]
    negated: bool = False

    @property
    def is_phrase(self) -> bool:
        return len(self.words) > 1

    @property
    def text(self) -> str:
        return " ".join(self.words)


@dataclass(frozen=True)
class Filter:
    """``name:value``; dates are parsed for ``after`` and ``before``."""

    name: str
    value: str
    negated: bool = False
    day: date | None = None


@dataclass(frozen=True)
class Query:
    terms: tuple[Term, ...] = field(default=())
    filters: tuple[Filter, ...] = field(default=())

    @property
    def positive(self) -> tuple[Term, ...]:
        return tuple(t for t in self.terms if not t.negated)

    @property
    def excluded(self) -> tuple[Term, ...]:
        return tuple(t for t in self.terms if t.negated)

    @property
    def is_empty(self) -> bool:
        return not self.terms and not self.filters


def parse_day(name: str, value: str) -> date:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` as the first day it names."""
    match = _DATE.match(value)
    if match is None:
        raise QueryError(f"{name}: {value!r} is not a date (use YYYY, YYYY-MM or YYYY-MM-DD)")
    year, month, day = (int(g) if g else 1 for g in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        raise QueryError(f"{name}: {value!r} is not a real date") from None


def _words(text: str) -> tuple[str, ...]:
    return tuple(w.lower() for w in _WORD.findall(text))


def _read_value(text: str, pos: int) -> tuple[str, int]:
    """A bare or quoted value starting at ``pos``; returns (value, next position)."""
    if pos < len(text) and text[pos] == '"':
        end = text.find('"', pos + 1)
        if end < 0:
            raise QueryError(f"unclosed quote at character {pos + 1}")
        return text[pos + 1 : end], end + 1
    end = pos
    while end < len(text) and not text[end].isspace():
        end += 1
    return text[pos:end], end


_FIELD = re.compile(r"([A-Za-z_]+):")


def parse(text: str) -> Query:
    """Parse ``text``; raises ``QueryError`` (and nothing else) on bad input."""
    if not isinstance(text, str):
        raise QueryError("the query is not text")
    if len(text) > MAX_QUERY:
        raise QueryError(f"the query is longer than {MAX_QUERY} characters")
    terms: list[Term] = []
    filters: list[Filter] = []
    pos = 0
    while pos < len(text):
        if text[pos].isspace():
            pos += 1
            continue
        negated = text[pos] == "-"
        start = pos + 1 if negated else pos
        named = _FIELD.match(text, start)
        if named is not None:
            value, pos = _read_value(text, named.end())
            filters.append(_filter(named.group(1).lower(), value, negated))
            continue
        token, pos = _read_value(text, start)
        words = _words(token)
        if words:
            terms.append(Term(words, negated))
    if len(terms) + len(filters) > MAX_PARTS:
        raise QueryError(f"the query has more than {MAX_PARTS} parts")
    return Query(tuple(terms), tuple(filters))


def _filter(name: str, value: str, negated: bool) -> Filter:
    if name not in FIELDS:
        known = ", ".join(FIELDS)
        raise QueryError(f"unknown field {name!r} (known fields: {known})")
    value = value.strip()
    if not value:
        raise QueryError(f"{name}: needs a value, e.g. {name}:{_example(name)}")
    day = parse_day(name, value) if name in DATE_FIELDS else None
    if day is not None and negated:
        raise QueryError(f"{name}: a date filter cannot be negated")
    return Filter(name, value, negated, day)


def _example(name: str) -> str:
    return {"after": "2025-01", "before": "2025-07", "factor": '"config change"'}.get(
        name, "checkout"
    )


def _quote(value: str) -> str:
    return f'"{value}"' if any(c.isspace() for c in value) or not value else value


def render(query: Query) -> str:
    """The query as text that parses back to the same query."""
    parts: list[str] = []
    for term in query.terms:
        body = f'"{term.text}"' if term.is_phrase else term.text
        parts.append(("-" if term.negated else "") + body)
    for f in query.filters:
        parts.append(("-" if f.negated else "") + f"{f.name}:{_quote(f.value)}")
    return " ".join(parts)


def add_filter(query: Query, name: str, value: str) -> Query:
    """The query with one more filter (used by facet links)."""
    if name not in FIELDS:
        raise QueryError(f"unknown field {name!r}")
    new = Filter(name, value, False, parse_day(name, value) if name in DATE_FIELDS else None)
    if new in query.filters:
        return query
    return Query(query.terms, (*query.filters, new))
