"""Any input either imports or is refused with SourceError; nothing else escapes or hangs."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from secondstory.core.invariants import postmortem_problems
from secondstory.core.postmortem_import import ImportOptions, import_file, import_markdown
from secondstory.core.timeline.sources.base import SourceError
from tests.core.postmortem_import.snapshot import FIXTURES

OPTIONS = ImportOptions(owner="importer")
SEEDS = [p.read_text() for p in sorted(FIXTURES.glob("*.md"))]
PIECES = st.sampled_from(
    [
        "---\n",
        "# ",
        "## Timeline\n",
        "## Action items\n",
        "## Root causes\n",
        "### 1:06 PM PST\n",
        "### 1:06 PM\n",
        "### Tue 10:05\n",
        "### 31st, 23:59\n",
        "- Wednesday 4:30 PM — ",
        "Between 12:58 BST and 14:20 BST ",
        "| Time | Event |\n|---|---|\n",
        "| 23:59 | x |\n",
        "- [x] ",
        "- **14:02 UTC** - ",
        "owner: ",
        "@a ",
        "due 2024-02-30 ",
        "All times in CET.\n",
        "date: 2024-13-01\n",
        "```\n",
        "\n",
        "|",
        "2019-03-04 25:61",
        "12:00 AM ",
        "title: [\n",
        "severity: P9\n",
        "\u00e9\u2603\U0001f525",
    ]
)


def _check(text: str) -> None:
    try:
        result = import_markdown(text, file="fuzz.md", stem="fuzz", options=OPTIONS)
    except SourceError as exc:
        assert exc.file == "fuzz.md"
        return
    assert postmortem_problems(result.record) == []


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=2000))
def test_arbitrary_text(text: str) -> None:
    _check(text)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(PIECES, st.text(max_size=30)), max_size=60))
def test_markdown_like_pieces(pieces: list[str]) -> None:
    _check("".join(pieces))


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(SEEDS), st.data())
def test_mutated_fixtures(seed: str, data: st.DataObject) -> None:
    lines = seed.split("\n")
    for _ in range(data.draw(st.integers(1, 8))):
        index = data.draw(st.integers(0, max(len(lines) - 1, 0)))
        action = data.draw(st.sampled_from(["drop", "dup", "insert", "cut"]))
        if not lines:
            break
        if action == "drop":
            lines.pop(index)
        elif action == "dup":
            lines.insert(index, lines[index])
        elif action == "insert":
            lines.insert(index, data.draw(st.one_of(PIECES, st.text(max_size=40))))
        else:
            lines[index] = lines[index][: data.draw(st.integers(0, len(lines[index])))]
    _check("\n".join(lines))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=3000))
def test_arbitrary_bytes_from_a_file(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "2024-01-01-bytes.md"
        path.write_bytes(data)
        try:
            result = import_file(path, OPTIONS)
        except SourceError as exc:
            assert exc.file == str(path)
            return
        assert postmortem_problems(result.record) == []


def test_a_large_input_finishes() -> None:
    rows = "".join(f"| 2024-01-01 {h % 24:02d}:{h % 60:02d} | step {h} |\n" for h in range(3000))
    text = "# Big\n\n## Timeline\n\n| Time | Event |\n|---|---|\n" + rows + "x" * 200_000
    result = import_markdown(text, file="big.md", stem="big", options=OPTIONS)
    assert len(result.record.incidents[0].timeline) == 3000


WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 6), st.integers(0, 23), st.integers(0, 59), st.booleans()),
        min_size=1,
        max_size=20,
    )
)
def test_entries_naming_only_a_weekday_fall_on_it_and_never_go_back(
    entries: list[tuple[int, int, int, bool]],
) -> None:
    lines = ["# Week-long incident", "", "Date: 2023-10-30", "All times in UTC.", "", "## Timeline"]
    for number, (weekday, hour, minute, short) in enumerate(entries):
        name = WEEKDAYS[weekday][:3] if short else WEEKDAYS[weekday]
        lines += ["", f"### {name} {hour:02d}:{minute:02d}", "", f"Entry {number}."]
    result = import_markdown("\n".join(lines), file="week.md", stem="week", options=OPTIONS)
    timeline = result.record.incidents[0].timeline
    by_text = {event.text: event.at for event in timeline}
    assert len(by_text) == len(entries)
    previous = None
    for number, (weekday, hour, minute, _) in enumerate(entries):
        at = by_text[f"Entry {number}."]
        assert (at.weekday(), at.hour, at.minute) == (weekday, hour, minute)
        assert previous is None or at.date() >= previous.date()
        previous = at
