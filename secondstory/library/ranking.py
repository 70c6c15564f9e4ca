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

from secondstory.core.search.keys import KeyExpression, removed_tsquery
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
            f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.{QUERY_WORDS} "
            f"USING fts5(t, content='', {wordscore.TOKENIZE})"
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
    further document could reach the page (their highest scores bound what they add).
    PostgreSQL sums every word's scores of the matches itself, in one grouped query."""
    if connection.vendor == "postgresql":
        page = _summed(ids, idfs, limit=limit, offset=offset)
        if page is not None:
            return page
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


def _summed(
    ids: set[int], idfs: dict[str, tuple[int, int, int]], *, limit: int, offset: int
) -> list[tuple[int, int]] | None:
    """PostgreSQL: one page of the matches' summed scores, or None when the page reaches
    matches that hold none of the words (they have no rows to sum)."""
    case = "CASE w.word " + " ".join("WHEN %s THEN %s" for _ in idfs) + " END"
    params: list[Any] = [x for word, (idf, _, _) in idfs.items() for x in (word, idf)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT w.document_id, SUM(w.score * {case}) AS s FROM library_wordscore w "
            "WHERE w.document_id = ANY(%s::int[]) AND w.word = ANY(%s) "
            "GROUP BY w.document_id ORDER BY s DESC, w.document_id DESC LIMIT %s OFFSET %s",
            [*params, sorted(ids), list(idfs), limit, offset],
        )
        page = [(int(d), int(s)) for d, s in cursor.fetchall()]
    if len(page) < min(limit, max(0, len(ids) - offset)):
        return None
    return page


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


def _upper(
    idfs: dict[str, tuple[int, int, int]], scores: dict[str, int], still: dict[str, int]
) -> int:
    """The most a match can score: what its words read so far give, and for each walked
    word not read yet the most its list still holds (``still``: idf times last score)."""
    gets = sum(idfs[word][0] * score for word, score in scores.items())
    return gets + sum(most for word, most in still.items() if word not in scores)


