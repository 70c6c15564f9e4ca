"""The full-text index, per database: count, rank, snippets and keys of the matching documents.

A ``Match`` is the words of a query plus its key expression (filters and the
reader's visibility, see ``secondstory.core.search.keys``). On SQLite it becomes
one FTS5 MATCH expression (words limited to the text columns, keys to the keys
column); on PostgreSQL two tsquery conditions, one on the weighted text vector
and one on the keys vector, in one GIN index over a narrow table of vectors.

Ranking scores every match by the kept per-word scores (``secondstory.library.ranking``,
the same formula on both databases): the oldest postmortem of the library ranks first
when it matches best, and the first page of a common word stops early.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from itertools import pairwise
from typing import Any

from django.db import connection

from secondstory.core.search.keys import KeyExpression, removed_tsquery
from secondstory.core.search.query import Term
from secondstory.library.index import MARK_CLOSE, MARK_OPEN
from secondstory.library.models import SearchDocument

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

    @cached_property
    def _postgres_terms(self) -> tuple[tuple[Term, ...], tuple[str, ...]]:
        """(words and phrases the vector must match, tsqueries over the ``pairs`` vector).

        A two-word phrase is exactly one pair of adjacent lexemes, answered by the index
        alone; a longer one needs all its pairs and, to be exact, the vector's check.
        """
        words: list[Term] = []
        pairs: list[str] = []
        for term in self.positive:
            found, exact = _pairs(term)
            if found:
                pairs.append(found)
            if not exact:
                words.append(term)
        return tuple(words), tuple(pairs)

    @cached_property
    def _postgres_exclusions(self) -> tuple[tuple[Term, ...], tuple[str, ...]]:
        """(excluded words and phrases for the vector, excluded two-word phrases as pairs)."""
        words: list[Term] = []
        pairs: list[str] = []
        for term in self.excluded:
            found, exact = _pairs(term)
            if exact:
                pairs.append(found)
            else:
                words.append(term)
        return tuple(words), tuple(pairs)

    def where(self) -> tuple[str, list[str]]:
        """The WHERE condition on ``library_searchvector v`` and its parameters.

        Everything is answered by the GIN index, never by reading vectors row by row,
        except phrases of three or more words (checked on the documents holding all
        their pairs). Excluded words join the words' tsquery (``&& !!``); excluded
        two-word phrases are a set of documents found through their pair.
        """
        conditions: list[str] = []
        params: list[str] = []
        if not self.positive or self.keys.required:
            conditions.append("v.keys_vector @@ to_tsquery('simple', %s)")
            params.append(self.keys.tsquery(alone=not self.positive))
        else:
            # The words drive the index; what the keys take away (excluded filters, the
            # restricted postmortems the reader is not named on) is a set it finds too.
            removed = removed_tsquery(self.keys)
            if removed is not None:
                conditions.append(
                    "v.document_id NOT IN (SELECT x.document_id FROM library_searchvector x "
                    "WHERE x.keys_vector @@ to_tsquery('simple', %s))"
                )
                params.append(removed)
        words, pairs = self._postgres_terms
        excluded, excluded_pairs = self._postgres_exclusions
        for query in pairs:
            conditions.append("v.pairs @@ %s::tsquery")
            params.append(query)
        if words:
            sql, more = _tsquery(words, "&&")
            if excluded:
                others_sql, others = _tsquery(excluded, "||")
                sql, more = f"({sql} && !!{others_sql})", [*more, *others]
            conditions.append(f"v.vector @@ {sql}")
            params += more
        elif excluded:
            sql, more = _tsquery(excluded, "||")
            conditions.append(f"NOT v.vector @@ {sql}")
            params += more
        for query in excluded_pairs:
            conditions.append(
                "v.document_id NOT IN (SELECT x.document_id FROM library_searchvector x "
                "WHERE x.pairs @@ %s::tsquery)"
            )
            params.append(query)
        return " AND ".join(conditions), params


def _pairs(term: Term) -> tuple[str, bool]:
    """(tsquery of the phrase's adjacent pairs or "", whether the pairs alone are exact)."""
    if not term.is_phrase:
        return "", False
    lexemes = _phrase_lexemes(term.text)
    found = [f"{a}_{b}" for (p, a), (q, b) in pairwise(lexemes) if q == p + 1]
    if not found:
        return "", False
    return " & ".join(_quoted(pair) for pair in found), len(lexemes) == 2


def _phrase_lexemes(text: str) -> list[tuple[int, str]]:
    """(position, lexeme) of a phrase's words as PostgreSQL's text search sees them."""
    sql = (
        "SELECT pos, lexeme FROM unnest(to_tsvector('secondstory', %s)) "
        "AS u(lexeme, positions, weights), unnest(u.positions) AS pos ORDER BY pos"
    )
    return [(int(pos), str(lexeme)) for pos, lexeme in _rows(sql, [text], planned=False)]


def _quoted(lexeme: str) -> str:
    """A lexeme quoted for the tsquery input syntax."""
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


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


#: PostgreSQL's planner does not count the cost of reading a toasted vector: left alone it
#: checks a common word row by row (a sequential scan, or the primary key walked backwards
#: for "newest first") instead of asking the GIN index. These settings hold it to bitmap
#: scans of the indexes for the statements below, and are reset after each.
_PLANNER = ("enable_seqscan", "enable_indexscan")


@contextmanager
def _cursor(*, planned: bool = True) -> Iterator[Any]:
    with connection.cursor() as cursor:
        if not (planned and _postgres()):
            yield cursor
            return
        cursor.execute("; ".join(f"SET {setting} = off" for setting in _PLANNER))
        try:
            yield cursor
        finally:
            cursor.execute("; ".join(f"RESET {setting}" for setting in _PLANNER))


def _rows(sql: str, params: list[Any], *, planned: bool = True) -> list[tuple[Any, ...]]:
    """The rows of a query; ``planned``: under the planner settings above (PostgreSQL)."""
    with _cursor(planned=planned) as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def count(match: Match) -> int:
    """How many documents match (visibility and filters included)."""
    if _postgres():
        where, params = match.where()
        sql = f"SELECT COUNT(*) FROM library_searchvector v WHERE {where}"
    else:
        sql, params = f"SELECT COUNT(*) FROM {FTS} WHERE {FTS} MATCH %s", [match.fts5()]
    return int(_rows(sql, params)[0][0])


def _postmortems(documents: list[int]) -> dict[int, int]:
    rows = SearchDocument.objects.filter(pk__in=documents).values_list("pk", "postmortem_id")
    return dict(rows)


def ranked(match: Match, *, limit: int, offset: int) -> tuple[list[tuple[int, float]], int]:
    """(postmortem id, rank) of one page of every match, best first (ties: newest first),
    and the number of matches (``secondstory.library.ranking``)."""
    from secondstory.library.ranking import rank

    rows, total = rank(match, limit=limit, offset=offset)
    postmortems = _postmortems([document for document, _ in rows])
    return [(postmortems[d], score) for d, score in rows if d in postmortems], total


def newest_documents(match: Match, *, limit: int, offset: int) -> list[int]:
    """Document ids of one page of matches, most recently recorded first."""
    if _postgres():
        where, params = match.where()
        sql = (
            f"SELECT v.document_id FROM library_searchvector v WHERE {where} "
            "ORDER BY v.document_id DESC"
        )
    else:
        # Ordering by the FTS5 rowid lets the index walk its rows newest first.
        sql = f"SELECT rowid FROM {FTS} WHERE {FTS} MATCH %s ORDER BY rowid DESC"
        params = [match.fts5()]
    return [int(d) for (d,) in _rows(f"{sql} LIMIT %s OFFSET %s", [*params, limit, offset])]


def newest(match: Match, *, limit: int, offset: int) -> list[int]:
    """Postmortem ids of one page of matches, most recently recorded first."""
    documents = newest_documents(match, limit=limit, offset=offset)
    postmortems = _postmortems(documents)
    return [postmortems[d] for d in documents if d in postmortems]


def facet_counts(match: Match) -> Counter[str]:
    """How many matching documents have each facet key (a document has a key once).

    PostgreSQL reads the ``facets`` column of the rows the index finds and groups
    equal ones (documents of the same services, teams, severity, factors, year and status
    are many): each distinct combination leaves the database once, with its number of
    documents. Splitting the keys there (``unnest``) costs more than it saves.
    SQLite reads the narrow ``library_searchkeys`` row of every match and groups them the
    same way.
    """
    counts: Counter[str] = Counter()
    if _postgres():
        where, params = match.where()
        sql = f"SELECT v.facets, count(*) FROM library_searchvector v WHERE {where} GROUP BY 1"
        rows = _rows(sql, params)
    else:
        sql = (
            f"SELECT k.facets, count(*) FROM {FTS} JOIN library_searchkeys k "
            f"ON k.document_id = {FTS}.rowid WHERE {FTS} MATCH %s GROUP BY 1"
        )
        with _cursor() as cursor:
            cursor.execute(sql, [match.fts5()])
            rows = cursor.fetchall()
    for facets, documents in rows:
        for key in facets.split():
            counts[key] += int(documents)
    return counts


def snippets(match: Match, ids: list[int]) -> dict[int, str]:
    """Raw snippet text (highlights between the mark characters) per postmortem id."""
    if not ids or not match.positive:
        return {}
    if _postgres():
        # The short fields first; the long narrative and timeline (most of the text, and
        # ts_headline's cost grows with it) only for results without a highlight there.
        found = _headlines(match, ids, ("summary", "factors", "actions", "labels"))
        rest = [pk for pk in ids if MARK_OPEN not in found.get(pk, "")]
        if rest:
            found.update(_headlines(match, rest, ("narrative", "timeline")))
        return found
    words = _phrases(match.positive, " AND ")
    # One FTS5 lookup per row id: the snippets cost the same however many rows match.
    rowids = list(SearchDocument.objects.filter(postmortem_id__in=ids).values_list("pk", flat=True))
    sql = (
        f"SELECT d.postmortem_id, snippet({FTS}, -1, %s, %s, ' … ', 24) "
        f"FROM {FTS} JOIN library_searchdocument d ON d.id = {FTS}.rowid "
        f"WHERE {FTS} MATCH %s AND {FTS}.rowid IN ({', '.join('%s' for _ in rowids)})"
    )
    all_params = [MARK_OPEN, MARK_CLOSE, f"{TEXT_COLUMNS}: ({words})", *rowids]
    return {int(pk): text for pk, text in _rows(sql, all_params, planned=False)}


def _headlines(match: Match, ids: list[int], columns: tuple[str, ...]) -> dict[int, str]:
    tsq, params = match.tsquery()
    text = " || ' … ' || ".join(columns)
    options = (
        f"StartSel={MARK_OPEN}, StopSel={MARK_CLOSE}, MaxWords=30, MinWords=12, "
        'MaxFragments=2, FragmentDelimiter=" … "'
    )
    sql = (
        f"SELECT postmortem_id, ts_headline('secondstory', {text}, {tsq}, %s) "
        "FROM library_searchdocument WHERE postmortem_id = ANY(%s)"
    )
    return {int(pk): text for pk, text in _rows(sql, [*params, options, ids], planned=False)}
