"""The CSV importer: delimiters, quoting, encodings, column mappings and time columns."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from secondstory.core.timeline.sources import csv as csv_source
from secondstory.core.timeline.sources.base import ParseOptions, Source, SourceError
from tests.core.timeline.sources import support

FIXTURES = support.FIXTURES / "csv"
GERMAN = {"date": "Datum", "time": "Uhrzeit", "actor": "Person", "text": "Ereignis", "kind": "Art"}
CASES: list[tuple[str, ParseOptions]] = [
    ("bom-comma.csv", ParseOptions(columns={"source_ref": "Ticket"})),
    ("semicolon-mapped.csv", ParseOptions(columns=GERMAN, tz=ZoneInfo("Europe/Berlin"))),
    ("tab-time-only.tsv", ParseOptions(tz=ZoneInfo("America/New_York"), date=date(2024, 1, 15))),
]


def _parse(path: Path, options: ParseOptions) -> list[Any]:
    return support.run(csv_source, path, options)[0]


def test_the_module_uses_the_standard_csv_library() -> None:
    assert hasattr(csv_source.csv, "reader")
    assert csv_source.csv is not csv_source


@pytest.mark.parametrize(("name", "options"), CASES)
def test_fixture_gives_the_expected_events(name: str, options: ParseOptions) -> None:
    events = support.assert_fixture(csv_source, FIXTURES / name, options)
    assert len({e.source_ref for e in events}) == len(events)
    for event in events:
        json.dumps(event.raw)
    # Parsing again gives the same references: re-imports are de-duplicated.
    assert [e.source_ref for e in _parse(FIXTURES / name, options)] == [
        e.source_ref for e in events
    ]


def test_header_names_are_recognised_without_a_mapping() -> None:
    assert support.detect(Source(FIXTURES / "bom-comma.csv")) == "csv"
    assert support.detect(Source(FIXTURES / "tab-time-only.tsv")) == "csv"


def test_quoted_newlines_bom_and_kind_aliases() -> None:
    source = Source(FIXTURES / "bom-comma.csv", name="bom-comma.csv")
    events = list(csv_source.parse(source, ParseOptions(columns={"source_ref": "Ticket"})))
    assert events[2].text.endswith('"p99" is 29 s\nand climbing')
    assert events[2].raw == {
        "line_number": 4,
        "row": {
            "Timestamp": "2024-01-15T08:49:02+01:00",
            "Who": "Tomás Okafor",
            "Type": "chat",
            "Message": 'Looking at the gateway dashboards, "p99" is 29 s\r\nand climbing',
            "Ticket": "NW-1003",
        },
    }
    assert [e.kind for e in events] == ["change", "alert", "chat", "change", "observation"]
    assert source.warnings == [
        "bom-comma.csv:7: column 'Type': unknown kind 'huddle', kept as observation "
        "(known: alert, page, change, chat, action, decision, observation, status, comms, "
        "milestone)"
    ]


def test_windows_1252_lines_are_read() -> None:
    events = _parse(FIXTURES / "semicolon-mapped.csv", CASES[1][1])
    assert events[1].actor == "Jürgen Brandt"
    assert events[1].text == "Fehlerquote über 5 %"


def test_naive_times_ask_for_tz(tmp_path: Path) -> None:
    with pytest.raises(SourceError) as caught:
        _parse(FIXTURES / "tab-time-only.tsv", ParseOptions(date=date(2024, 1, 15)))
    assert str(caught.value) == (
        "tab-time-only.tsv:2: column 'time': '2024-01-15T08:42' has no UTC offset; "
        "give the zone with --tz"
    )


def test_times_without_a_date_ask_for_date() -> None:
    with pytest.raises(SourceError, match=r"tab-time-only.tsv:2: date: .*--date YYYY-MM-DD"):
        _parse(FIXTURES / "tab-time-only.tsv", ParseOptions(tz=ZoneInfo("UTC")))


def test_an_offset_column_is_applied(tmp_path: Path) -> None:
    path = tmp_path / "offsets.csv"
    path.write_text("when,offset,what\n2024-03-04 14:02,+05:30,Failover started\n")
    (event,) = _parse(path, ParseOptions())
    assert event.at.isoformat() == "2024-03-04T14:02:00+05:30"


@pytest.mark.parametrize(
    ("text", "options", "expected"),
    [
        ("when,what\nlater,Something\n", ParseOptions(), "t.csv:2: column 'when': not an ISO"),
        ("when,what\n,Something\n", ParseOptions(), "t.csv:2: column 'when': is empty"),
        ("when,what\n2024-01-01T00:00Z,\n", ParseOptions(), "t.csv:2: column 'what': is empty"),
        ("a,b\n1,2\n", ParseOptions(), "t.csv:1: columns: no time column"),
        ("when,b\n1,2\n", ParseOptions(), "t.csv:1: columns: no text column"),
        (
            "when,what\n1,2\n",
            ParseOptions(columns={"text": "Body"}),
            "t.csv:1: column 'Body': not in the header",
        ),
        (
            "when,what\n1,2\n",
            ParseOptions(columns={"colour": "what"}),
            "t.csv:1: columns: unknown event field 'colour'",
        ),
        (
            "when,offset,what\n2024-01-01T00:00,Europe/Paris,x\n",
            ParseOptions(),
            "t.csv:2: column 'offset': not a UTC offset",
        ),
        ('when,what\n2024-01-01T00:00Z,"x\n', ParseOptions(), "t.csv:2: not readable as CSV"),
        ('when,what\n2024-01-01T00:00Z,"x"y\n', ParseOptions(), "t.csv:2: not readable as CSV"),
    ],
)
def test_bad_rows_name_line_and_column(
    tmp_path: Path, text: str, options: ParseOptions, expected: str
) -> None:
    path = tmp_path / "t.csv"
    path.write_text(text)
    try:
        _parse(path, options)
    except SourceError as exc:
        assert str(exc).startswith(expected)
    else:
        pytest.fail("no SourceError")


def test_json_is_not_claimed(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text('{"time": 1, "text": "x"}\n')
    assert not csv_source.sniff(Source(path))


# --- never anything but SourceError ---------------------------------------------------------


def _run(data: bytes, options: ParseOptions) -> None:
    support.parses_or_fails_cleanly(csv_source, data, options, name="fuzz.csv")


_OPTIONS = st.sampled_from([options for _, options in CASES] + [ParseOptions()])


@support.FUZZ
@given(data=st.binary(max_size=1000), options=_OPTIONS)
def test_fuzz_arbitrary_bytes(data: bytes, options: ParseOptions) -> None:
    _run(b"time,text,kind,actor,id\n" + data, options)
    _run(data, options)


_CELL = st.one_of(
    st.text(max_size=25),
    st.sampled_from(["2024-01-15T08:42:11+01:00", "08:42", "1705304531", "2024-01-15", "+05:30"]),
)


@support.FUZZ
@given(rows=st.lists(st.lists(_CELL, max_size=6), max_size=6), options=_OPTIONS)
def test_fuzz_rows(rows: list[list[str]], options: ParseOptions) -> None:
    text = "time,date,offset,text,kind,id\n" + "\n".join(",".join(row) for row in rows)
    _run(text.encode("utf-8", errors="surrogatepass"), options)


_SEED = b"".join((FIXTURES / name).read_bytes() for name, _ in CASES)


@support.FUZZ
@given(
    cut=st.integers(min_value=0, max_value=len(_SEED)),
    junk=st.sampled_from([b"", b'"', b"\x00", b"\xff", b";", b"\t", b"\r", b"+99:99", b"\n\n"]),
    options=_OPTIONS,
)
def test_fuzz_mutated_fixtures(cut: int, junk: bytes, options: ParseOptions) -> None:
    _run(_SEED[:cut] + junk + _SEED[cut:], options)


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("2024-03-04 14:02,+05:30", "2024-03-04T14:02:00+05:30"),
        ("2024-03-04T14:02:00Z,+05:30", "2024-03-04T14:02:00+00:00"),
        ("2024-03-04 14:02-08:00,+05:30", "2024-03-04T14:02:00-08:00"),
        ("1709560920,+05:30", "2024-03-04T19:32:00+05:30"),
        ("1709560920000,", "2024-03-04T14:02:00+00:00"),
    ],
)
def test_offsets_apply_only_to_times_written_without_one(
    tmp_path: Path, row: str, expected: str
) -> None:
    path = tmp_path / "offsets.csv"
    path.write_text(f"when,offset,what\n{row},Failover started\n")
    (event,) = _parse(path, ParseOptions())
    assert event.at.isoformat() == expected


def test_mapped_date_and_time_win_over_a_recognised_timestamp(tmp_path: Path) -> None:
    path = tmp_path / "both.csv"
    path.write_text("Tag,Zeit,timestamp,text\n2024-03-04,14:02,2000-01-01T00:00Z,Failover\n")
    options = ParseOptions(columns={"date": "Tag", "time": "Zeit"}, tz=ZoneInfo("Asia/Kolkata"))
    (event,) = _parse(path, options)
    assert event.at.isoformat() == "2024-03-04T14:02:00+05:30"


def test_excel_unicode_text_is_read(tmp_path: Path) -> None:
    # Excel's "Unicode Text" is UTF-16 with a byte-order mark, separated by tabs.
    path = tmp_path / "sheet.txt"
    path.write_bytes(
        "Time\tMessage\r\n2024-01-15T08:42:11+01:00\tDéploiement lancé\r\n".encode("utf-16")
    )
    assert csv_source.sniff(Source(path))
    (event,) = _parse(path, ParseOptions())
    assert (event.text, event.at.isoformat()) == ("Déploiement lancé", "2024-01-15T08:42:11+01:00")
