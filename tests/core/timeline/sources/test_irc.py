"""IRC logs: one fixture pair per logger style, dates, roll-overs, errors and fuzzing."""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from secondstory.core.timeline.event import TimelineEvent
from secondstory.core.timeline.sources import irc
from secondstory.core.timeline.sources.base import ParseOptions, Source, SourceError
from tests.core.timeline.sources import support

FIXTURES = support.FIXTURES
IRC = FIXTURES / "irc"
BERLIN = ZoneInfo("Europe/Berlin")

CASES = [
    ("irssi-ops.log", "irssi-ops.expected.jsonl", BERLIN, None),
    ("irc.northwind.#ops.weechatlog", "irc.northwind.#ops.expected.jsonl", BERLIN, None),
    ("znc/#ops_20240115.log", "znc/#ops_20240115.expected.jsonl", BERLIN, None),
    ("znc/#ops/2024-01-15.log", "znc/#ops/2024-01-15.expected.jsonl", BERLIN, None),
    ("supybot/#ops.2024-01-16.log", "supybot/#ops.2024-01-16.expected.jsonl", BERLIN, None),
    (
        "limnoria/#inc-db.2024-05-02.log",
        "limnoria/#inc-db.2024-05-02.expected.jsonl",
        None,
        None,
    ),
    (
        "yearend-ops.log",
        "yearend-ops.expected.jsonl",
        ZoneInfo("America/New_York"),
        date(2023, 6, 1),
    ),
]


def run(
    path: Path, options: ParseOptions, name: str | None = None
) -> tuple[list[TimelineEvent], Source]:
    source = Source(path, name=name or str(path))
    return list(irc.parse(source, options)), source


@pytest.mark.parametrize(("log", "result", "zone", "day"), CASES)
def test_each_style_gives_the_expected_events(
    log: str, result: str, zone: tzinfo | None, day: date | None
) -> None:
    events, _ = run(IRC / log, ParseOptions(tz=zone, date=day))
    support.assert_expected(events, IRC / result)
    for event in events:
        assert event.kind == "chat"
        assert event.raw is not None
        lines = (IRC / log).read_bytes().splitlines()
        assert event.raw["line_number"] >= 1
        assert (
            lines[event.raw["line_number"] - 1]
            .decode("utf-8", "replace")
            .startswith(event.raw["line"][:5])
        )


@pytest.mark.parametrize(("log", "result", "zone", "day"), CASES)
def test_every_fixture_is_sniffed_as_irc(
    log: str, result: str, zone: tzinfo | None, day: date | None
) -> None:
    assert irc.sniff(Source(IRC / log))


def test_sniff_claims_no_other_input() -> None:
    assert support.claimed_elsewhere(irc.sniff, {"irc"}, files_only=True) == []
    assert not irc.sniff(Source(IRC))


def test_irssi_lines_without_markers_are_left_to_plain(tmp_path: Path) -> None:
    path = tmp_path / "x.log"
    path.write_text("14:02 <ana> is anyone seeing 503s?\n14:03 <tom> yes\n", encoding="utf-8")
    assert not irc.sniff(Source(path))
    events, _ = run(path, ParseOptions(tz=UTC, date=date(2024, 5, 2)))
    assert [e.at for e in events] == [
        datetime(2024, 5, 2, 14, 2, tzinfo=UTC),
        datetime(2024, 5, 2, 14, 3, tzinfo=UTC),
    ]


def test_unmatched_lines_are_warnings_with_line_numbers() -> None:
    _, source = run(IRC / "irssi-ops.log", ParseOptions(tz=BERLIN), name="irssi-ops.log")
    assert source.warnings == [
        "irssi-ops.log:3: not an IRC log line; skipped",
        "irssi-ops.log:21: not an IRC log line; skipped",
    ]


def test_a_windows_1252_line_is_read() -> None:
    events, _ = run(IRC / "irssi-ops.log", ParseOptions(tz=BERLIN))
    assert "café machine says the queue is drained" in [e.text for e in events]


