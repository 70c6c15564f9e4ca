"""Rank the matches of a query from the kept word scores (``library_wordscore``).

A query's score for a document is the sum over its distinct positive words (the words of
its words and phrases, as the engine tokenizes them) of ``idf(word) * score(word,
document)`` (``secondstory.library.wordscore``); ties go to the newest document (the
highest document id), so the order is total.

The full-text index first finds the ids of every match (words, phrases, exclusions,
filters and visibility, in one query that scores nothing): their number is the exact count.
Few matches (``EXHAUSTIVE``) are scored from their rows, looked up by key. More are found
by walking each word's list in score order, a batch at a time (the threshold algorithm):
an entry whose document is not a match is passed over, a match's scores for the other words
are looked up by key, and the walk stops once the page's last result scores at least what
any document not yet seen could (the sum of idf times the last score read in each list).
Pages deep into the order, and walks that would read most of the lists, read the words'
whole lists instead.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import connection

from secondstory.core.search.keys import KeyExpression
from secondstory.library import wordscore

if TYPE_CHECKING:
    from secondstory.library.engine import Match

#: Up to this many matches, every match is scored from its rows in one query.
EXHAUSTIVE = 3_000
#: Pages reaching further than this into the order are scored exhaustively.
DEEPEST = 1_000
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


def weights(words: list[str]) -> dict[str, tuple[int, int, int]]:
    """(idf, document frequency, highest score) of each word found in some document."""
    if not words:
        return {}
    each = ", ".join(
        "(SELECT count(*) FROM library_wordscore WHERE word = %s), "
        "(SELECT max(score) FROM library_wordscore WHERE word = %s)"
        for _ in words
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT count(*) FROM library_searchdocument), {each}",
            [w for word in words for w in (word, word)],
        )
        documents, *found = cursor.fetchone()
    return {
        word: (wordscore.idf(int(documents), int(df)), int(df), int(top))
        for word, df, top in zip(words, found[::2], found[1::2], strict=True)
        if df
    }


def _in(values: list[Any]) -> str:
    return ", ".join("%s" for _ in values)


def matching(match: Match) -> set[int]:
    """The document ids of every match (words, phrases, exclusions, filters, visibility)."""
    from secondstory.library.engine import FTS, _rows

    if connection.vendor == "postgresql":
        where, params = match.where()
        sql = f"SELECT v.document_id FROM library_searchvector v WHERE {where}"
        return {int(d) for (d,) in _rows(sql, params)}
    sql = f"SELECT rowid FROM {FTS} WHERE {FTS} MATCH %s"
    return {int(d) for (d,) in _rows(sql, [match.fts5()], planned=False)}


#: Documents looked up by key in one query.
CHUNK = 500


def _scores(documents: list[int], words: list[str]) -> dict[int, dict[str, int]]:
    """Each document's kept scores of ``words``, looked up by key."""
    found: dict[int, dict[str, int]] = {d: {} for d in documents}
    with connection.cursor() as cursor:
        for start in range(0, len(documents), CHUNK):
            chunk = documents[start : start + CHUNK]
            cursor.execute(
                "SELECT document_id, word, score FROM library_wordscore "
                f"WHERE document_id IN ({_in(chunk)}) AND word IN ({_in(words)})",
                [*chunk, *words],
            )
            for document, word, score in cursor.fetchall():
                found[int(document)][str(word)] = int(score)
    return found


def _total(idfs: dict[str, tuple[int, int, int]], scores: dict[str, int]) -> int:
    return sum(idf * scores.get(word, 0) for word, (idf, _, _) in idfs.items())


def _page(scored: list[tuple[int, int]], *, limit: int, offset: int) -> list[tuple[int, int]]:
    """(document, score) of one page of (score, document) pairs, best and newest first."""
    scored.sort(reverse=True)
    return [(document, score) for score, document in scored[offset : offset + limit]]


def by_key(
    ids: set[int], idfs: dict[str, tuple[int, int, int]], *, limit: int, offset: int
) -> list[tuple[int, int]]:
    """Every match scored from its rows, looked up by key."""
    scores = _scores(sorted(ids), list(idfs))
    return _page([(_total(idfs, scores[d]), d) for d in ids], limit=limit, offset=offset)


def _major(idfs: dict[str, tuple[int, int, int]]) -> set[str]:
    """The words that can add much to a score: idf times highest score at least ``MINOR``
    of the largest."""
    largest = max(idf * top for idf, _, top in idfs.values())
    return {word for word, (idf, _, top) in idfs.items() if idf * top >= MINOR * largest}


def whole_lists(
    ids: set[int], idfs: dict[str, tuple[int, int, int]], *, limit: int, offset: int
) -> list[tuple[int, int]]:
    """Every match scored by reading the whole lists of the words that can add much; the
    other words' scores are looked up by key, best partial scores first, only until no
    further document could reach the page (their highest scores bound what they add)."""
    major = _major(idfs)
    partial = dict.fromkeys(ids, 0)
    with connection.cursor() as cursor:
        for word in major:
            idf = idfs[word][0]
            cursor.execute(
                "SELECT document_id, score FROM library_wordscore WHERE word = %s", [word]
            )
            for document, score in cursor.fetchall():
                if document in partial:
                    partial[document] += idf * int(score)
    minor = [word for word in idfs if word not in major]
    order = sorted(((s, d) for d, s in partial.items()), reverse=True)
    if not minor:
        return _page(order, limit=limit, offset=offset)
    bound = sum(idfs[word][0] * idfs[word][2] for word in minor)
    need = offset + limit
    exact: list[tuple[int, int]] = []
    for start in range(0, len(order), CHUNK):
        chunk = order[start : start + CHUNK]
        scores = _scores([d for _, d in chunk], minor)
        exact += [(s + _total(idfs, scores[d]), d) for s, d in chunk]
        exact.sort(reverse=True)
        rest = start + CHUNK
        if len(exact) >= need and rest < len(order) and order[rest][0] + bound < exact[need - 1][0]:
            break
    return _page(exact, limit=limit, offset=offset)


