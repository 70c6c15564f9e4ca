"""Comment anchors find their passage again after edits elsewhere, and know when it is gone."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from secondstory.core.anchors import context, locate, replace

TEXT = (
    "The pool was lowered to 20 connections.\n"
    "Checkout retried. The pool was lowered to 20 connections again later."
)


def test_a_unique_quote_is_found_across_line_breaks() -> None:
    span = locate("We saw the\nretry storm grow.", "the retry storm")
    assert span is not None and (span.start, span.end) == (7, 22)


def test_an_ambiguous_quote_takes_the_occurrence_whose_surroundings_match() -> None:
    second = TEXT.index("The pool", 10)
    span = locate(TEXT, "The pool was lowered", prefix="Checkout retried. ", suffix=" to 20")
    assert span is not None and span.start == second
    first = locate(TEXT, "The pool was lowered", prefix="", suffix=" to 20 connections.\nCh")
    assert first is not None and first.start == 0


def test_edits_elsewhere_keep_the_anchor_and_changed_words_make_it_outdated() -> None:
    span = locate(TEXT, "Checkout retried.")
    assert span is not None
    quote, prefix, suffix = context(TEXT, span)
    edited = "A new first line.\n" + TEXT
    moved = locate(edited, quote, prefix, suffix)
    assert moved is not None and edited[moved.start : moved.end] == "Checkout retried."
    assert locate(TEXT.replace("retried", "backed off"), quote, prefix, suffix) is None


def test_replace_changes_only_the_passage() -> None:
    span = locate(TEXT, "Checkout retried.")
    assert span is not None
    assert replace(TEXT, span, "Checkout clients retried.").count("clients") == 1


@given(
    st.text(alphabet="ab \n", max_size=60),
    st.text(alphabet="xyz", min_size=1, max_size=8),
    st.text(alphabet="ab \n", max_size=60),
)
def test_a_planted_quote_is_always_found(before: str, quote: str, after: str) -> None:
    text = before + quote + after
    span = locate(text, quote, before[-32:], after[:32])
    assert span is not None and text[span.start : span.end] == quote
