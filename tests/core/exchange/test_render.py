"""What the renderer writes: layout, omitted defaults, datetimes, section placement."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from secondstory.core.exchange import FORMAT_VERSION, parse_postmortem, render_postmortem
from secondstory.core.record import Person, Transition
from tests.core.exchange.helpers import (
    CET,
    IST,
    PST,
    action_item,
    milestone,
    minimal_record,
    record_with_event,
)


def _front_matter(text: str) -> list[str]:
    lines = text.split("\n")
    assert lines[0] == "---"
    return lines[1 : lines.index("---", 1)]


def _top_level_keys(text: str) -> list[str]:
    return [line.split(":")[0] for line in _front_matter(text) if line and line[0] not in " -"]


def test_minimal_record_layout() -> None:
    assert render_postmortem(minimal_record()) == (
        "---\n"
        "secondstory: 1\n"
        "key: PM-1\n"
        "title: Checkout errors\n"
        "status: draft\n"
        "owner: ines\n"
        "incidents:\n"
        "- key: INC-1\n"
        "  title: Checkout 500s\n"
        "  severity: SEV2\n"
        "---\n"
    )
    # Version 2 only adds game days: a file without one is still written as version 1.
    assert FORMAT_VERSION == 2


def test_top_level_keys_in_fixed_order() -> None:
    record = minimal_record(
        status="not_required",
        facilitator="ada",
        collaborators=["lena"],
        reviewers=["marek"],
        not_required_reason="Duplicate of PM-0",
        created_at=datetime(2026, 3, 5, 9, 30, tzinfo=CET),
        people={"ines": Person("ines", "Ines Duarte")},
        action_items=[action_item()],
        transitions=[
            Transition("draft", "not_required", "ines", datetime(2026, 3, 5, 10, tzinfo=CET))
        ],
        sections={"summary": " needs the front matter"},
    )
    assert _top_level_keys(render_postmortem(record)) == [
        "secondstory",
        "key",
        "title",
        "status",
        "owner",
        "facilitator",
        "collaborators",
        "reviewers",
        "not_required_reason",
        "created_at",
        "people",
        "incidents",
        "action_items",
        "transitions",
        "sections",
    ]


def test_defaults_are_omitted_and_set_values_written() -> None:
    plain = render_postmortem(record_with_event())
    for key in ("actor:", "role:", "starred:", "known_at_the_time:", "evidence:", "raw:"):
        assert key not in plain
    assert "visibility:" not in plain
    flagged = render_postmortem(
        record_with_event(starred=True, known_at_the_time=False, raw={}, actor="priya")
    )
    assert "    starred: true\n" in flagged
    assert "    known_at_the_time: false\n" in flagged
    assert "    raw: {}\n" in flagged
    assert "    actor: priya\n" in flagged


@pytest.mark.parametrize(
    ("moment", "written"),
    [
        (datetime(2026, 3, 4, 14, 2, tzinfo=CET), "2026-03-04T14:02:00+01:00"),
        (datetime(2026, 3, 4, 19, 32, tzinfo=IST), "2026-03-04T19:32:00+05:30"),
        (datetime(2026, 3, 4, 5, 2, tzinfo=PST), "2026-03-04T05:02:00-08:00"),
        (datetime(2026, 3, 4, 13, 2, tzinfo=UTC), "2026-03-04T13:02:00+00:00"),
        (datetime(2026, 3, 4, 13, 2, 5, 120, tzinfo=UTC), "2026-03-04T13:02:05.000120+00:00"),
    ],
)
def test_datetimes_keep_their_offset(moment: datetime, written: str) -> None:
    text = render_postmortem(record_with_event(at=moment))
    assert f"  - at: {written}\n" in text
    assert parse_postmortem(text).incidents[0].timeline[0].at.isoformat() == written


def test_naive_datetime_cannot_be_rendered() -> None:
    with pytest.raises(ValueError, match="no offset"):
        render_postmortem(record_with_event(at=datetime(2026, 3, 4, 14, 2)))


def test_milestones_are_a_mapping_in_record_order() -> None:
    record = minimal_record()
    record.incidents[0].milestones = [milestone("detected", 14, 9), milestone("impact_started", 14)]
    text = render_postmortem(record)
    assert (
        "  milestones:\n"
        "    detected: 2026-03-04T14:09:00+01:00\n"
        "    impact_started: 2026-03-04T14:00:00+01:00\n"
    ) in text


def test_multiline_text_is_a_literal_block_and_unicode_is_kept() -> None:
    text = render_postmortem(record_with_event(text="Fail over — now?\nYes: Øvrebø agrees."))
    assert "    text: |-\n      Fail over — now?\n      Yes: Øvrebø agrees.\n" in text


def test_long_strings_are_not_wrapped() -> None:
    title = "word " * 80 + "end"
    assert f"\ntitle: {title}\n" in render_postmortem(minimal_record(title=title))


def test_yaml_lookalike_strings_are_quoted() -> None:
    text = render_postmortem(record_with_event(source_ref="0042", source="yes", text="null"))
    assert "    source: 'yes'\n    ref: '0042'\n    text: 'null'\n" in text


def test_short_lists_are_flow_lists_and_event_refs_block_lists() -> None:
    record = minimal_record(collaborators=["lena", "priya"])
    record.incidents[0].services = ["checkout"]
    assert "collaborators: [lena, priya]\n" in render_postmortem(record)
    assert "  services: [checkout]\n" in render_postmortem(record)


def test_sections_in_taxonomy_order_with_exact_headings() -> None:
    record = minimal_record(
        sections={"got_lucky": "Low traffic.", "summary": "It broke.", "response": "We fixed it."}
    )
    text = render_postmortem(record)
    body = text[text.index("---\n", 4) + 4 :]
    assert body == (
        "\n## Summary\n\nIt broke.\n"
        "\n## Response and recovery\n\nWe fixed it.\n"
        "\n## Where we got lucky\n\nLow traffic.\n"
    )


def test_empty_sections_are_not_written() -> None:
    text = render_postmortem(minimal_record(sections={"summary": "", "impact": "Some."}))
    assert "## Summary" not in text
    assert "## Impact" in text


@pytest.mark.parametrize(
    "section",
    [
        "```\n## Summary inside a fence\n```",
        "~~~\n## inside tildes\n~~~",
        "### A sub-heading\n\ntext",
        "#hashtag and # Title",
        "text\n\n\nwith blank lines",
        "a line\n---\nafter a rule",
    ],
)
def test_sections_that_fit_the_body(section: str) -> None:
    text = render_postmortem(minimal_record(sections={"summary": section}))
    assert "sections:" not in text
    assert text.endswith(f"\n## Summary\n\n{section}\n")
    assert parse_postmortem(text).sections == {"summary": section}


@pytest.mark.parametrize(
    "section",
    [
        "## Impact\nlooks like a heading",
        "Intro\n## Summary",
        "  ## indented heading",
        "```\nan unclosed fence",
        " leading space",
        "trailing newline\n",
        "\nleading newline",
        "windows\r\nline ending",
        "   ",
    ],
)
def test_sections_that_need_the_front_matter(section: str) -> None:
    text = render_postmortem(minimal_record(sections={"summary": section}))
    assert "\nsections:\n  summary:" in text
    assert text.endswith("\n---\n")  # nothing in the body
    assert parse_postmortem(text).sections == {"summary": section}


def test_raw_must_be_json_like() -> None:
    with pytest.raises(TypeError, match=r"raw\.when"):
        render_postmortem(record_with_event(raw={"when": datetime(2026, 1, 1, tzinfo=UTC)}))
    with pytest.raises(TypeError, match="keys must be strings"):
        render_postmortem(record_with_event(raw={1: "one"}))


def test_rendering_is_deterministic() -> None:
    record = record_with_event(raw={"b": 1, "a": [1.5, None, True]})
    record.people = {"zoe": Person("zoe", "Zoë"), "al": Person("al", "Al", "al@example.com")}
    assert render_postmortem(record) == render_postmortem(record)
    assert "  zoe: {name: Zoë}\n  al: {name: Al, email: al@example.com}\n" in render_postmortem(
        record
    )


def test_offsets_are_kept_not_normalised() -> None:
    odd = timezone(timedelta(hours=-3, minutes=-30))
    text = render_postmortem(minimal_record(created_at=datetime(2026, 1, 2, 3, 4, tzinfo=odd)))
    assert "created_at: 2026-01-02T03:04:00-03:30\n" in text


def test_text_ending_in_blank_lines_needs_no_document_end_marker() -> None:
    record = minimal_record(sections={"summary": "Ends with a blank line\n\n"})
    text = render_postmortem(record)
    assert text.endswith("  summary: |+\n    Ends with a blank line\n\n---\n")
    assert "\n...\n" not in text
    assert parse_postmortem(text) == record
