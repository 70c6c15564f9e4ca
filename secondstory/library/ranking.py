"""Rank the matches of a query from the kept word scores (``library_wordscore``).

A query's score for a document is the sum over its distinct positive words (the words of
its words and phrases, as the engine tokenizes them) of ``idf(word) * score(word,
document)`` (``secondstory.library.wordscore``); ties go to the newest document (the
highest document id), so the order is total.

The exact number of matches is counted first (the full-text index answers it without
scoring anything). Few matches (``EXHAUSTIVE``) are scored all at once from their rows.
More are found by walking each word's list in score order, a batch at a time (the
threshold algorithm): each new candidate's scores for the other words are looked up by
key, the batch is checked against the full match (filters, visibility, exclusions,
phrases) in one query, and the walk stops once the page's last result scores at least what
any document not yet seen could (the sum of idf times the last score read in each list).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import connection

from secondstory.library import wordscore

if TYPE_CHECKING:
    from secondstory.library.engine import Match

#: Up to this many matches, every match is scored from its rows in one query.
EXHAUSTIVE = 3_000
#: Pages reaching further than this into the order are scored exhaustively.
DEEPEST = 1_000
#: The walk gives up (and scores exhaustively) after reading this many list entries.
MOST_READ = 40_000
#: The fewest entries read from a list at once.
FIRST_BATCH = 64
QUERY_WORDS = "library_query_words"


def query_words(match: Match) -> list[str]:
    """The distinct words of the query's positive terms, as the engine tokenizes them."""
    text = " ".join(term.text for term in match.positive)
    if not text.strip():
        return []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT lexeme FROM unnest(to_tsvector('secondstory', %s)) ORDER BY lexeme", [text]
            )
            return [str(word) for (word,) in cursor.fetchall()]
        # A per-connection table with the index's tokenizer; nothing is written to the database.
        cursor.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.{QUERY_WORDS} USING fts5(t, content='', "
            "tokenize='porter unicode61 remove_diacritics 2')"
        )
        cursor.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.{QUERY_WORDS}_vocab "
            f"USING fts5vocab(temp, {QUERY_WORDS}, instance)"
        )
        cursor.execute(f"INSERT INTO temp.{QUERY_WORDS} (rowid, t) VALUES (1, %s)", [text])
        cursor.execute(f"SELECT DISTINCT term FROM temp.{QUERY_WORDS}_vocab ORDER BY term")
        words = [str(word) for (word,) in cursor.fetchall()]
        cursor.execute(f"INSERT INTO temp.{QUERY_WORDS} ({QUERY_WORDS}) VALUES ('delete-all')")
        return words


def weights(words: list[str]) -> dict[str, tuple[int, int]]:
    """(idf, document frequency) of each word found in some document."""
    if not words:
        return {}
    frequencies = ", ".join(
        "(SELECT count(*) FROM library_wordscore WHERE word = %s)" for _ in words
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT count(*) FROM library_searchdocument), {frequencies}", words
        )
        documents, *found = cursor.fetchone()
    return {
        word: (wordscore.idf(int(documents), int(df)), int(df))
        for word, df in zip(words, found, strict=True)
        if df
    }


def _case(idfs: dict[str, tuple[int, int]]) -> tuple[str, list[Any]]:
    """SQL of a word's idf (``w.word``) and its parameters."""
    whens = " ".join("WHEN %s THEN %s" for _ in idfs)
    params: list[Any] = []
    for word, (value, _) in idfs.items():
        params += [word, value]
    return f"CASE w.word {whens} END", params


def _in(values: list[Any]) -> str:
    return ", ".join("%s" for _ in values)


def exhaustive(
    match: Match, idfs: dict[str, tuple[int, int]], *, limit: int, offset: int
) -> list[tuple[int, int]]:
    """(document id, score) of one page of every match, scored from the kept rows."""
    case, params = _case(idfs)
    words = list(idfs)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            from secondstory.library.engine import _rows

            where, where_params = match.where()
            sql = f"SELECT v.document_id FROM library_searchvector v WHERE {where}"
            documents = [int(d) for (d,) in _rows(sql, where_params)]
            cursor.execute(
                f"SELECT m.d, COALESCE(SUM(w.score * {case}), 0) AS s "
                "FROM unnest(%s::int[]) AS m(d) LEFT JOIN library_wordscore w "
                "ON w.document_id = m.d AND w.word = ANY(%s) "
                "GROUP BY m.d ORDER BY s DESC, m.d DESC LIMIT %s OFFSET %s",
                [*params, documents, words, limit, offset],
            )
        else:
            fts = "library_search_fts"
            cursor.execute(
                f"SELECT {fts}.rowid, COALESCE(SUM(w.score * {case}), 0) AS s "
                f"FROM {fts} LEFT JOIN library_wordscore w ON w.document_id = {fts}.rowid "
                f"AND w.word IN ({_in(words)}) WHERE {fts} MATCH %s "
                f"GROUP BY {fts}.rowid ORDER BY s DESC, {fts}.rowid DESC LIMIT %s OFFSET %s",
                [*params, *words, match.fts5(), limit, offset],
            )
        return [(int(d), int(s)) for d, s in cursor.fetchall()]


