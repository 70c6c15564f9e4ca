"""The annotated example in docs/exchange-format.md is a valid file."""

from __future__ import annotations

from pathlib import Path

from secondstory.core.exchange import parse_postmortem, render_postmortem

DOC = Path(__file__).resolve().parents[3] / "docs" / "exchange-format.md"


def _example() -> str:
    text = DOC.read_text(encoding="utf-8")
    start = text.index("````markdown\n") + len("````markdown\n")
    return text[start : text.index("\n````\n", start) + 1]


def test_documented_example_parses() -> None:
    record = parse_postmortem(_example(), source=DOC.name)
    assert record.key == "PM-2026-014"
    assert record.status == "published"
    assert [t.to_status for t in record.transitions] == ["in_review", "approved", "published"]
    event = record.incidents[0].timeline[1]
    assert (event.source_ref, event.known_at_the_time) == ("1", False)
    assert record.incidents[0].milestones[2].at.isoformat() == "2026-03-04T18:41:00+05:30"
    assert set(record.sections) == {"summary", "response", "got_lucky", "messaging"}
    assert "## Status update" in record.sections["messaging"]
    # Comments are not kept; the canonical rendering reads back to the same record.
    assert parse_postmortem(render_postmortem(record)) == record
