"""The fixture files: valid ones render back byte for byte, invalid ones give exact errors."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from secondstory.core.exchange import ExchangeError, parse_postmortem, render_postmortem

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "exchange"
VALID = sorted((FIXTURES / "valid").glob("*.md"))
INVALID = sorted((FIXTURES / "invalid").glob("*.md"))


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def test_fixtures_are_present() -> None:
    names = {path.stem for path in INVALID}
    assert {
        "malformed_yaml",
        "missing_front_matter",
        "bad_severity",
        "milestones_out_of_order",
        "action_item_without_owner",
        "not_doing_without_reason",
        "illegal_transition",
        "duplicate_source_ref",
        "naive_datetime",
        "unknown_key",
        "wrong_type",
        "unknown_heading",
    } <= names
    assert {"tracking_timeouts", "minimal", "hand_written"} <= {path.stem for path in VALID}


@pytest.mark.parametrize("path", VALID, ids=lambda path: path.name)
def test_valid_fixture_renders_to_expected_bytes(path: Path) -> None:
    record = parse_postmortem(_read(path), source=path.name)
    # A hand-written file has a canonical rendering next to it; others are canonical.
    expected = path.with_name(path.stem + ".rendered.md")
    assert render_postmortem(record) == _read(expected if expected.exists() else path)


@pytest.mark.parametrize("path", INVALID, ids=lambda path: path.name)
def test_invalid_fixture_reports_expected_problems(path: Path) -> None:
    with pytest.raises(ExchangeError) as caught:
        parse_postmortem(_read(path), source=path.name)
    expected = _read(path.with_suffix(".expected")).rstrip("\n")
    assert str(caught.value) == expected
    line_count = _read(path).count("\n") + 1
    for problem in caught.value.problems:
        assert problem.source == path.name
        assert 1 <= problem.line <= line_count


def test_rich_fixture_content() -> None:
    path = FIXTURES / "valid" / "tracking_timeouts.md"
    record = parse_postmortem(_read(path), source=path.name)
    assert record.key == "PM-2026-014"
    assert record.status == "published"
    assert [incident.key for incident in record.incidents] == ["INC-2026-0412", "INC-2026-0413"]
    first = record.incidents[0]
    acknowledged = next(m for m in first.milestones if m.kind == "acknowledged")
    assert acknowledged.at.isoformat() == "2026-03-04T18:41:00+05:30"
    statuspage = first.timeline[-1]
    assert statuspage.at.isoformat() == "2026-03-04T06:12:44.250000-08:00"
    assert first.timeline[1].known_at_the_time is False
    assert first.timeline[4].starred is True
    assert first.timeline[4].source_ref == "1772630280.004200"
    assert first.timeline[2].raw == {
        "incident_number": 5521,
        "urgency": "high",
        "service": {"id": "PTRK01", "summary": "tracking-api"},
        "escalated": False,
        "note": None,
    }
    assert record.incidents[1].visibility == "restricted"
    assert record.people["marek"].email == ""
    assert record.action_items[3].reason.count("\n") == 1
    assert "```sql" in record.sections["response"]
    assert set(record.sections) == {
        "summary",
        "background",
        "impact",
        "detection",
        "response",
        "trigger",
        "went_well",
        "went_poorly",
        "got_lucky",
        "open_questions",
        "messaging",
        "supporting_links",
    }


def test_front_matter_sections_fixture() -> None:
    path = FIXTURES / "valid" / "front_matter_sections.md"
    record = parse_postmortem(_read(path), source=path.name)
    assert "\n## Status update\n" in record.sections["messaging"]
    assert record.sections["supporting_links"] == "  (links to follow)"
    assert record.sections["summary"].startswith("During the switch")


def test_hand_written_fixture_defaults() -> None:
    path = FIXTURES / "valid" / "hand_written.md"
    record = parse_postmortem(_read(path), source=path.name)
    assert record.status == "draft"
    event = record.incidents[0].timeline[0]
    assert event.source_ref == "0042"  # not the integer 42
    assert event.raw == {"attempt": 1, "rollout": "yes"}  # YAML 1.1 "yes" stays a string
    assert event.at.utcoffset() == timedelta(0)
    assert record.sections["summary"].startswith("Logins took")
    assert record.sections["background"] == "The session store was upgraded the evening before."