@dataclass
class _List:
    """Where the walk is in one word's list, in (score DESC, document DESC) order."""

    word: str
    idf: int
    frequency: int
    batch: int
    last: tuple[int, int] | None = None
    done: bool = False
    scores: dict[int, int] = field(default_factory=dict)


def _next_batch(cursor: Any, entry: _List) -> list[tuple[int, int]]:
    params: list[Any] = [entry.word]
    after = ""
    if entry.last is not None:
        after = "AND (score < %s OR (score = %s AND document_id < %s))"
        params += [entry.last[0], entry.last[0], entry.last[1]]
    cursor.execute(
        "SELECT score, document_id FROM library_wordscore WHERE word = %s "
        f"{after} ORDER BY score DESC, document_id DESC LIMIT %s",
        [*params, entry.batch],
    )
    rows = [(int(s), int(d)) for s, d in cursor.fetchall()]
    if len(rows) < entry.batch:
        entry.done = True
    if rows:
        entry.last = rows[-1]
    entry.batch *= 2
    return rows


def _scores(cursor: Any, documents: list[int], words: list[str]) -> dict[int, dict[str, int]]:
    found: dict[int, dict[str, int]] = {d: {} for d in documents}
    cursor.execute(
        "SELECT document_id, word, score FROM library_wordscore "
        f"WHERE document_id IN ({_in(documents)}) AND word IN ({_in(words)})",
        [*documents, *words],
    )
    for document, word, score in cursor.fetchall():
        found[int(document)][str(word)] = int(score)
    return found


def _matching(match: Match, documents: list[int]) -> set[int]:
    """Those of ``documents`` that match (words, phrases, exclusions, filters, visibility)."""
    from secondstory.library.engine import FTS, _rows

    if connection.vendor == "postgresql":
        where, params = match.where()
        sql = (
            "SELECT v.document_id FROM library_searchvector v "
            f"WHERE v.document_id = ANY(%s) AND {where}"
        )
        return {int(d) for (d,) in _rows(sql, [documents, *params])}
    sql = f"SELECT rowid FROM {FTS} WHERE {FTS} MATCH %s AND rowid IN ({_in(documents)})"
    return {int(d) for (d,) in _rows(sql, [match.fts5(), *documents], planned=False)}


def walk(
    match: Match, idfs: dict[str, tuple[int, int]], total: int, *, limit: int, offset: int
) -> list[tuple[int, int]] | None:
    """(document id, score) of one page by the threshold algorithm, or None when the walk
    would read too much (the caller then scores exhaustively)."""
    need = offset + limit
    lists = [
        _List(word, value, df, max(FIRST_BATCH, math.ceil(2 * need * df / max(1, total))))
        for word, (value, df) in idfs.items()
    ]
    words = list(idfs)
    seen: set[int] = set()
    passing: list[tuple[int, int]] = []  # (score, document)
    read = 0
    with connection.cursor() as cursor:
        while True:
            fresh: dict[int, dict[str, int]] = {}
            for entry in lists:
                if entry.done:
                    continue
                for score, document in _next_batch(cursor, entry):
                    read += 1
                    if document not in seen:
                        fresh.setdefault(document, {})[entry.word] = score
            new = [d for d in fresh if d not in seen]
            seen.update(new)
            if new:
                if len(words) > 1:
                    fresh = _scores(cursor, new, words)
                matching = _matching(match, new)
                for document in matching:
                    scores = fresh[document]
                    score = sum(idf * scores.get(word, 0) for word, (idf, _) in idfs.items())
                    passing.append((score, document))
                passing.sort(reverse=True)
            if all(entry.done for entry in lists):
                if len(passing) < min(need, total):
                    return None  # matches that hold none of the words: scored exhaustively
                return [(document, score) for score, document in passing[offset:need]]
            if len(passing) >= need:
                score, document = passing[need - 1]
                open_lists = [e for e in lists if not e.done and e.last is not None]
                threshold = sum(e.idf * e.last[0] for e in open_lists if e.last)
                lowest = min((e.last[1] for e in open_lists if e.last), default=0)
                if score > threshold or (score == threshold and document >= lowest):
                    return [(d, s) for s, d in passing[offset:need]]
            if read > MOST_READ:
                return None


def newest_documents(match: Match, *, limit: int, offset: int) -> list[int]:
    from secondstory.library.engine import newest_documents as newest

    return newest(match, limit=limit, offset=offset)


def rank(match: Match, total: int, *, limit: int, offset: int) -> list[tuple[int, float]]:
    """(document id, score) of one page of the ``total`` matches, best first (ties: newest)."""
    if total == 0:
        return []
    idfs = weights(query_words(match))
    if not idfs:  # no word of the query is in any document: every match scores 0
        return [(d, 0.0) for d in newest_documents(match, limit=limit, offset=offset)]
    page: list[tuple[int, int]] | None = None
    if total > EXHAUSTIVE and offset + limit <= DEEPEST:
        page = walk(match, idfs, total, limit=limit, offset=offset)
    if page is None:
        page = exhaustive(match, idfs, limit=limit, offset=offset)
    scale = float(wordscore.SCALE * wordscore.IDF_SCALE)
    return [(document, score / scale) for document, score in page]
