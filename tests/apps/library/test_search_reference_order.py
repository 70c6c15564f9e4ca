"""Search order against the documented ranking computed here in plain Python from the
documents' text, on both databases, on the random library of ``test_search_reference``: for
every kind of reader, with filters, exclusions and phrases, every page, on the exhaustive
path and on the path that walks the kept word lists and stops early (ties at the page's
cut included), and after every kind of write. The kept word scores must also stay equal to
what a full rebuild writes.

The ranking (docs/search.md, "Ranking"): a word's score in a document is the sum over the
four parts (title and summary; factors, action items and labels; narrative; timeline) of
floor(1,000,000 × weight × tf / (tf + k)); a query's score is the sum over its distinct
positive words of idf × that, idf = max(1, floor(1000 × ln(1 + (N − df + 0.5) / (df + 0.5))));
best first, ties newest (highest document id) first.
"""

from __future__ import annotations

import math
import random
import re
import shlex

import pytest
from django.db import connection

from secondstory.accounts.models import Team, User
from secondstory.library import ranking, wordscore
from secondstory.library.engine import Match
from secondstory.library.index import index_postmortem, index_postmortems, rebuild
from secondstory.library.models import SearchDocument
from secondstory.library.vectors import differing_sql
from secondstory.postmortems.models import Postmortem
from secondstory.postmortems.revisions import record_revision
from tests.apps.library.test_search_reference import (
    Made,
    _all_pages,
    _matches,
    _readers,
    _sentence,
    _visible,
    make_library,
)


@pytest.fixture
def made(alice: User, bob: User, charlie: User, payments: Team) -> list[Made]:
    return make_library(charlie)


#: The documented constants, written out again here.
WEIGHTS = (10, 4, 2, 1)
K = (1.0, 1.5, 3.0, 6.0)
PARTS = (
    ("title", "summary"),
    ("factors", "actions", "labels"),
    ("narrative",),
    ("timeline",),
)
COLUMNS = tuple(column for part in PARTS for column in part)
_TOKEN = re.compile(r"[^\W_]+")


def _tokens(text: str) -> list[str]:
    """The words (letters and digits; the invented words have no other stem)."""
    return [token.lower() for token in _TOKEN.findall(text)]


def _has(sequence: list[str], phrase: list[str]) -> bool:
    n = len(phrase)
    return any(sequence[i : i + n] == phrase for i in range(len(sequence) - n + 1))


def _holds(columns: dict[str, list[str]], phrase: list[str]) -> bool:
    """SQLite finds a phrase within one column; PostgreSQL's vector runs the columns on."""
    if connection.vendor == "postgresql":
        return _has([t for c in COLUMNS for t in columns[c]], phrase)
    return any(_has(columns[c], phrase) for c in COLUMNS)


def reference_order(text: str, user: User | None, made: list[Made]) -> list[str]:
    visible = _visible(made, user)
    rows = SearchDocument.objects.values_list("pk", "postmortem__key", *COLUMNS)
    documents = {
        pk: (key, dict(zip(COLUMNS, [_tokens(t) for t in texts], strict=True)))
        for pk, key, *texts in rows
    }
    parts = shlex.split(text)
    filters = [p for p in parts if ":" in p]
    terms = [p.split() for p in parts if ":" not in p and not p.startswith("-")]
    excluded = [p[1:].split() for p in parts if ":" not in p and p.startswith("-")]
    words = sorted({w for term in terms for w in term})
    passing = {item.key for item in made if all(_matches(item, f) for f in filters)}
    n = len(documents)
    idf = {}
    for word in words:
        df = sum(1 for _, columns in documents.values() if any(word in c for c in columns.values()))
        idf[word] = max(1, int(1000 * math.log(1.0 + (n - df + 0.5) / (df + 0.5))))
    ranked = []
    for pk, (key, columns) in documents.items():
        if key not in visible or key not in passing:
            continue
        if not all(_holds(columns, term) for term in terms):
            continue
        if any(_holds(columns, term) for term in excluded):
            continue
        score = 0
        for word in words:
            for part, weight, k in zip(PARTS, WEIGHTS, K, strict=True):
                tf = sum(columns[c].count(word) for c in part)
                if tf:
                    score += idf[word] * int(float(1_000_000 * weight) * tf / (tf + k))
        ranked.append((-score, -pk, key))
    return [key for _, _, key in sorted(ranked)]


ORDERED = (
    "zephyr",
    "quokka marzipan",
    "obelisk gazebo tundra",
    '"zephyr quokka"',
    "obelisk -tundra",
    'gazebo -"quokka zephyr"',
    "gazebo service:alpha-api",
    "tundra team:storage",
    "zephyr -severity:SEV1",
    "marzipan status:published after:2024",
    "quokka -exercise:yes",
)


