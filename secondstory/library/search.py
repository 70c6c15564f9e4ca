"""Full-text search over the search documents, the same query language on SQLite and PostgreSQL.

``search(text, user=...)`` parses the query, keeps only postmortems ``user`` may
read (everything when ``user`` is None, for operators), applies the field
filters, matches the words and phrases in the full-text index, ranks (BM25 on
SQLite, ts_rank on PostgreSQL; title and summary weigh most, then factors,
action items and labels, then the narrative, then the timeline), and returns
one page of hits with highlighted snippets plus facet counts over every
visible match.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any

from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from secondstory.accounts.models import User
from secondstory.core.search.query import Filter, Query, QueryError, Term, add_filter, parse
from secondstory.core.search.query import render as render_query
from secondstory.incidents.models import Incident
from secondstory.library.index import MARK_CLOSE, MARK_OPEN
from secondstory.postmortems.models import ContributingFactor, FactorCategory, Postmortem
from secondstory.postmortems.services import visible_postmortems

PER_PAGE = 20
FACET_SIZE = 10
#: BM25 weights of the FTS5 columns: title, summary, factors, actions, labels, narrative, timeline.
SQLITE_WEIGHTS = (10.0, 8.0, 5.0, 4.0, 4.0, 2.0, 1.0)
FACETS = ("service", "team", "severity", "factor", "year", "status")
STATUSES = {code: name for code, name in Postmortem.STATUS_CHOICES}


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


# ---- field filters ----------------------------------------------------------------------


def _incident_filter(f: Filter) -> Q:
    v = f.value
    if f.name == "service":
        return Q(services__slug__iexact=v) | Q(services__name__iexact=v)
    if f.name == "team":
        return Q(teams__slug__iexact=v) | Q(teams__name__iexact=v)
    if f.name == "tag":
        return Q(tags__slug__iexact=v)
    return Q(severity__code__iexact=v) | Q(severity__name__iexact=v)


def _condition(f: Filter) -> Q:
    # Uncorrelated ``pk IN (...)`` subqueries: the database computes each set once.
    if f.name in ("service", "team", "tag", "severity"):
        incidents = Incident.objects.filter(_incident_filter(f)).values("pk")
        links = Postmortem.incidents.through.objects.filter(incident_id__in=incidents)
        return Q(pk__in=links.values("postmortem_id"))
    if f.name == "factor":
        wanted = f.value.replace(" ", "_")
        categories = FactorCategory.objects.filter(
            Q(code__iexact=wanted) | Q(name__iexact=f.value)
        ).values("pk")
        factors = ContributingFactor.objects.filter(category_id__in=categories)
        return Q(pk__in=factors.values("postmortem_id"))
    if f.name == "status":
        code = f.value.lower().replace(" ", "_")
        if code not in STATUSES:
            known = ", ".join(STATUSES)
            raise QueryError(f"status: {f.value!r} is not a status (one of: {known})")
        return Q(status=code)
    assert f.day is not None
    moment = timezone.make_aware(datetime.combine(f.day, time.min))
    return Q(created_at__gte=moment) if f.name == "after" else Q(created_at__lt=moment)


def apply_filters(queryset: QuerySet[Postmortem], query: Query) -> QuerySet[Postmortem]:
    for f in query.filters:
        condition = _condition(f)
        queryset = queryset.exclude(condition) if f.negated else queryset.filter(condition)
    return queryset


# ---- full-text matching, per database ------------------------------------------------------


def _fts_expression(terms: tuple[Term, ...], joiner: str) -> str:
    return f" {joiner} ".join('"' + term.text.replace('"', '""') + '"' for term in terms)


def _tsquery(terms: tuple[Term, ...], joiner: str) -> tuple[str, list[str]]:
    sql = f" {joiner} ".join("phraseto_tsquery('secondstory', %s)" for _ in terms)
    return f"({sql})", [term.text for term in terms]


def _matching_sql(query: Query) -> tuple[str, list[str]] | None:
    """SQL selecting the postmortem ids whose text matches, or None when any text matches."""
    if not query.terms:
        return None
    conditions: list[str] = []
    params: list[str] = []
    if connection.vendor == "postgresql":
        if query.positive:
            sql, p = _tsquery(query.positive, "&&")
            conditions.append(f"d.vector @@ {sql}")
            params += p
        if query.excluded:
            sql, p = _tsquery(query.excluded, "||")
            conditions.append(f"NOT d.vector @@ {sql}")
            params += p
    else:
        fts = "SELECT rowid FROM library_search_fts WHERE library_search_fts MATCH %s"
        if query.positive:
            conditions.append(f"d.id IN ({fts})")
            params.append(_fts_expression(query.positive, "AND"))
        if query.excluded:
            conditions.append(f"d.id NOT IN ({fts})")
            params.append(_fts_expression(query.excluded, "OR"))
    where = " AND ".join(conditions)
    return f"SELECT d.postmortem_id FROM library_searchdocument d WHERE {where}", params


def _fts_count(query: Query) -> int:
    """How many documents match, straight from the index (no visibility, no filters)."""
    sql, params = _matching_sql(query) or ("", [])
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM ({sql}) AS matches", params)
        row = cursor.fetchone()
    return int(row[0])


def _ranked_ids(
    query: Query, candidates: QuerySet[Postmortem] | None, limit: int, offset: int
) -> list[tuple[int, float]]:
    """(postmortem id, rank) of one page of the best matches among ``candidates`` (None: all)."""
    within, within_params = "", []
    if candidates is not None:
        subquery, subparams = candidates.order_by().values("pk").query.sql_with_params()
        within, within_params = f" AND d.postmortem_id IN ({subquery})", list(subparams)
    if connection.vendor == "postgresql":
        tsq, params = _tsquery(query.positive, "&&")
        sql = (
            f"SELECT d.postmortem_id, ts_rank(d.vector, {tsq}) AS rank "
            f"FROM library_searchdocument d WHERE d.vector @@ {tsq}"
        )
        all_params: list[Any] = [*params, *params]
        if query.excluded:
            excluded, more = _tsquery(query.excluded, "||")
            sql += f" AND NOT d.vector @@ {excluded}"
            all_params += more
    else:
        weights = ", ".join(str(w) for w in SQLITE_WEIGHTS)
        sql = (
            f"SELECT d.postmortem_id, -bm25(library_search_fts, {weights}) AS rank "
            "FROM library_search_fts JOIN library_searchdocument d "
            "ON d.id = library_search_fts.rowid WHERE library_search_fts MATCH %s"
        )
        all_params = [_fts_expression(query.positive, "AND")]
        if query.excluded:
            sql += (
                " AND d.id NOT IN (SELECT rowid FROM library_search_fts "
                "WHERE library_search_fts MATCH %s)"
            )
            all_params.append(_fts_expression(query.excluded, "OR"))
    sql += f"{within} ORDER BY rank DESC, d.postmortem_id LIMIT %s OFFSET %s"
    with connection.cursor() as cursor:
        cursor.execute(sql, [*all_params, *within_params, limit, offset])
        return [(int(pk), float(rank)) for pk, rank in cursor.fetchall()]


def _snippets(query: Query, ids: list[int]) -> dict[int, str]:
    """Raw snippet text (highlights between the mark characters) per postmortem id."""
    if not ids or not query.positive:
        return {}
    marks = [ids]
    if connection.vendor == "postgresql":
        tsq, params = _tsquery(query.positive, "&&")
        text = "summary || ' … ' || factors || ' … ' || actions || ' … ' || narrative"
        text += " || ' … ' || timeline || ' … ' || labels"
        options = (
            f"StartSel={MARK_OPEN}, StopSel={MARK_CLOSE}, MaxWords=30, MinWords=12, "
            'MaxFragments=2, FragmentDelimiter=" … "'
        )
        sql = (
            f"SELECT postmortem_id, ts_headline('secondstory', {text}, {tsq}, %s) "
            "FROM library_searchdocument WHERE postmortem_id = ANY(%s)"
        )
        all_params: list[Any] = [*params, options, *marks]
    else:
        sql = (
            "SELECT d.postmortem_id, snippet(library_search_fts, -1, %s, %s, ' … ', 24) "
            "FROM library_search_fts JOIN library_searchdocument d "
            "ON d.id = library_search_fts.rowid "
            f"WHERE library_search_fts MATCH %s AND d.postmortem_id IN "
            f"({', '.join('%s' for _ in ids)})"
        )
        all_params = [MARK_OPEN, MARK_CLOSE, _fts_expression(query.positive, "AND"), *ids]
    with connection.cursor() as cursor:
        cursor.execute(sql, all_params)
        return {int(pk): text for pk, text in cursor.fetchall()}


def highlight(raw: str) -> SafeString:
    """HTML-escape ``raw`` and turn the mark characters into <mark> elements."""
    escaped = html.escape(" ".join(raw.split()))
    # The text is escaped above; only <mark> elements are added.
    return mark_safe(escaped.replace(MARK_OPEN, "<mark>").replace(MARK_CLOSE, "</mark>"))


def _plain_snippet(postmortem: Postmortem) -> SafeString:
    text = " ".join(postmortem.summary.split())
    return highlight(text[:240] + ("…" if len(text) > 240 else ""))


# ---- facets ------------------------------------------------------------------------------


def _facet_rows(matching: QuerySet[Postmortem], name: str) -> list[tuple[str, str, int]]:
    paths = {
        "service": ("incidents__services__slug", "incidents__services__name"),
        "team": ("incidents__teams__slug", "incidents__teams__name"),
        "severity": ("incidents__severity__code", "incidents__severity__code"),
        "factor": ("factors__category__code", "factors__category__name"),
    }
    base = matching.order_by()
    if name == "year":
        rows = (
            base.annotate(facet=ExtractYear("created_at"))
            .values("facet")
            .annotate(n=Count("pk", distinct=True))
        )
        return [(str(r["facet"]), str(r["facet"]), r["n"]) for r in rows]
    if name == "status":
        rows = base.values("status").annotate(n=Count("pk", distinct=True))
        return [(r["status"], STATUSES.get(r["status"], r["status"]), r["n"]) for r in rows]
    value, label = paths[name]
    rows = base.filter(**{f"{value}__isnull": False}).values(value, label)
    rows = rows.annotate(n=Count("pk", distinct=True))
    return [(r[value], r[label], r["n"]) for r in rows]


def facets(matching: QuerySet[Postmortem], query: Query) -> dict[str, list[FacetValue]]:
    result: dict[str, list[FacetValue]] = {}
    for name in FACETS:
        rows = _facet_rows(matching, name)
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


def candidates_for(user: User | None) -> QuerySet[Postmortem]:
    return Postmortem.objects.all() if user is None else visible_postmortems(user)


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
    candidates = apply_filters(candidates_for(user), query)
    matched = _matching_sql(query)
    if matched is not None:
        sql, params = matched
        matching = candidates.filter(pk__in=RawSQL(sql, params))
    else:
        matching = candidates
    unrestricted = user is None and not query.filters
    total = _fts_count(query) if unrestricted and query.positive else matching.count()
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, page), pages)
    offset = (page - 1) * per_page
    if query.positive:
        # For a person, restricting to ``matching`` lets the database check visibility
        # only for the rows that match the words; filters alone are cheap sets.
        within = None if unrestricted else candidates if user is None else matching
        ranked = _ranked_ids(query, within, per_page, offset)
    else:
        ordered = matching.order_by("-created_at", "key").values_list("pk", flat=True)
        ranked = [(pk, 0.0) for pk in ordered[offset : offset + per_page]]
    ids = [pk for pk, _ in ranked]
    rows = Postmortem.objects.in_bulk(ids)
    snippets = _snippets(query, ids)
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
        facets=facets(matching, query) if with_facets else {},
    )
