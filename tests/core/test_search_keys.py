"""Filter and visibility keys: the tokens, the date ranges, and both renderings of an expression.

The FTS5 rendering is run by a real SQLite FTS5 table (the same tokenizer as the index)
and compared with the expression's meaning evaluated here by hand.
"""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from secondstory.core.search import keys
from secondstory.core.search.keys import KeyExpression, OneOf


def test_document_keys_list_every_filterable_value_once() -> None:
    text = keys.document_keys(
        services=[3, 1, 3],
        teams=[2],
        tags=[7],
        severities=[1],
        factors=[4, 4],
        status_code="published",
        created=date(2025, 3, 9),
        restricted=True,
        readers=[5, 5, 8],
        is_exercise=True,
    )
    assert text.split() == [
        "xa0", "xs1", "xs3", "xt2", "xg7", "xv1", "xf4", "xp3",
        "xc202", "xy2025", "xm202503", "xd20250309", "xr1", "xu5", "xu8", "xe1",
    ]  # fmt: skip
    assert keys.facet_keys(text) == "xs1 xs3 xt2 xv1 xf4 xp3 xy2025 xe1"


def test_every_document_says_whether_it_is_an_exercise_last() -> None:
    assert keys.document_keys().split() == ["xa0", "xe0"]
    assert keys.document_keys(services=[1], is_exercise=True).split()[-1] == "xe1"
    assert keys.facet_keys(keys.document_keys()) == "xe0"


def test_readers_are_keys_of_restricted_documents_only() -> None:
    assert "xu5" not in keys.document_keys(readers=[5])
    assert "xk2" not in keys.document_keys(teams=[2], access_teams=[2])
    restricted = keys.document_keys(teams=[2, 3], restricted=True, access_teams=[2])
    assert restricted.split() == ["xa0", "xt2", "xt3", "xr1", "xk2", "xe0"]
    assert keys.facet_keys(restricted) == "xt2 xt3 xe0"  # access tokens are never facets
    assert keys.status("unknown") is None


DATES = st.dates(min_value=date(1900, 1, 1), max_value=date(2199, 12, 31))


@settings(max_examples=500, deadline=None)
@given(DATES, DATES)
def test_date_tokens_cover_exactly_the_days_before_and_from_a_date(day: date, limit: date) -> None:
    tokens = set(keys.day_tokens(day))
    assert bool(tokens & set(keys.before_tokens(limit))) == (day < limit)
    assert bool(tokens & set(keys.after_tokens(limit))) == (day >= limit)


def test_before_tokens_stay_few() -> None:
    assert len(keys.after_tokens(date(2025, 3, 9))) < 70
    assert keys.after_tokens(date(2024, 1, 1))[:6] == [f"xy{y}" for y in range(2024, 2030)]
    assert keys.after_tokens(date(2030, 1, 1))[0] == "xc203"
    assert keys.after_tokens(date(2025, 6, 1))[0] == "xm202506"
    assert len(keys.before_tokens(date(2031, 12, 31))) < 70
    assert keys.before_tokens(date(1900, 1, 1)) == []


def test_an_empty_required_clause_matches_nothing() -> None:
    expression = KeyExpression(required=(OneOf(()),))
    assert expression.matches_nothing
    with pytest.raises(ValueError):
        expression.fts5()


def test_renderings() -> None:
    expression = KeyExpression(
        required=(OneOf(("xs1", "xs2")),),
        excluded=(OneOf(("xt3",)),),
        hidden=True,
        readers=("xu5", "xt4"),
    )
    assert expression.fts5('"pool"') == (
        '((("pool") AND {keys}: (xs1 OR xs2)) NOT ({keys}: xt3)) '
        "NOT ({keys}: (xr1 NOT (xu5 OR xt4)))"
    )
    assert expression.tsquery() == "xa0 & (xs1 | xs2) & !xt3 & !(xr1 & !(xu5 | xt4))"
    assert KeyExpression().fts5() == "{keys}: xa0"
    assert KeyExpression(hidden=True).tsquery() == "xa0 & !xr1"


# ---- the FTS5 rendering against a real FTS5 table ------------------------------------------

SERVICES = ["xs1", "xs2", "xs3"]
TEAMS = ["xt1", "xt2"]
PEOPLE = ["xu1", "xu2"]