def _reaches(exact: dict[int, int], need: int, threshold: int, lowest: int) -> bool:
    """Whether the ``need``-th best exact score ranks before any document not yet seen
    (which scores at most ``threshold``; at that score its id is below ``lowest``)."""
    if len(exact) < need:
        return False
    score, document = sorted(((s, d) for d, s in exact.items()), reverse=True)[need - 1]
    return score > threshold or (score == threshold and document >= lowest)


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

    ``matches``: the ids of every match, or (for a query of one word that ``_simple`` says
    is no more than that) the keys a document in the list must pass. Only the lists of the
    words that can add much are walked (``MINOR``); the others' highest scores stand in
    for what they may add. A match seen in some lists is bounded by what it could still
    get from the others (their last score read); its exact score is looked up by key only
    when that bound could reach the page, so that most matches cost no lookup.
    """
    need = offset + limit
    walked = _major(idfs)
    lists = [
        _List(word, idf, max(FIRST_BATCH, math.ceil(2 * need * df / max(1, total))))
        for word, (idf, df, _) in idfs.items()
        if word in walked
    ]
    bound = sum(idf * top for word, (idf, _, top) in idfs.items() if word not in walked)
    most = GIVE_UP if len(idfs) > 1 else sum(df for _, df, _ in idfs.values()) // 2
    seen: set[int] = set()
    known: dict[int, dict[str, int]] = {}  # matches: their scores read from the lists
    exact: dict[int, int] = {}
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
                    if document in known:
                        known[document][entry.word] = score
                    elif document not in seen:
                        found.setdefault(document, {})[entry.word] = score
            seen.update(found)
            if isinstance(matches, set):
                known.update((d, scores) for d, scores in found.items() if d in matches)
            else:
                admitted = _admitted(matches, sorted(found))
                known.update((d, scores) for d, scores in found.items() if d in admitted)
            open_lists = [e for e in lists if not e.done and e.last is not None]
            still = {e.word: e.idf * e.last[0] for e in open_lists if e.last}
            threshold = bound + sum(still.values())

            # A match seen in every walked list (and no word left unwalked) is scored from
            # what was read; the others are looked up by key, best bounds first, once no
            # document not yet seen could reach the page (judged from what the matches read
            # so far score at least), until no bound left could.
            for d, scores in known.items():
                if d not in exact and not bound and len(scores) == len(walked):
                    exact[d] = _total(idfs, scores)
            lowest = min((e.last[1] for e in open_lists if e.last), default=0)
            # What the matches read so far score at least (exact scores are no lower).
            least = {d: exact.get(d) or _total(idfs, scores) for d, scores in known.items()}
            if not _reaches(least, need, threshold, lowest) and open_lists:
                if read > most:
                    return None
                continue
            waiting = sorted(
                ((_upper(idfs, known[d], still) + bound, d) for d in known if d not in exact),
                reverse=True,
            )
            while waiting:
                ranked = sorted(((s, d) for d, s in exact.items()), reverse=True)
                if len(ranked) >= need and waiting[0] < ranked[need - 1]:
                    break
                chunk = [d for _, d in waiting[:CHUNK]]
                waiting = waiting[CHUNK:]
                for d, scores in _scores(chunk, list(idfs)).items():
                    exact[d] = _total(idfs, scores)
            ranked = sorted(((s, d) for d, s in exact.items()), reverse=True)
            if _reaches(exact, need, threshold, lowest):
                return [(d, s) for s, d in ranked[offset:need]]
            if all(entry.done for entry in lists):
                if len(known) < total and (bound or len(known) < need):
                    return None  # matches not in the walked lists: scored otherwise
                return [(d, s) for s, d in ranked[offset:need]]
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


def _one_word_total(match: Match, word: str) -> int:
    """The number of matches of a query of one word and no phrase or exclusion.

    On PostgreSQL, without a required filter, that is the length of the word's list less
    its documents that the keys take away (what the reader may not read, excluded filters):
    both counted through indexes, where counting the matches through the full-text index
    visits every match's row. Otherwise the full-text index counts (on SQLite it is quick).
    """
    from secondstory.library.engine import _rows, count

    if connection.vendor != "postgresql" or match.keys.required:
        return count(match)
    sql = "SELECT count(*) FROM library_wordscore WHERE word = %s"
    params: list[Any] = [word]
    removed = removed_tsquery(match.keys)
    if removed is not None:
        sql = (
            f"SELECT ({sql}) - (SELECT count(*) FROM library_wordscore w "
            "WHERE w.word = %s AND w.document_id IN (SELECT x.document_id FROM "
            "library_searchvector x WHERE x.keys_vector @@ to_tsquery('simple', %s)))"
        )
        params += [word, removed]
    return int(_rows(sql, params, planned=False)[0][0])


def rank(match: Match, *, limit: int, offset: int) -> tuple[list[tuple[int, float]], int]:
    """(document id, score) of one page of the matches, best first (ties: newest), and the
    number of matches.

    A query of one word (no phrase, no exclusion) is counted without being scored and its
    list walked with the keys of each batch checked here; its words' idf does not change
    its order and is left out (its score is the word's). Any other query first finds the
    ids of every match.
    """
    from secondstory.library.engine import newest_documents

    words = query_words(match)
    if len(words) == 1 and _simple(match, words):
        total = _one_word_total(match, words[0])
        if not total:
            return [], 0
        if total > EXHAUSTIVE and offset + limit <= DEEPEST:
            one = {words[0]: (1, total, 0)}
            page = walk(match.keys, total, one, limit=limit, offset=offset)
            if page is not None:
                return [(d, s / float(wordscore.SCALE)) for d, s in page], total
    idfs = weights(words)
    if len(idfs) == 1:  # one word: its idf would multiply every score alike
        idfs = {word: (1, df, top) for word, (_, df, top) in idfs.items()}
    ids = matching(match)
    total = len(ids)
    if not total:
        return [], 0
    page: list[tuple[int, int]] | None = None
    if not idfs:  # no word of the query is in any document: every match scores 0
        documents = newest_documents(match, limit=limit, offset=offset)
        return [(d, 0.0) for d in documents], total
    if total <= EXHAUSTIVE:
        page = by_key(ids, idfs, limit=limit, offset=offset)
    elif offset + limit <= DEEPEST:
        page = walk(ids, total, idfs, limit=limit, offset=offset)
    if page is None:
        page = whole_lists(ids, idfs, limit=limit, offset=offset)
    scale = float(wordscore.SCALE * (1 if len(idfs) == 1 else wordscore.IDF_SCALE))
    return [(document, score / scale) for document, score in page], total
