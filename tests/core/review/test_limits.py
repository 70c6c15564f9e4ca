"""Tables cell by cell, long lines in bounded pieces, a size limit and the fingerprint."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from secondstory.cli.main import cli
from secondstory.core.review import (
    MAX_REVIEW_CHARS,
    ReviewConfig,
    ReviewTooLargeError,
    fingerprint,
    review,
)
from secondstory.core.review.segment import MAX_SENTENCE, sentences

TABLE = (
    "| Time | Who | What |\n"
    "|---|---|---|\n"
    "| 14:02 | Dana | The engineer should have checked the dashboard |\n"
    "| 14:05 | Kofi | Restarted the primary |\n"
)


def test_a_table_is_read_once_cell_by_cell() -> None:
    cells = [s.text for s in sentences(TABLE)]
    assert cells == [
        "Time",
        "Who",
        "What",
        "14:02",
        "Dana",
        "The engineer should have checked the dashboard",
        "14:05",
        "Kofi",
        "Restarted the primary",
    ]
    found = review(TABLE)
    assert [(f.rule, TABLE[f.start : f.end]) for f in found] == [
        ("counterfactual", "should have checked")
    ]
    assert found[0].sentence == "The engineer should have checked the dashboard"


def test_an_escaped_pipe_stays_inside_its_cell() -> None:
    table = "| a | b |\n|---|---|\n| x \\| y | z |\n"
    assert "x \\| y" in [s.text for s in sentences(table)]


def test_a_long_line_is_read_in_bounded_pieces_that_cover_it() -> None:
    line = " ".join(["the queue grew"] * 400)
    pieces = sentences(line)
    assert len(pieces) > 1
    assert all(len(p.text) <= MAX_SENTENCE for p in pieces)
    assert all(line[p.start : p.start + len(p.text)] == p.text for p in pieces)
    assert " ".join(p.text for p in pieces) == line


def test_findings_in_a_long_line_are_found_in_every_piece() -> None:
    phrase = "and the engineer should have checked the dashboard"
    line = " ".join([phrase] * 100)
    found = [f for f in review(line) if f.rule == "counterfactual"]
    assert len(found) >= 95  # at most one per cut between pieces can be lost
    assert all(line[f.start : f.end] == "should have checked" for f in found)


def test_a_very_long_token_is_not_read_as_prose() -> None:
    blob = "a1b2-" * 40
    text = f"The job {blob} failed."
    [sentence] = sentences(text)
    assert sentence.text == "The job " + " " * len(blob) + " failed."


def test_text_over_the_limit_is_refused_with_its_size() -> None:
    limit = r"1,000,001 characters \(the limit is 1,000,000\)"
    with pytest.raises(ReviewTooLargeError, match=limit):
        review("x" * (MAX_REVIEW_CHARS + 1))


def test_the_cli_names_the_file_that_is_too_long(tmp_path: Path) -> None:
    huge = tmp_path / "huge.md"
    huge.write_text("It broke.\n" * (MAX_REVIEW_CHARS // 10 + 1), encoding="utf-8")
    result = CliRunner().invoke(cli, ["review", str(huge)])
    assert result.exit_code == 2
    assert f"{huge}: too long to review" in result.output
    assert "Traceback" not in result.output


def test_the_fingerprint_changes_with_everything_the_findings_depend_on() -> None:
    base = fingerprint("It broke.", names=["Dana"])
    assert base == fingerprint("It broke.", names=["Dana", "Dana"])
    assert base != fingerprint("It broke!", names=["Dana"])
    assert base != fingerprint("It broke.", names=["Kofi"])
    assert base != fingerprint("It broke.", names=["Dana"], preset="strict")
    assert base != fingerprint(
        "It broke.", names=["Dana"], config=ReviewConfig(disable=("hindsight",))
    )
