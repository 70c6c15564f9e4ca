"""The real collections next to the repository (skipped when they are not there).

Expected numbers are measured from each file by simple independent means (counting table
rows that carry a date and a clock time), not copied from the text.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from secondstory.core.invariants import postmortem_problems
from secondstory.core.postmortem_import import ImportOptions, import_file, postmortem_files

ROOT = Path(__file__).resolve().parents[3]
CORPUS = ROOT.parent / "shared" / "corpus"
DFDS = CORPUS / "dfds-postmortems"
ICCO = CORPUS / "icco-postmortems" / "data"
OPTIONS = ImportOptions(owner="importer")
_TIMED_ROW = re.compile(r"^\|\s*~?\d{4}-\d{2}-\d{2}\s+\d{1,2}:\d{2}\b[^|]*\|")


def _need(folder: Path) -> None:
    if not folder.is_dir():
        pytest.skip(f"{folder} is not present")


def _timed_rows(path: Path) -> int:
    return sum(
        1 for line in path.read_text(encoding="utf-8").splitlines() if _TIMED_ROW.match(line)
    )


def test_dfds_every_file_imports_with_its_timed_rows_as_events() -> None:
    _need(DFDS)
    found = postmortem_files([DFDS])
    assert found.files, "no postmortems found"
    skipped = {p.name for p, _ in found.skipped}
    assert "README.md" in skipped
    assert any("template" in name.lower() for name in skipped)
    for path in found.files:
        result = import_file(path, OPTIONS)
        assert postmortem_problems(result.record) == []
        assert result.record.sections.get("summary", "").strip(), path.name
        assert len(result.record.incidents[0].timeline) == _timed_rows(path), path.name
        assert re.fullmatch(r"PM\d{4}-\d{3}", result.record.key), path.name


def test_dfds_file_without_extension_is_found() -> None:
    _need(DFDS)
    names = {p.name for p in postmortem_files([DFDS]).files}
    without = [p.name for p in DFDS.iterdir() if p.is_file() and p.suffix == "" and "PM" in p.name]
    assert without and set(without) <= names


def test_dfds_zone_lines_are_applied() -> None:
    _need(DFDS)
    for path in sorted(DFDS.glob("PM*.md")):
        text = path.read_text(encoding="utf-8")
        result = import_file(path, OPTIONS)
        offsets = {e.at.utcoffset() for e in result.record.incidents[0].timeline}
        if "All times in UTC" in text and offsets:
            assert {o.total_seconds() for o in offsets if o is not None} == {0.0}, path.name
        if "in CET" in text and offsets:
            assert {o.total_seconds() for o in offsets if o is not None} <= {3600.0, 7200.0}


def test_icco_front_matter_becomes_metadata() -> None:
    _need(ICCO)
    files = sorted(ICCO.glob("*.md"))
    assert len(files) > 100
    for path in files:
        result = import_file(path, OPTIONS)
        record = result.record
        text = path.read_text(encoding="utf-8")
        uuid = re.search(r"^uuid:\s*(\S+)", text, re.MULTILINE)
        assert uuid and record.key == uuid.group(1).strip("\"'")
        if re.search(r"^summary:\s*\S", text, re.MULTILINE):
            assert record.sections.get("summary", "").strip()
        assert record.incidents[0].external_references, path.name
        assert postmortem_problems(record) == []