@pytest.fixture(params=["by key", "walk", "walk, minor words", "whole lists", "lists, minor words"])
def path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every way of ranking: every match scored by key, the lists walked in small batches
    (so that the walk takes several rounds and stops at ties on the page's cut), or the
    words' whole lists read (deep pages); "minor words": only the word that adds most is
    walked or read whole, the others' scores are bounded and looked up by key."""
    name = str(request.param)
    if name != "by key":
        monkeypatch.setattr(ranking, "EXHAUSTIVE", 0)
        monkeypatch.setattr(ranking, "FIRST_BATCH", 2)
        monkeypatch.setattr(ranking, "GIVE_UP", 10_000)
    if "lists" in name:
        monkeypatch.setattr(ranking, "DEEPEST", 0)
    if "minor" in name:
        monkeypatch.setattr(ranking, "MINOR", 0.999)
        monkeypatch.setattr(ranking, "CHUNK", 3)
    return name


def _check_order(made: list[Made], readers: list[User | None]) -> None:
    for user in readers:
        for text in ORDERED:
            expected = reference_order(text, user, made)
            assert expected, text
            for per_page in (6, 100):
                assert _all_pages(text, user, per_page=per_page) == expected, (text, user)


def _assert_scores_as_rebuilt() -> None:
    """The kept scores of every document are those its text gives (as a rebuild writes)."""
    documents = list(SearchDocument.objects.values_list("pk", flat=True))
    assert wordscore.kept(documents) == wordscore.recomputed(documents)
    assert wordscore.differing_words() == 0
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(differing_sql())
            assert cursor.fetchone()[0] == 0


def test_order_equals_the_reference(
    made: list[Made], alice: User, charlie: User, path: str
) -> None:
    readers = _readers(alice, charlie)
    _check_order(made, readers)


def test_the_walk_stops_early_on_ties_at_the_cut(
    made: list[Made], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A common word's first page, read from its list in batches, reads less than the list
    and still equals the reference, with equal scores on both sides of the page's cut."""
    monkeypatch.setattr(ranking, "EXHAUSTIVE", 0)
    monkeypatch.setattr(ranking, "FIRST_BATCH", 2)
    read: list[int] = []
    batch = ranking._next_batch

    def counting(cursor: object, entry: ranking._List) -> list[tuple[int, int]]:
        rows = batch(cursor, entry)
        read.append(len(rows))
        return rows

    monkeypatch.setattr(ranking, "_next_batch", counting)
    expected = reference_order("zephyr", None, made)
    match = ranking_match("zephyr")
    ids = ranking.matching(match)
    idfs = ranking.weights(ranking.query_words(match))
    scores = ranking.by_key(ids, idfs, limit=len(expected), offset=0)
    cut = next(i for i in range(1, len(scores)) if scores[i][1] == scores[i - 1][1])
    per_page = cut  # the page ends between two documents of equal score
    read.clear()
    page = ranking.walk(ids, len(ids), idfs, limit=per_page, offset=0)
    assert page == ranking.walk(match.keys, len(ids), idfs, limit=per_page, offset=0)
    assert page is not None
    postmortems = dict(SearchDocument.objects.values_list("pk", "postmortem__key"))
    assert [postmortems[d] for d, _ in page] == expected[:per_page]
    assert sum(read) < len(expected)
    assert _all_pages("zephyr", None, per_page=per_page) == expected


def ranking_match(text: str) -> Match:
    from secondstory.core.search.query import parse
    from secondstory.library.search import matcher

    match = matcher(parse(text), None)
    assert match is not None
    return match


def test_order_and_scores_after_every_kind_of_write(
    made: list[Made], alice: User, charlie: User, path: str
) -> None:
    readers = _readers(alice, charlie)
    _assert_scores_as_rebuilt()
    rng = random.Random(11)
    for postmortem in Postmortem.objects.order_by("pk")[:10]:
        postmortem.title = " ".join(_sentence(rng, 3))
        postmortem.summary = " ".join(_sentence(rng, 5))
        postmortem.save()
        if postmortem.pk % 2:
            index_postmortem(postmortem)
        else:
            record_revision(postmortem, author=postmortem.owner, summary="edited")
    _check_order(made, readers)
    _assert_scores_as_rebuilt()
    index_postmortems(Postmortem.objects.values_list("pk", flat=True))
    _assert_scores_as_rebuilt()
    Postmortem.objects.filter(key__in=["PM-R000", "PM-R001"]).delete()
    left = [m for m in made if m.key not in ("PM-R000", "PM-R001")]
    _check_order(left, readers)
    _assert_scores_as_rebuilt()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(DISTINCT document_id) FROM library_wordscore")
        assert cursor.fetchone()[0] == 58  # none of the deleted documents' rows are left
    rebuild()
    _check_order(left, readers)
    _assert_scores_as_rebuilt()


@pytest.mark.parametrize("minor", [0.1, 0.999])
def test_the_walk_equals_the_reference_at_every_cut(
    made: list[Made], monkeypatch: pytest.MonkeyPatch, minor: float
) -> None:
    """One entry at a time at first, so that pages end at every place of the order, and
    the walk's stop at the threshold (ties with documents not yet read included) is
    checked at each."""
    monkeypatch.setattr(ranking, "FIRST_BATCH", 1)
    monkeypatch.setattr(ranking, "GIVE_UP", 10_000)
    monkeypatch.setattr(ranking, "MINOR", minor)
    postmortems = dict(SearchDocument.objects.values_list("pk", "postmortem__key"))
    for text in ("zephyr", "quokka marzipan", "obelisk gazebo tundra", "tundra zephyr"):
        expected = reference_order(text, None, made)
        match = ranking_match(text)
        ids = ranking.matching(match)
        idfs = ranking.weights(ranking.query_words(match))
        for size in range(1, len(expected) + 1):
            for offset in (0, size // 2):
                page = ranking.walk(ids, len(ids), idfs, limit=size - offset, offset=offset)
                assert page is not None
                found = [postmortems[d] for d, _ in page]
                assert found == expected[offset:size], (text, size, offset)
