"""The search query language."""

from __future__ import annotations

import contextlib
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from secondstory.core.search.query import (
    Filter,
    Query,
    QueryError,
    Term,
    add_filter,
    parse,
    render,
)


def test_words_phrases_exclusions_and_filters() -> None:
    query = parse(
        'Pool "Config  Change" -retry -"load test" service:checkout '
        'factor:"config change" -team:payments after:2025-01 before:2025-07-15'
    )
    assert query.terms == (
        Term(("pool",)),
        Term(("config", "change")),
        Term(("retry",), negated=True),
        Term(("load", "test"), negated=True),
    )
    assert query.filters == (
        Filter("service", "checkout"),
        Filter("factor", "config change"),
        Filter("team", "payments", negated=True),
        Filter("after", "2025-01", day=date(2025, 1, 1)),
        Filter("before", "2025-07-15", day=date(2025, 7, 15)),
    )
    assert [t.text for t in query.positive] == ["pool", "config change"]
    assert [t.text for t in query.excluded] == ["retry", "load test"]


def test_field_names_are_case_insensitive_and_a_year_is_its_first_day() -> None:
    assert parse("Severity:SEV1 AFTER:2024").filters == (
        Filter("severity", "SEV1"),
        Filter("after", "2024", day=date(2024, 1, 1)),
    )


def test_punctuation_splits_words() -> None:
    assert parse("pool-size").terms == (Term(("pool", "size")),)
    assert parse("pool_size").terms == (Term(("pool", "size")),)
    assert parse("_ -__").is_empty
    assert parse("!!! ,").is_empty


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("owner:alice", "unknown field 'owner'"),
        ("-colour:red", "unknown field 'colour'"),
        ("service:", "service: needs a value"),
        ('factor:"', "unclosed quote"),
        ('"pool', "unclosed quote"),
        ("after:2025-13", "after: '2025-13' is not a real date"),
        ("before:yesterday", "before: 'yesterday' is not a date"),
        ("-after:2025", "after: a date filter cannot be negated"),
        ("x" * 1001, "longer than 1000"),
        (" ".join(["w"] * 41), "more than 40 parts"),
    ],
)
def test_bad_queries_name_the_problem(text: str, message: str) -> None:
    with pytest.raises(QueryError, match=message):
        parse(text)


def test_render_round_trips() -> None:
    text = 'pool "config change" -retry service:checkout factor:"config change" after:2025-01'
    assert render(parse(text)) == text
    assert parse(render(parse(text))) == parse(text)


def test_add_filter_adds_once() -> None:
    query = add_filter(parse("pool"), "service", "checkout")
    assert render(query) == "pool service:checkout"
    assert add_filter(query, "service", "checkout") == query
    with pytest.raises(QueryError, match="unknown field 'owner'"):
        add_filter(query, "owner", "alice")


def test_empty_query() -> None:
    assert parse("   ") == Query()


@given(st.text(max_size=200))
def test_parser_raises_only_query_error(text: str) -> None:
    try:
        query = parse(text)
    except QueryError:
        return
    assert parse(render(query)) == query


@given(
    st.lists(
        st.sampled_from(['"', "-", ":", "service:", "after:", " ", "a", "é", '"x y"', "\t"]),
        max_size=30,
    )
)
def test_parser_raises_only_query_error_on_tricky_pieces(pieces: list[str]) -> None:
    with contextlib.suppress(QueryError):
        parse("".join(pieces))