def test_the_same_line_from_two_clients_gets_the_same_ref() -> None:
    weechat, _ = run(IRC / "irc.northwind.#ops.weechatlog", ParseOptions(tz=BERLIN))
    znc, _ = run(IRC / "znc" / "#ops_20240115.log", ParseOptions(tz=BERLIN))
    shared = {e.source_ref for e in weechat} & {e.source_ref for e in znc}
    assert len(shared) == 5


def test_refs_do_not_move_when_the_log_grows_at_the_top(tmp_path: Path) -> None:
    original = (IRC / "znc" / "#ops_20240115.log").read_text(encoding="utf-8")
    grown = tmp_path / "#ops_20240115.log"
    grown.write_text("[08:00:00] <lea> earlier line\n" + original, encoding="utf-8")
    before, _ = run(IRC / "znc" / "#ops_20240115.log", ParseOptions(tz=BERLIN))
    after, _ = run(grown, ParseOptions(tz=BERLIN))
    assert [e.source_ref for e in after[1:]] == [e.source_ref for e in before]
    assert len({e.source_ref for e in after}) == len(after)


def test_identical_lines_get_distinct_refs() -> None:
    events, _ = run(IRC / "irssi-ops.log", ParseOptions(tz=BERLIN))
    pings = [e.source_ref for e in events if e.text == "ping"]
    assert len(pings) == 2
    assert pings[1] == pings[0] + "-2"


def test_lines_with_an_offset_need_no_zone_and_keep_theirs(tmp_path: Path) -> None:
    path = tmp_path / "ops.log"
    path.write_text(
        "2024-05-02T14:03:11+0000  <ana> checkout down\n"
        "2024-05-02T16:04:00+02:00  <ben> looking\n"
        "2024-05-02T14:05:00Z  <ana> rolled back\n"
    )
    assert irc.sniff(Source(path))
    for options in (ParseOptions(), ParseOptions(tz=BERLIN)):
        events, _ = run(path, options)
        assert [(e.utc, e.utc_offset_minutes) for e in events] == [
            (datetime(2024, 5, 2, 14, 3, 11, tzinfo=UTC), 0),
            (datetime(2024, 5, 2, 14, 4, tzinfo=UTC), 120),
            (datetime(2024, 5, 2, 14, 5, tzinfo=UTC), 0),
        ]


def test_a_line_without_an_offset_among_lines_with_one_asks_for_the_zone(tmp_path: Path) -> None:
    path = tmp_path / "ops.log"
    path.write_text("2024-05-02T14:03:11+0000  <ana> down\n2024-05-02T14:04:00  <ben> looking\n")
    with pytest.raises(SourceError, match=r"ops.log:2: tz: .*--tz"):
        run(path, ParseOptions())


def test_the_zone_is_required() -> None:
    with pytest.raises(SourceError, match="--tz") as caught:
        run(IRC / "irssi-ops.log", ParseOptions())
    assert caught.value.field == "tz"


def test_lines_without_any_date_ask_for_one(tmp_path: Path) -> None:
    path = tmp_path / "ops.log"
    path.write_text("[08:42:11] <ana> hello\n", encoding="utf-8")
    with pytest.raises(SourceError, match="--date") as caught:
        run(path, ParseOptions(tz=UTC), name="ops.log")
    assert (caught.value.file, caught.value.line, caught.value.field) == ("ops.log", 1, "date")
    events, _ = run(path, ParseOptions(tz=UTC, date=date(2024, 2, 3)))
    assert events[0].at == datetime(2024, 2, 3, 8, 42, 11, tzinfo=UTC)


def test_year_less_lines_ask_for_the_year(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="--date") as caught:
        run(IRC / "yearend-ops.log", ParseOptions(tz=UTC))
    assert caught.value.line == 1


def test_the_file_name_date_wins_over_the_option() -> None:
    events, _ = run(
        IRC / "znc" / "#ops_20240115.log", ParseOptions(tz=BERLIN, date=date(2020, 1, 1))
    )
    assert {e.at.date() for e in events} == {date(2024, 1, 15)}


