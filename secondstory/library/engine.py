"""The full-text index, per database: count, rank, snippets and keys of the matching documents.

A ``Match`` is the words of a query plus its key expression (filters and the
reader's visibility, see ``secondstory.core.search.keys``). On SQLite it becomes
one FTS5 MATCH expression (words limited to the text columns, keys to the keys
column); on PostgreSQL two tsquery conditions, one on the weighted text vector
and one on the keys vector, each with its GIN index.

Ranking is exact BM25 (SQLite) or ts_rank (PostgreSQL) over the ``window`` most
recently recorded matches: the index's row order is the order postmortems were
first recorded, and both engines find the newest rows cheaply, so a word found
in half the library costs no more to rank than a rare one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection

from secondstory.core.search.keys import KeyExpression
from secondstory.core.search.query import Term
from secondstory.library.index import MARK_CLOSE, MARK_OPEN
from secondstory.library.models import SearchDocument

#: BM25 weights of the FTS5 columns: title, summary, factors, actions, labels, narrative,
#: timeline, keys (filters never count towards relevance).
SQLITE_WEIGHTS = (10.0, 8.0, 5.0, 4.0, 4.0, 2.0, 1.0, 0.0)
TEXT_COLUMNS = "{title summary factors actions labels narrative timeline}"
FTS = "library_search_fts"
LOOKS_LIKE_KEY = re.compile(r"^x[a-z]\d")


@dataclass(frozen=True)
class Match:
    positive: tuple[Term, ...]
    excluded: tuple[Term, ...]
    keys: KeyExpression

    # ---- SQLite --------------------------------------------------------------------------

    def fts5(self) -> str:
        words = None
        if self.positive:
            words = _columns(self.positive, _phrases(self.positive, " AND "))
        expression = self.keys.fts5(words)
        if self.excluded:
            excluded = _columns(self.excluded, _phrases(self.excluded, " OR "))
            expression = f"({expression}) NOT ({excluded})"
        return expression

    # ---- PostgreSQL ----------------------------------------------------------------------

    def tsquery(self) -> tuple[str, list[str]]:
        """(SQL of the positive words' tsquery, its parameters)."""
        return _tsquery(self.positive, "&&")

    def where(self) -> tuple[str, list[str]]:
        """The WHERE condition on ``library_searchdocument d`` and its parameters."""
        conditions = ["d.keys_vector @@ to_tsquery('simple', %s)"]
        params = [self.keys.tsquery()]
        if self.positive:
            sql, more = self.tsquery()
            conditions.append(f"d.vector @@ {sql}")
            params += more
        if self.excluded:
            sql, more = _tsquery(self.excluded, "||")
            conditions.append(f"NOT d.vector @@ {sql}")
            params += more
        return " AND ".join(conditions), params


def _columns(terms: tuple[Term, ...], expression: str) -> str:
    """Limit ``expression`` to the text columns when one of its words could be a key.

    Words match any column; only key-like words ("xs12") could also match the keys
    column, and a column filter costs time, so it is added only for them.
    """
    if any(LOOKS_LIKE_KEY.match(word) for term in terms for word in term.words):
        return f"{TEXT_COLUMNS}: ({expression})"
    return expression


def _phrases(terms: tuple[Term, ...], joiner: str) -> str:
    return joiner.join('"' + term.text.replace('"', '""') + '"' for term in terms)


def _tsquery(terms: tuple[Term, ...], joiner: str) -> tuple[str, list[str]]:
    sql = f" {joiner} ".join("phraseto_tsquery('secondstory', %s)" for _ in terms)
    return f"({sql})", [term.text for term in terms]


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def _rows(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def count(match: Match) -> int:
    """How many documents match (visibility and filters included)."""
    if _postgres():
        where, params = match.where()
        sql = f"SELECT COUNT(*) FROM library_searchdocument d WHERE {where}"
    else:
        sql, params = f"SELECT COUNT(*) FROM {FTS} WHERE {FTS} MATCH %s", [match.fts5()]
    return int(_rows(sql, params)[0][0])


def _window_start(match: Match, window: int) -> int:
    """The lowest row id among the ``window`` newest matches (0: all of them)."""
    if _postgres():
        where, params = match.where()
        sql = f"SELECT d.id FROM library_searchdocument d WHERE {where} ORDER BY d.id DESC"
    else:
        sql, params = (
            f"SELECT rowid FROM {FTS} WHERE {FTS} MATCH %s ORDER BY rowid DESC",
            [match.fts5()],
        )
    rows = _rows(f"{sql} LIMIT 1 OFFSET %s", [*params, window - 1])
    return int(rows[0][0]) if rows else 0


def ranked(match: Match, *, limit: int, offset: int, window: int) -> list[tuple[int, float]]:
    """(postmortem id, rank) of one page, best first, among the ``window`` newest matches."""
    start = _window_start(match, window)
    if _postgres():
        where, params = match.where()
        tsquery, more = match.tsquery()
        sql = (
            f"SELECT d.postmortem_id, ts_rank(d.vector, {tsquery}) AS rank "
            f"FROM library_searchdocument d WHERE {where} AND d.id >= %s"
        )
        params = [*more, *params, start]
    else:
        weights = ", ".join(str(w) for w in SQLITE_WEIGHTS)
        sql = (
            f"SELECT d.postmortem_id, -bm25({FTS}, {weights}) AS rank "
            f"FROM {FTS} JOIN library_searchdocument d ON d.id = {FTS}.rowid "
            f"WHERE {FTS} MATCH %s AND {FTS}.rowid >= %s"
        )
        params = [match.fts5(), start]
    sql += " ORDER BY rank DESC, d.postmortem_id LIMIT %s OFFSET %s"
    return [(int(pk), float(rank)) for pk, rank in _rows(sql, [*params, limit, offset])]


def newest(match: Match, *, limit: int, offset: int) -> list[int]:
    """Postmortem ids of one page of matches, most recently recorded first."""
    if _postgres():
        where, params = match.where()
        sql = f"SELECT d.postmortem_id FROM library_searchdocument d WHERE {where}"
    else:
        sql = (
            f"SELECT d.postmortem_id FROM {FTS} JOIN library_searchdocument d "
            f"ON d.id = {FTS}.rowid WHERE {FTS} MATCH %s"
        )
        params = [match.fts5()]
    # On SQLite, ordering by the FTS5 rowid lets the index walk its rows newest first.
    order = "d.id" if _postgres() else f"{FTS}.rowid"
    sql += f" ORDER BY {order} DESC LIMIT %s OFFSET %s"
    return [int(pk) for (pk,) in _rows(sql, [*params, limit, offset])]


def matching_facets(match: Match) -> Iterator[str]:
    """The facet keys of every matching document."""
    if _postgres():
        where, params = match.where()
        sql = (
            "SELECT k.facets FROM library_searchdocument d JOIN library_searchkeys k "
            f"ON k.document_id = d.id WHERE {where}"
        )
    else:
        sql = (
            f"SELECT k.facets FROM {FTS} JOIN library_searchkeys k "
            f"ON k.document_id = {FTS}.rowid WHERE {FTS} MATCH %s"
        )
        params = [match.fts5()]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(2000):
            for (keys,) in rows:
                yield keys


def snippets(match: Match, ids: list[int]) -> dict[int, str]:
    """Raw snippet text (highlights between the mark characters) per postmortem id."""
    if not ids or not match.positive:
        return {}
    if _postgres():
        tsq, params = match.tsquery()
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
        all_params: list[Any] = [*params, options, ids]
    else:
        words = _phrases(match.positive, " AND ")
        # One FTS5 lookup per row id: the snippets cost the same however many rows match.
        rowids = list(
            SearchDocument.objects.filter(postmortem_id__in=ids).values_list("pk", flat=True)
        )
        sql = (
            f"SELECT d.postmortem_id, snippet({FTS}, -1, %s, %s, ' … ', 24) "
            f"FROM {FTS} JOIN library_searchdocument d ON d.id = {FTS}.rowid "
            f"WHERE {FTS} MATCH %s AND {FTS}.rowid IN ({', '.join('%s' for _ in rowids)})"
        )
        all_params = [MARK_OPEN, MARK_CLOSE, f"{TEXT_COLUMNS}: ({words})", *rowids]
    return {int(pk): text for pk, text in _rows(sql, all_params)}