@st.composite
def documents(draw: st.DrawFn) -> list[tuple[str, set[str]]]:
    rows = []
    for _ in range(draw(st.integers(1, 12))):
        tokens = {"xa0"} | set(draw(st.lists(st.sampled_from(SERVICES + TEAMS), max_size=3)))
        if draw(st.booleans()):
            tokens |= {"xr1"} | set(draw(st.lists(st.sampled_from(PEOPLE), max_size=2)))
        words = draw(st.sampled_from(["pool timeout", "pool", "timeout", "dns"]))
        rows.append((words, tokens))
    return rows


clauses = st.lists(st.sampled_from(SERVICES + TEAMS), min_size=1, max_size=2).map(
    lambda tokens: OneOf(tuple(tokens))
)


@st.composite
def expressions(draw: st.DrawFn) -> KeyExpression:
    hidden = draw(st.booleans())
    readers = tuple(draw(st.lists(st.sampled_from(PEOPLE + TEAMS), max_size=2))) if hidden else ()
    return KeyExpression(
        tuple(draw(st.lists(clauses, max_size=2))),
        tuple(draw(st.lists(clauses, max_size=2))),
        hidden,
        readers,
    )


def _meaning(expression: KeyExpression, tokens: set[str]) -> bool:
    if not all(tokens & set(c.tokens) for c in expression.required):
        return False
    if any(tokens & set(c.tokens) for c in expression.excluded):
        return False
    if expression.hidden and "xr1" in tokens:
        return bool(tokens & set(expression.readers))
    return True


@settings(max_examples=200, deadline=None)
@given(documents(), expressions(), st.sampled_from([None, '"pool"', '"pool" AND "timeout"']))
def test_the_fts5_rendering_means_what_it_says(
    rows: list[tuple[str, set[str]]], expression: KeyExpression, words: str | None
) -> None:
    db = sqlite3.connect(":memory:")
    db.execute(
        "CREATE VIRTUAL TABLE f USING fts5(text, keys, "
        "tokenize='porter unicode61 remove_diacritics 2')"
    )
    db.executemany(
        "INSERT INTO f(rowid, text, keys) VALUES (?, ?, ?)",
        [(i, text, " ".join(sorted(tokens))) for i, (text, tokens) in enumerate(rows, 1)],
    )
    found = {
        r for (r,) in db.execute("SELECT rowid FROM f WHERE f MATCH ?", (expression.fts5(words),))
    }
    wanted = {word.strip('"') for word in (words or "").split(" AND ") if word}
    expected = {
        i
        for i, (text, tokens) in enumerate(rows, 1)
        if wanted <= set(text.split()) and _meaning(expression, tokens)
    }
    assert found == expected
    # Ranking checks the keys of the documents it reads in Python: the same rule as FTS5's.
    admitted = {
        i
        for i, (text, tokens) in enumerate(rows, 1)
        if wanted <= set(text.split()) and expression.admits(tokens)
    }
    assert admitted == found


def test_day_tokens_of_consecutive_days_differ_only_where_they_should() -> None:
    day = date(2029, 12, 31)
    later = day + timedelta(days=1)
    assert keys.day_tokens(later) == ["xc203", "xy2030", "xm203001", "xd20300101"]


def test_what_an_expression_without_required_clauses_takes_away() -> None:
    hidden = KeyExpression(excluded=(OneOf(("xs1", "xs2")),), hidden=True, readers=("xu5",))
    assert keys.removed_tsquery(hidden) == "(xs1 | xs2) | (xr1 & !xu5)"
    assert keys.removed_tsquery(KeyExpression(hidden=True)) == "xr1"
    assert keys.removed_tsquery(KeyExpression()) is None
    with pytest.raises(ValueError):
        keys.removed_tsquery(KeyExpression(required=(OneOf(("xs1",)),)))


@pytest.mark.parametrize(
    "limit",
    [
        date(2020, 1, 1),
        date(2024, 1, 1),
        date(2025, 6, 1),
        date(2025, 12, 31),
        date(2029, 12, 31),
        date(1900, 1, 1),
        date(2199, 12, 31),
    ],
)
def test_date_tokens_split_exactly_at_edges(limit: date) -> None:
    for offset in (-400, -32, -1, 0, 1, 31, 400):
        try:
            day = limit + timedelta(days=offset)
        except OverflowError:
            continue
        if not date(1900, 1, 1) <= day <= date(2199, 12, 31):
            continue
        tokens = set(keys.day_tokens(day))
        assert bool(tokens & set(keys.after_tokens(limit))) == (day >= limit), day
        assert bool(tokens & set(keys.before_tokens(limit))) == (day < limit), day