def test_a_clock_going_back_over_twelve_hours_is_the_next_day(tmp_path: Path) -> None:
    path = tmp_path / "ops.log"
    path.write_text(
        "[22:00:00] <a> one\n[21:00:00] <a> back an hour\n[08:30:00] <a> next morning\n",
        encoding="utf-8",
    )
    events, _ = run(path, ParseOptions(tz=UTC, date=date(2024, 12, 31)))
    assert [e.at.isoformat() for e in events] == [
        "2024-12-31T22:00:00+00:00",
        "2024-12-31T21:00:00+00:00",
        "2025-01-01T08:30:00+00:00",
    ]


def test_channel_selection_uses_the_file_name() -> None:
    log = IRC / "znc" / "#ops_20240115.log"
    assert run(log, ParseOptions(tz=BERLIN, channels=("#ops",)))[0]
    assert run(log, ParseOptions(tz=BERLIN, channels=("ops",)))[0]
    assert not run(log, ParseOptions(tz=BERLIN, channels=("#payments",)))[0]


def test_the_window_is_respected() -> None:
    since = datetime(2024, 1, 15, 7, 44, tzinfo=UTC)
    until = datetime(2024, 1, 15, 8, 15, tzinfo=UTC)
    events, _ = run(
        IRC / "znc" / "#ops_20240115.log", ParseOptions(tz=BERLIN, since=since, until=until)
    )
    assert [e.text[:12] for e in events] == [
        "ana set mode",
        "edge-pool: 2",
        "lea left #op",
        "tomas quit (",
    ]


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ("[25:00:00] <ana> too late", "time"),
        ("2024-02-30T08:00:00  <ana> no such day", "date"),
        ("2024-13-01 08:00:00\tana\tno such month", "date"),
        ("[31 Feb 08:00] <ana> no such day", "date"),
        ("[12 Foo 08:00] <ana> no such month", "date"),
        ("--- Day changed Mon Jan 32 2024", "date"),
    ],
)
def test_impossible_times_are_errors(tmp_path: Path, line: str, field: str) -> None:
    path = tmp_path / "bad.log"
    path.write_text("[08:00:00] <ana> first\n" + line + "\n", encoding="utf-8")
    with pytest.raises(SourceError) as caught:
        run(path, ParseOptions(tz=UTC, date=date(2024, 1, 1)))
    assert (caught.value.line, caught.value.field) == (2, field)


def test_a_time_the_clocks_skipped_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "ops.log"
    path.write_text("2024-03-31T02:30:00  <ana> this hour never happened\n", encoding="utf-8")
    with pytest.raises(SourceError, match="does not exist") as caught:
        run(path, ParseOptions(tz=BERLIN))
    assert caught.value.line == 1


@pytest.mark.parametrize(
    ("body", "text"),
    [
        (
            'ana has changed topic for #ops to "deploy freeze"',
            "ana changed the topic of #ops to: deploy freeze",
        ),
        (
            'ana has changed topic for #ops from "a" to "b" to "c"',
            "ana changed the topic of #ops to: c",
        ),
        ("ana has kicked spambot", "ana kicked spambot from #ops"),
        ("Notice(NorthwindBot): rollback done", "rollback done"),
    ],
)
def test_weechat_status_lines(tmp_path: Path, body: str, text: str) -> None:
    path = tmp_path / "irc.northwind.#ops.weechatlog"
    path.write_text(f"2024-01-15 08:00:00\t--\t{body}\n", encoding="utf-8")
    events, _ = run(path, ParseOptions(tz=UTC))
    assert [e.text for e in events] == [text]


def test_weechat_chatter_is_skipped_silently(tmp_path: Path) -> None:
    path = tmp_path / "irc.northwind.#ops.weechatlog"
    path.write_text(
        "2024-01-15 08:00:00\t--\tChannel #ops: 6 nicks\n"
        '2024-01-15 08:00:01\t--\tana has changed topic for #ops from "a"\n'
        "2024-01-15 08:00:02\tana\thello\n",
        encoding="utf-8",
    )
    events, source = run(path, ParseOptions(tz=UTC))
    assert [e.text for e in events] == ["hello"]
    assert source.warnings == []


