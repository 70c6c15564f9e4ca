"""Full-text search over the search documents, the same query language on SQLite and PostgreSQL.

``search(text, user=...)`` parses the query, turns its field filters and what
``user`` may read (everything when ``user`` is None, for operators) into an
expression over each document's keys, and asks the full-text index for the
words, phrases and keys together (``engine``). It ranks every match from the kept
per-word scores (``ranking``; title and summary weigh most, then factors, action items
and labels, then the narrative, then the timeline; the same on both databases), and
returns one page of hits with highlighted snippets, the exact
number of matches and, on request, facet counts over every visible match.
"""

from __future__ import annotations

import html
import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils.safestring import SafeString, mark_safe

from secondstory.accounts import permissions
from secondstory.accounts.models import Team, User
from secondstory.core.search import keys
from secondstory.core.search.query import Filter, Query, QueryError, add_filter, parse
from secondstory.core.search.query import render as render_query
from secondstory.incidents.models import Service, Severity, Tag
from secondstory.library import engine
from secondstory.library.index import MARK_CLOSE, MARK_OPEN
from secondstory.postmortems.models import FactorCategory, Postmortem

PER_PAGE = 20
FACET_SIZE = 10
FACETS = ("service", "team", "severity", "factor", "year", "status", "exercise")
#: ``exercise:`` values: a game day's review or not (docs/game-days.md).
EXERCISE = {"yes": True, "no": False}
EXERCISE_LABELS = {True: "Exercise", False: "Not an exercise"}
STATUSES = {code: name for code, name in Postmortem.STATUS_CHOICES}


MAX_PAGE = 1_000_000


@dataclass(frozen=True)
class Hit:
    postmortem: Postmortem
    snippet: SafeString
    rank: float


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int
    query: str


@dataclass
class Results:
    query: Query
    text: str
    total: int
    page: int
    pages: int
    hits: list[Hit] = field(default_factory=list)
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)


# ---- filters and visibility as keys ----------------------------------------------------


def _pks(model: Any, condition: Q) -> tuple[int, ...]:
    return tuple(model.objects.filter(condition).values_list("pk", flat=True))


def _clause(f: Filter) -> keys.OneOf:
    """The keys a document needs one of to pass filter ``f`` (dates: see ``key_expression``)."""
    v = f.value
    if f.name == "service":
        found = _pks(Service, Q(slug__iexact=v) | Q(name__iexact=v))
        return keys.OneOf(tuple(keys.service(pk) for pk in found))
    if f.name == "team":
        found = _pks(Team, Q(slug__iexact=v) | Q(name__iexact=v))
        return keys.OneOf(tuple(keys.team(pk) for pk in found))
    if f.name == "tag":
        return keys.OneOf(tuple(keys.tag(pk) for pk in _pks(Tag, Q(slug__iexact=v))))
    if f.name == "severity":
        found = _pks(Severity, Q(code__iexact=v) | Q(name__iexact=v))
        return keys.OneOf(tuple(keys.severity(pk) for pk in found))
    if f.name == "factor":
        wanted = v.replace(" ", "_")
        found = _pks(FactorCategory, Q(code__iexact=wanted) | Q(name__iexact=v))
        return keys.OneOf(tuple(keys.factor(pk) for pk in found))
    if f.name == "status":
        code = keys.status(v.lower().replace(" ", "_"))
        if code is None:
            known = ", ".join(STATUSES)
            raise QueryError(f"status: {f.value!r} is not a status (one of: {known})")
        return keys.OneOf((code,))
    if f.name == "exercise":
        flag = EXERCISE.get(v.lower())
        if flag is None:
            raise QueryError(f"exercise: {f.value!r} is not yes or no")
        return keys.OneOf((keys.exercise(flag),))
    assert f.day is not None
    if f.name == "after":
        return keys.OneOf(tuple(keys.after_tokens(f.day)))
    return keys.OneOf(tuple(keys.before_tokens(f.day)))


def key_expression(query: Query, user: User | None) -> keys.KeyExpression:
    """The query's filters and what ``user`` may read (None: everything), as keys."""
    required: list[keys.OneOf] = []
    excluded: list[keys.OneOf] = []
    for f in query.filters:
        (excluded if f.negated else required).append(_clause(f))  # dates: never negated
    if user is None or permissions.is_admin(user):
        return keys.KeyExpression(tuple(required), tuple(excluded))
    readers = [keys.reader(user.pk)]
    readers += [keys.access_team(pk) for pk in user.teams.values_list("pk", flat=True)]
    return keys.KeyExpression(tuple(required), tuple(excluded), True, tuple(readers))


def matcher(query: Query, user: User | None) -> engine.Match | None:
    """What the index is asked for, or None when the query can match nothing."""
    expression = key_expression(query, user)
    if expression.matches_nothing:
        return None
    return engine.Match(query.positive, query.excluded, expression)


