"""Search order on SQLite against FTS5's BM25 computed here from the documents' text, on
the random library of ``test_search_reference`` (for every kind of reader, with filters and
exclusions, after every kind of write): the index must rank every match exactly as
docs/search.md says."""

from __future__ import annotations

import math
import random
import re
import shlex

import pytest
from django.db import connection

from secondstory.accounts.models import Team, User
from secondstory.library.index import index_postmortem, rebuild
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


#: FTS5's bm25() constants and the column weights search passes it (engine.SQLITE_WEIGHTS).
K1, B = 1.2, 0.75
COLUMNS = ("title", "summary", "factors", "actions", "labels", "narrative", "timeline", "keys")
WEIGHTS = (10.0, 8.0, 5.0, 4.0, 4.0, 2.0, 1.0, 0.0)
_TOKEN = re.compile(r"[^\W_]+")


def _tokens(text: str) -> list[str]:
    """unicode61's tokens (letters and digits; the invented words have no other stem)."""
    return [token.lower() for token in _TOKEN.findall(text)]


def _occurrences(columns: list[list[str]], phrase: list[str]) -> list[int]:
    """How many times ``phrase`` occurs in each column (never across two columns)."""
    n = len(phrase)
    return [sum(1 for i in range(len(c) - n + 1) if c[i : i + n] == phrase) for c in columns]


def _sqlite_reference_order(text: str, user: User | None, made: list[Made]) -> list[str]:
    """The visible documents holding every term of ``text`` (and none of its excluded
    terms) that pass its filters, ordered by FTS5's BM25 as computed here from their text:
    best first, ties oldest (lowest row id) first. Filters and visibility are phrases of
    the keys column, whose weight is 0: they count for nothing."""
    from secondstory.library.models import SearchDocument

    visible = _visible(made, user)
    rows = list(
        SearchDocument.objects.order_by("pk").values_list("pk", "postmortem__key", *COLUMNS)
    )
    documents = {pk: (key, [_tokens(t) for t in texts]) for pk, key, *texts in rows}
    parts = shlex.split(text)
    filters = [part for part in parts if ":" in part]
    terms = [part.split() for part in parts if ":" not in part and not part.startswith("-")]
    excluded = [part[1:].split() for part in parts if ":" not in part and part.startswith("-")]
    passing = {item.key for item in made if all(_matches(item, f) for f in filters)}
    total_tokens = sum(len(c) for _, columns in documents.values() for c in columns)
    avgdl = total_tokens / len(documents)
    idf = []
    for phrase in terms:
        hits = sum(1 for _, c in documents.values() if sum(_occurrences(c, phrase)))
        value = math.log((len(documents) - hits + 0.5) / (hits + 0.5))
        idf.append(value if value > 0 else 1e-6)
    ranked = []
    for pk, (key, columns) in documents.items():
        counts = [_occurrences(columns, phrase) for phrase in terms]
        if key not in visible or key not in passing or not all(sum(c) for c in counts):
            continue
        if any(sum(_occurrences(columns, phrase)) for phrase in excluded):
            continue
        size = sum(len(c) for c in columns)
        score = 0.0
        for weight_of, per_column in zip(idf, counts, strict=True):
            freq = sum(w * n for w, n in zip(WEIGHTS, per_column, strict=True))
            score += weight_of * ((freq * (K1 + 1.0)) / (freq + K1 * (1 - B + B * size / avgdl)))
        ranked.append((-score, pk, key))
    return [key for _, _, key in sorted(ranked)]


SQLITE_ORDERED = (
    "zephyr",
    "quokka marzipan",
    "obelisk gazebo tundra",
    '"zephyr quokka"',
    "obelisk -tundra",
    'gazebo -"quokka zephyr"',
    "gazebo service:alpha-api",
    "zephyr -severity:SEV1",
    "marzipan status:published after:2024",
)


def _check_sqlite_order(made: list[Made], readers: list[User | None]) -> None:
    for user in readers:
        for text in SQLITE_ORDERED:
            expected = _sqlite_reference_order(text, user, made)
            assert expected, text
            assert _all_pages(text, user, per_page=6) == expected, (text, user)


def test_sqlite_order_equals_bm25_of_the_text_itself(
    made: list[Made], alice: User, charlie: User
) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("the order is FTS5's BM25; PostgreSQL ranks with ts_rank")
    readers = _readers(alice, charlie)
    _check_sqlite_order(made, readers)
    rng = random.Random(11)
    for postmortem in Postmortem.objects.order_by("pk")[:10]:
        postmortem.title = " ".join(_sentence(rng, 3))
        postmortem.summary = " ".join(_sentence(rng, 5))
        postmortem.save()
        if postmortem.pk % 2:
            index_postmortem(postmortem)
        else:
            record_revision(postmortem, author=postmortem.owner, summary="edited")
    _check_sqlite_order(made, readers)
    Postmortem.objects.filter(key__in=["PM-R000", "PM-R001"]).delete()
    _check_sqlite_order([m for m in made if m.key not in ("PM-R000", "PM-R001")], readers)
    rebuild()
    _check_sqlite_order([m for m in made if m.key not in ("PM-R000", "PM-R001")], readers)
