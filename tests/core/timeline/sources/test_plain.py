"""Plain timestamped lines: the fixture pair, continuations, roll-over, errors and fuzzing."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from secondstory.core.timeline.event import TimelineEvent, event_json
from secondstory.core.timeline.sources import plain
from secondstory.core.timeline.sources.base import ParseOptions, Source, SourceError
from tests.core.timeline.sources import support

FIXTURES = support.FIXTURES
NOTES = FIXTURES / "plain" / "bridge-notes.txt"
EXPECTED = FIXTURES / "plain" / "bridge-notes.expected.jsonl"
KOLKATA = ZoneInfo("Asia/Kolkata")
OPTIONS = ParseOptions(tz=KOLKATA, date=date(2024, 2, 29))


def run(path: Path, options: ParseOptions = OPTIONS) -> tuple[list[TimelineEvent], Source]:
    source = Source(path, name=path.name)
    return list(plain.parse(source, options)), source


def lines_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "notes.txt"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_notes_give_the_expected_events() -> None:
    events, source = run(NOTES)
    assert [event_json(e) for e in events] == support.read_expected(EXPECTED)
    assert source.warnings == ["bridge-notes.txt:9: does not start with a time HH:MM; skipped"]


def test_raw_keeps_the_lines() -> None:
    events, _ = run(NOTES)
    assert events[0].raw == {
        "line": "22:58 <ana> is anyone else seeing 503s on the storefront?",
        "line_number": 1,
    }
    assert events[3].raw == {
        "line": "23:05:30 <ana> declaring INC-2294, I am IC",
        "line_number": 4,
        "continued": ["  tomas owns the CDN side,", "  lea writes the status page"],
    }


def test_kind_follows_the_nick() -> None:
    events, _ = run(NOTES)
    assert {(bool(e.actor), e.kind) for e in events} == {(True, "chat"), (False, "observation")}


def test_midnight_rolls_over_and_offsets_are_kept() -> None:
    events, _ = run(NOTES)
    assert events[-1].at.isoformat() == "2024-03-01T00:20:00+05:30"
    assert events[0].at.isoformat() == "2024-02-29T22:58:00+05:30"


def test_date_and_zone_are_both_required() -> None:
    with pytest.raises(SourceError, match="--date") as caught:
        run(NOTES, ParseOptions(tz=UTC))
    assert (caught.value.field, caught.value.file) == ("date", "bridge-notes.txt")
    with pytest.raises(SourceError, match="--tz") as caught:
        run(NOTES, ParseOptions(date=date(2024, 2, 29)))
    assert caught.value.field == "tz"


def test_impossible_times_name_the_line(tmp_path: Path) -> None:
    path = lines_file(tmp_path, "10:00 fine\n24:10 too late\n")
    with pytest.raises(SourceError) as caught:
        run(path)
    assert (caught.value.file, caught.value.line, caught.value.field) == ("notes.txt", 2, "time")


def test_a_time_the_clocks_skipped_is_an_error(tmp_path: Path) -> None:
    path = lines_file(tmp_path, "02:30 the hour that never was\n")
    with pytest.raises(SourceError, match="does not exist") as caught:
        run(path, ParseOptions(tz=ZoneInfo("Europe/Berlin"), date=date(2024, 3, 31)))
    assert caught.value.line == 1


def test_a_time_without_text_is_skipped(tmp_path: Path) -> None:
    events, source = run(lines_file(tmp_path, "10:00\n10:01 <ana>\n10:02 something\n"))
    assert [e.text for e in events] == ["something"]
    assert source.warnings == [
        "notes.txt:1: a time with no text; skipped",
        "notes.txt:2: a time with no text; skipped",
    ]


def test_a_leading_continuation_is_a_warning(tmp_path: Path) -> None:
    events, source = run(lines_file(tmp_path, "  orphan\n10:02 something\n"))
    assert [e.text for e in events] == ["something"]
    assert source.warnings == ["notes.txt:1: a continued line with nothing before it; skipped"]


def test_refs_are_stable_and_unique(tmp_path: Path) -> None:
    first, _ = run(NOTES)
    grown = lines_file(tmp_path, "22:50 <lea> an earlier note\n" + NOTES.read_text())
    second, _ = run(grown)
    assert [e.source_ref for e in second[1:]] == [e.source_ref for e in first]
    assert len({e.source_ref for e in second}) == len(second)


def test_the_window_is_respected() -> None:
    since = datetime(2024, 2, 29, 18, 0, tzinfo=UTC)
    events, _ = run(NOTES, ParseOptions(tz=KOLKATA, date=date(2024, 2, 29), since=since))
    assert [e.text for e in events][:1] == ["rolled back edge config 771 to 770"]
    assert len(events) == 5


def test_sniff() -> None:
    assert plain.sniff(Source(NOTES))
    for name in ("discord/inc-2291-payments.json", "irc/irc.northwind.#ops.weechatlog"):
        assert not plain.sniff(Source(FIXTURES / name))
    assert not plain.sniff(Source(FIXTURES / "plain"))


def test_sniff_leaves_other_formats_alone() -> None:
    # IRC logs are tried before plain lines, so claiming an irssi log here is harmless.
    assert support.claimed_elsewhere(plain.sniff, {"plain", "irc"}) == []


def test_a_time_followed_by_a_tab_is_a_table_column(tmp_path: Path) -> None:
    path = lines_file(tmp_path, "time\tevent\n08:42\tfirst report\n08:45\tdeclared\n")
    assert not plain.sniff(Source(path))


def test_sniff_needs_most_lines_timed(tmp_path: Path) -> None:
    assert not plain.sniff(Source(lines_file(tmp_path, "10:00 one\nprose\nmore prose\n")))
    assert plain.sniff(Source(lines_file(tmp_path, "10:00 one\n  more\n  more\nprose\n10:01 x")))


def test_a_file_without_times_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no line starts with a time"):
        run(lines_file(tmp_path, "just prose\n"))


# --- fuzzing -----------------------------------------------------------------------------------

FUZZ_OPTIONS = st.sampled_from(
    [
        OPTIONS,
        ParseOptions(),
        ParseOptions(tz=UTC),
        ParseOptions(tz=ZoneInfo("Europe/Berlin"), date=date(2024, 3, 31)),
        ParseOptions(tz=UTC, date=date(9999, 12, 31)),
        ParseOptions(tz=ZoneInfo("Pacific/Kiritimati"), date=date(1, 1, 1)),
    ]
)


def parse_bytes(data: bytes, options: ParseOptions) -> None:
    kinds = ("chat", "observation")
    support.parses_or_fails_cleanly(plain, data, options, name="fuzz.txt", kinds=kinds)


@support.FUZZ
@given(st.binary(max_size=2000), FUZZ_OPTIONS)
def test_arbitrary_bytes_parse_or_fail_cleanly(data: bytes, options: ParseOptions) -> None:
    parse_bytes(data, options)


@support.FUZZ
@given(st.lists(st.text(alphabet="0123456789: <>@\tab\n", max_size=25), max_size=12), FUZZ_OPTIONS)
def test_line_shaped_text_parses_or_fails_cleanly(lines: list[str], options: ParseOptions) -> None:
    parse_bytes("\n".join(lines).encode(), options)


@support.FUZZ
@given(
    support.mutated_bytes(
        NOTES.read_bytes(), alphabet=b"0123456789: <>\n\t\xe9\xff", actions=["flip"]
    ),
    FUZZ_OPTIONS,
)
def test_mutated_notes_parse_or_fail_cleanly(data: bytes, options: ParseOptions) -> None:
    parse_bytes(data, options)
