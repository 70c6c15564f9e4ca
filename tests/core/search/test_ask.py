"""Questions in plain words become search queries (no database)."""

from __future__ import annotations

import pytest

from secondstory.core.search.ask import Name, QuestionError, attempts, understand
from secondstory.core.search.query import render

NAMES = [
    Name("service", "checkout-api", "Checkout API"),
    Name("service", "orders-db", "Orders database"),
    Name("service", "edge", "Edge proxy and DNS"),
    Name("team", "platform", "Platform & SRE"),
]


def test_question_words_and_stop_words_are_dropped() -> None:
    understood = understand("Why has the deploy ever failed, and who noticed it?", [])
    assert understood.words == ("deploy", "failed", "noticed")
    assert understood.names == ()


def test_split_compounds_are_joined() -> None:
    assert understand("has it timed out or failed over?", []).words == ("timeout", "failover")
    assert understand("when did we run out of connections", []).words == (
        "exhausted",
        "connections",
    )


def test_service_and_team_names_become_filters() -> None:
    understood = understand("has checkout ever timed out after a deploy?", NAMES)
    assert understood.words == ("timeout", "deploy")
    assert understood.names == (NAMES[0],)
    assert render(understood.query()) == "timeout deploy service:checkout-api"
    multi = understand("did the Orders Database lag for platform?", NAMES)
    assert [n.slug for n in multi.names] == ["orders-db", "platform"]
    assert multi.words == ("lag",)


def test_attempts_go_from_strict_to_loose_without_repeats() -> None:
    tried = [render(q) for q in attempts(understand("checkout timeout after deploy", NAMES))]
    assert tried == [
        "timeout deploy service:checkout-api",
        "timeout deploy checkout",
        "timeout service:checkout-api",
        "deploy service:checkout-api",
        "timeout checkout",
        "deploy checkout",
    ]
    assert len(tried) == len(set(tried))


def test_a_question_of_names_only_lists_their_postmortems() -> None:
    tried = attempts(understand("what about orders-db?", NAMES))
    assert [render(q) for q in tried] == ["service:orders-db", "orders db"]


@pytest.mark.parametrize("question", ["", "   ", "why did it happen?", "?!"])
def test_a_question_with_nothing_to_look_for_says_so(question: str) -> None:
    with pytest.raises(QuestionError, match="no words to look for"):
        understand(question, NAMES)


def test_a_too_long_question_is_refused() -> None:
    with pytest.raises(QuestionError, match="longer than 1000"):
        understand("pool " * 300, NAMES)
