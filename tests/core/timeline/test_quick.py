"""Quick capture: fixture files of input and expected events, plus properties of the parser."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from secondstory.core.timeline.quick import (
    CapturedLine,
    LocalTimeError,
    format_offset,
    parse_quick_lines,
    resolve_local_time,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "quick"


def describe(line: CapturedLine) -> str:
    """One line of an ``expected`` block."""
    if line.error:
        return f"{line.line_number}: ERROR {line.error}"
    assert line.at is not None
    text = line.text.replace("\n", " / ")
    later = "" if line.known_at_the_time else " (learned later)"
    note = f" ~ {line.note}" if line.note else ""
    event = f"{line.at.isoformat()} [{line.kind}] <{line.actor}> {text}"
    return f"{line.line_number}: {event}{later}{note}"


def load(path: Path) -> tuple[date, ZoneInfo, str, list[str]]:
    header, rest = path.read_text(encoding="utf-8").split("=== input\n", 1)
    text, expected = rest.split("=== expected\n", 1)
    settings = dict(line.split(": ", 1) for line in header.strip().splitlines())
    return (
        date.fromisoformat(settings["date"]),
        ZoneInfo(settings["zone"]),
        text,
        expected.strip().splitlines(),
    )


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.txt")), ids=lambda p: p.stem)
def test_fixture(path: Path) -> None:
    default_date, zone, text, expected = load(path)
    lines = parse_quick_lines(text, default_date=default_date, default_zone=zone)
    assert [describe(line) for line in lines] == expected


def test_there_are_fixtures() -> None:
    assert len(list(FIXTURES.glob("*.txt"))) >= 8


def test_an_offset_is_kept_and_the_instant_is_exact() -> None:
    [line] = parse_quick_lines("14:02 +05:30 x", default_date=date(2026, 3, 4), default_zone=UTC)
    assert line.at == datetime(2026, 3, 4, 8, 32, tzinfo=UTC)
    assert line.at is not None and format_offset(line.at) == "+05:30"


def test_a_fixed_offset_zone_works_as_default() -> None:
    zone = timezone(timedelta(hours=-3))
    [line] = parse_quick_lines("23:00 x", default_date=date(2026, 3, 4), default_zone=zone)
    assert line.at == datetime(2026, 3, 5, 2, 0, tzinfo=UTC)


def test_errors_do_not_move_the_running_date() -> None:
    text = "23:50 a\n2026-13-01 00:00 bad\n00:10 b"
    lines = parse_quick_lines(text, default_date=date(2026, 3, 4), default_zone=UTC)
    assert [line.ok for line in lines] == [True, False, True]
    assert lines[2].at == datetime(2026, 3, 5, 0, 10, tzinfo=UTC)
    assert "across midnight" in lines[2].note


def test_empty_text_gives_no_lines() -> None:
    assert (
        parse_quick_lines(
            "\n  \n# only a comment\n", default_date=date(2026, 1, 1), default_zone=UTC
        )
        == []
    )


def test_resolve_local_time_names_both_offsets_of_a_fold() -> None:
    with pytest.raises(LocalTimeError, match=r"at -04:00 and at -05:00"):
        resolve_local_time(datetime(2026, 11, 1, 1, 30), ZoneInfo("America/New_York"))


@given(
    hour=st.integers(0, 23),
    minute=st.integers(0, 59),
    text=st.text(
        alphabet=st.characters(
            blacklist_categories=("Cc", "Cs", "Zl", "Zp"), blacklist_characters="<"
        ),
        min_size=1,
    ).filter(lambda t: t.strip() and not t.strip().lower().endswith("(learned later)")),
)
def test_any_valid_time_and_text_round_trips(hour: int, minute: int, text: str) -> None:
    line = f"{hour:02d}:{minute:02d} [chat] {text.strip()}"
    [parsed] = parse_quick_lines(line, default_date=date(2026, 3, 4), default_zone=UTC)
    assert parsed.ok, parsed.error
    assert parsed.at == datetime(2026, 3, 4, hour, minute, tzinfo=UTC)
    assert parsed.kind == "chat"
    assert parsed.text


@given(st.text())
def test_the_parser_never_crashes(text: str) -> None:
    for line in parse_quick_lines(
        text, default_date=date(2026, 3, 4), default_zone=ZoneInfo("Europe/Berlin")
    ):
        assert line.ok != bool(line.error)
        assert line.ok == (line.at is not None)