def highlight(raw: str) -> SafeString:
    """HTML-escape ``raw`` and turn the mark characters into <mark> elements."""
    escaped = html.escape(" ".join(raw.split()))
    # The text is escaped above; only <mark> elements are added.
    return mark_safe(escaped.replace(MARK_OPEN, "<mark>").replace(MARK_CLOSE, "</mark>"))


def _plain_snippet(postmortem: Postmortem) -> SafeString:
    text = " ".join(postmortem.summary.split())
    return highlight(text[:240] + ("…" if len(text) > 240 else ""))


# ---- facets ------------------------------------------------------------------------------


def _labels(name: str, numbers: set[int]) -> dict[int, tuple[str, str]]:
    if name == "year":
        return {n: (str(n), str(n)) for n in numbers}
    if name == "status":
        codes = keys.STATUS_ORDER
        return {n: (codes[n], STATUSES.get(codes[n], codes[n])) for n in numbers if n < len(codes)}
    if name == "exercise":
        shown = {flag: value for value, flag in EXERCISE.items()}
        return {n: (shown[bool(n)], EXERCISE_LABELS[bool(n)]) for n in numbers if n in (0, 1)}
    model, value, label = {
        "service": (Service, "slug", "name"),
        "team": (Team, "slug", "name"),
        "severity": (Severity, "code", "code"),
        "factor": (FactorCategory, "code", "name"),
    }[name]
    rows = model.objects.filter(pk__in=numbers).values_list("pk", value, label)
    return {pk: (shown, text) for pk, shown, text in rows}


def facets(match: engine.Match | None, query: Query) -> dict[str, list[FacetValue]]:
    """Counts per service, team, severity, factor category, year, status and exercise (yes /
    no) of the matches."""
    # A document counts once per value (keys are unique within a document).
    tokens = engine.facet_counts(match) if match is not None else Counter()
    counts: dict[str, Counter[int]] = {name: Counter() for name in FACETS}
    for token, count in tokens.items():
        name = keys.FACETS_BY_PREFIX.get(token[:2])
        if name is not None:
            counts[name][int(token[2:])] = count
    result: dict[str, list[FacetValue]] = {}
    for name in FACETS:
        labels = _labels(name, set(counts[name]))
        rows = [(*labels[n], c) for n, c in counts[name].items() if n in labels]
        if name == "year":
            rows.sort(key=lambda r: r[0], reverse=True)
        else:
            rows.sort(key=lambda r: (-r[2], r[1].lower()))
        values = []
        for value, label, count in rows[:FACET_SIZE]:
            if name == "year":
                extra = add_filter(add_filter(query, "after", value), "before", str(int(value) + 1))
            else:
                extra = add_filter(query, name, value)
            values.append(FacetValue(value, label, count, render_query(extra)))
        result[name] = values
    return result


# ---- the entry point -----------------------------------------------------------------------


def search(
    text: str | Query,
    *,
    user: User | None,
    page: int = 1,
    per_page: int = PER_PAGE,
    with_facets: bool = True,
) -> Results:
    """One page of results for ``text`` as ``user`` sees them (None: everything)."""
    query = parse(text) if isinstance(text, str) else text
    match = matcher(query, user)
    # A page past the last one shows the last one; the bound keeps the offset a database integer.
    page = min(max(1, page), MAX_PAGE)
    ranked: list[tuple[int, float]] = []
    total = 0
    if match is not None and query.positive:
        # Ranking counts the matches as it goes; a page past the last one asks again.
        ranked, total = engine.ranked(match, limit=per_page, offset=(page - 1) * per_page)
        if page > max(1, math.ceil(total / per_page)):
            page = max(1, math.ceil(total / per_page))
            ranked, total = engine.ranked(match, limit=per_page, offset=(page - 1) * per_page)
    elif match is not None:
        total = engine.count(match)
        page = min(page, max(1, math.ceil(total / per_page)))
        offset = (page - 1) * per_page
        ranked = [(pk, 0.0) for pk in engine.newest(match, limit=per_page, offset=offset)]
    pages = max(1, math.ceil(total / per_page))
    ids = [pk for pk, _ in ranked]
    rows = Postmortem.objects.in_bulk(ids)
    snippets = engine.snippets(match, ids) if match is not None else {}
    hits = [
        Hit(
            rows[pk],
            highlight(snippets[pk]) if pk in snippets else _plain_snippet(rows[pk]),
            rank,
        )
        for pk, rank in ranked
        if pk in rows
    ]
    return Results(
        query=query,
        text=render_query(query),
        total=total,
        page=page,
        pages=pages,
        hits=hits,
        facets=facets(match, query) if with_facets else {},
    )