@dataclass
class _List:
    """Where the walk is in one word's list, in (score DESC, document DESC) order."""

    word: str
    idf: int
    batch: int
    last: tuple[int, int] | None = None
    done: bool = False


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


#: A word whose idf times highest score is less than this share of the largest one's is not
#: walked: its highest score bounds what it adds to a document not yet seen.
MINOR = 0.1
#: A walk of several words gives up after reading this many entries.
GIVE_UP = 600


def walk(
    matches: set[int] | KeyExpression,
    total: int,
    idfs: dict[str, tuple[int, int, int]],
    *,
    limit: int,
    offset: int,
) -> list[tuple[int, int]] | None:
    """(document, score) of one page by the threshold algorithm, or None when the walk
    would read too much (the caller then reads the lists whole).

    ``matches``: the ids of every match, or (for a query that ``_simple`` says is no more
    than that) the keys a document holding every word must pass. Only the lists of the
    words that can add much are walked (``MINOR``); the others' highest scores stand in the
    threshold for what they may add.
    """
    need = offset + limit
    walked = _major(idfs)
    lists = [
        _List(word, idf, max(FIRST_BATCH, math.ceil(2 * need * df / max(1, total))))
        for word, (idf, df, _) in idfs.items()
        if word in walked
    ]
    bound = sum(idf * top for word, (idf, _, top) in idfs.items() if word not in walked)
    # One list is read in order without lookups; with more, each match found costs lookups
    # by key, and reading the lists whole soon costs less.
    most = GIVE_UP if len(idfs) > 1 else sum(df for _, df, _ in idfs.values()) // 2
    seen: set[int] = set()
    passing: list[tuple[int, int]] = []  # (score, document)
    read = 0
    with connection.cursor() as cursor:
        while True:
            found: dict[int, dict[str, int]] = {}
            for entry in lists:
                if entry.done:
                    continue
                rows = _next_batch(cursor, entry)
                read += len(rows)
                for score, document in rows:
                    if document not in seen:
                        found.setdefault(document, {})[entry.word] = score
            seen.update(found)
            if isinstance(matches, set):
                found = {d: scores for d, scores in found.items() if d in matches}
            if found and len(idfs) > 1:
                found = _scores(sorted(found), list(idfs))
            if not isinstance(matches, set):
                held = [d for d, scores in found.items() if len(scores) == len(idfs)]
                admitted = _admitted(matches, held)
                found = {d: scores for d, scores in found.items() if d in admitted}
            passing += [(_total(idfs, scores), d) for d, scores in found.items()]
            passing.sort(reverse=True)
            if all(entry.done for entry in lists):
                if len(passing) < total and (bound or len(passing) < need):
                    return None  # matches not in the walked lists: scored otherwise
                return [(d, s) for s, d in passing[offset:need]]
            if len(passing) >= need:
                score, document = passing[need - 1]
                open_lists = [e for e in lists if not e.done and e.last is not None]
                threshold = bound + sum(e.idf * e.last[0] for e in open_lists if e.last)
                lowest = min((e.last[1] for e in open_lists if e.last), default=0)
                if score > threshold or (score == threshold and document >= lowest):
                    return [(d, s) for s, d in passing[offset:need]]
            if read > most:
                return None


def _simple(match: Match, words: list[str]) -> bool:
    """Whether a document in a word's list matches when it holds every other word and its
    keys pass: no phrases, no exclusions, one token per word."""
    if match.excluded or any(term.is_phrase for term in match.positive):
        return False
    return len(words) == len({term.text for term in match.positive})


def _admitted(keys: KeyExpression, documents: list[int]) -> set[int]:
    """Those of ``documents`` whose keys pass ``keys``."""
    if keys.is_everything or not documents:
        return set(documents)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, keys FROM library_searchdocument WHERE id IN ({_in(documents)})",
            documents,
        )
        return {int(d) for d, text in cursor.fetchall() if keys.admits(set(text.split()))}


def rank(match: Match, *, limit: int, offset: int) -> tuple[list[tuple[int, float]], int]:
    """(document id, score) of one page of the matches, best first (ties: newest), and the
    number of matches."""
    from secondstory.library.engine import count, newest_documents

    words = query_words(match)
    idfs = weights(words)
    ids: set[int] | None = None
    if len(words) == 1 and idfs and _simple(match, words):
        total = count(match)
    else:
        ids = matching(match)
        total = len(ids)
    if not total:
        return [], 0
    page: list[tuple[int, int]] | None = None
    if not idfs:  # no word of the query is in any document: every match scores 0
        documents = newest_documents(match, limit=limit, offset=offset)
        return [(d, 0.0) for d in documents], total
    if total <= EXHAUSTIVE:
        ids = ids if ids is not None else matching(match)
        page = by_key(ids, idfs, limit=limit, offset=offset)
    elif offset + limit <= DEEPEST:
        matches = match.keys if ids is None else ids
        page = walk(matches, total, idfs, limit=limit, offset=offset)
    if page is None:
        ids = ids if ids is not None else matching(match)
        page = whole_lists(ids, idfs, limit=limit, offset=offset)
    scale = float(wordscore.SCALE * wordscore.IDF_SCALE)
    return [(document, score / scale) for document, score in page], total