def test_empty_messages_and_overlong_lines_are_warnings(tmp_path: Path) -> None:
    path = tmp_path / "ops.log"
    long_line = "[08:00:02] <ana> " + '" to "' * 2000
    path.write_text(
        "[08:00:00] <ana> \n" + long_line + "\n[08:00:03] <ana> fine\n", encoding="utf-8"
    )
    events, source = run(path, ParseOptions(tz=UTC, date=date(2024, 1, 1)), name="ops.log")
    assert [e.text for e in events] == ["fine"]
    assert source.warnings == [
        "ops.log:1: a message with no text; skipped",
        "ops.log:2: longer than any IRC log line; skipped",
    ]


def test_adversarial_lines_do_not_hang(tmp_path: Path) -> None:
    pieces = ['" to "', ") ", "] ", " " * 40 + "x", "\\u"]
    lines = []
    for piece in pieces:
        filler = piece * (4000 // len(piece))
        lines += [
            f'2024-01-15 08:00:00\t--\tana has changed topic for #ops from "{filler}',
            f"[08:00:00] *** ana sets mode: {filler}",
            f"08:00 -!- bob [x] has left #ops [{filler}",
            f"[08:00:00] *** Parts: bob ({filler}",
        ]
    path = tmp_path / "ops.log"
    path.write_text("\n".join(lines * 20), encoding="utf-8")
    events, source = run(path, ParseOptions(tz=UTC, date=date(2024, 1, 1)))
    # Every line is an event or a warning (WeeChat topic lines cut short are chatter).
    topics = len(pieces) * 20
    assert len(events) + source.warning_count + topics == len(lines) * 20
    assert {e.text.split(" ", 2)[1] for e in events} == {"set", "left"}


def test_a_file_with_no_irc_line_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("just\nsome notes\n", encoding="utf-8")
    assert not irc.sniff(Source(path))
    with pytest.raises(SourceError, match="no line looks like an IRC log line"):
        run(path, ParseOptions(tz=UTC))


# --- fuzzing -----------------------------------------------------------------------------------


FIXTURE_LINES = sorted(
    {
        line
        for path in IRC.rglob("*.log")
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines()
    }
    | set((IRC / "irc.northwind.#ops.weechatlog").read_text(encoding="utf-8").splitlines())
)
OPTIONS = st.sampled_from(
    [
        ParseOptions(),
        ParseOptions(tz=UTC),
        ParseOptions(tz=BERLIN, date=date(2024, 3, 31)),
        ParseOptions(tz=UTC, date=date(9999, 12, 31)),
        ParseOptions(tz=ZoneInfo("Pacific/Kiritimati"), date=date(1, 1, 1)),
    ]
)


def parse_bytes(data: bytes, options: ParseOptions, name: str = "fuzz.log") -> None:
    support.parses_or_fails_cleanly(irc, data, options, name=name, kinds={"chat"})


@support.FUZZ
@given(st.binary(max_size=2000), OPTIONS)
def test_arbitrary_bytes_parse_or_fail_cleanly(data: bytes, options: ParseOptions) -> None:
    parse_bytes(data, options)


def mutate(line: str, data: st.DataObject) -> str:
    chars = list(line)
    for _ in range(data.draw(st.integers(0, 3))):
        if not chars:
            break
        position = data.draw(st.integers(0, len(chars) - 1))
        chars[position] = data.draw(st.sampled_from(list("0123456789:[]<>*-+!#\t @ZJan ")))
    return "".join(chars)


@support.FUZZ
@given(st.data(), OPTIONS, st.sampled_from(["fuzz.log", "#ops_99991231.log", "00010101.log"]))
def test_mutated_log_lines_parse_or_fail_cleanly(
    data: st.DataObject, options: ParseOptions, name: str
) -> None:
    lines = data.draw(st.lists(st.sampled_from(FIXTURE_LINES), min_size=1, max_size=12))
    text = "\n".join(mutate(line, data) for line in lines)
    parse_bytes(text.encode("utf-8"), options, name)


@support.FUZZ
@given(st.lists(st.text(alphabet="0123456789:[]<>*-!# \tTJan", max_size=30), max_size=10))
def test_line_shaped_text_parses_or_fails_cleanly(lines: list[str]) -> None:
    parse_bytes("\n".join(lines).encode(), ParseOptions(tz=UTC, date=date(2024, 1, 1)))
