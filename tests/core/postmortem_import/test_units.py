"""Headings, clock times, zones and action-item lines, one rule at a time."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from secondstory.core.postmortem_import import ImportOptions, import_markdown, postmortem_files
from secondstory.core.postmortem_import.clock import (
    declared_zone,
    following_day,
    read_date,
    read_time,
    zone_beside_times,
)
from secondstory.core.postmortem_import.headings import classify
from secondstory.core.postmortem_import.options import key_from_name

OPTIONS = ImportOptions(owner="importer")


@pytest.mark.parametrize(
    ("heading", "target"),
    [
        ("Summary", "summary"),
        ("1. Executive summary:", "summary"),
        ("🔥 TL;DR", "summary"),
        ("Description", "summary"),
        ("Context", "background"),
        ("Customer impact", "impact"),
        ("How was it detected?", "detection"),
        ("Mitigation & Resolution", "response"),
        ("Trigger(s)", "trigger"),
        ("Root Cause(s)", "factors"),
        ("Contributing Factors (findings)", "factors"),
        ("5 Whys", "factors"),
        ("Lessons Learnt", "lessons"),
        ("What went well?", "went_well"),
        ("What went badly", "went_poorly"),
        ("Where did we get lucky", "got_lucky"),
        ("Corrective actions", "action_items"),
        ("Follow-ups", "action_items"),
        ("Next steps", "action_items"),
        ("Appendix", "supporting_links"),
        ("Chronology", "timeline"),
        ("Attendees", None),
    ],
)
def test_headings(heading: str, target: str | None) -> None:
    assert classify(heading) == target


def test_clock_and_dates() -> None:
    assert read_time("12:00 AM") == time(0)
    assert read_time("12:30 pm") == time(12, 30)
    assert read_time("24:10") is None
    assert read_time("13:05 PM") is None
    assert read_date("2020/03/04") == date(2020, 3, 4)
    assert read_date("2021-02-30") is None
    assert read_date("Sept 9th, 2019") == date(2019, 9, 9)


@pytest.mark.parametrize(
    ("line", "hours"),
    [
        ("All times in UTC.", 0),
        ("_All times are in IST_", 5.5),
        ("Timestamps: UTC+2", 2),
        ("(times in JST)", 9),
        ("Times are CEST", 2),
        ("All times in BST", 1),
    ],
)
def test_zone_declarations(line: str, hours: float) -> None:
    zone = declared_zone(line)
    assert zone is not None
    assert zone.tz.utcoffset(None) == timedelta(hours=hours)


def test_key_from_file_names() -> None:
    assert key_from_name("INC-42 - Disk full on db-3") == "INC-42"
    assert key_from_name("20200304_outage") == "20200304_outage"
    assert key_from_name("   ").startswith("imported-")


def _import(text: str, stem: str = "note") -> object:
    return import_markdown(text, file=f"{stem}.md", stem=stem, options=OPTIONS)


def test_unknown_heading_is_kept_and_reported() -> None:
    result = import_markdown(
        "# Thing\n\n## Summary\n\nIt broke.\n\n## Glossary\n\nA word list.\n",
        file="x.md",
        stem="x",
        options=OPTIONS,
    )
    assert "### Glossary\n\nA word list." in result.record.sections["background"]
    assert result.notes.counts["unrecognised-heading"] == 1
    assert any(":7: sections:" in w for w in result.warnings())


def test_owned_and_unowned_action_items() -> None:
    text = (
        "## Action items\n\n"
        "- [ ] Add a disk alert (@kim, due 2024-02-01)\n"
        "- [x] Rotate keys — owner: Lee Wong ✅\n"
        "- Tune the cache\n"
    )
    result = import_markdown(text, file="a.md", stem="2024-01-10-disk", options=OPTIONS)
    items = result.record.action_items
    assert [(i.title, i.owner, i.status) for i in items] == [
        ("Add a disk alert", "kim", "open"),
        ("Rotate keys", "lee-wong", "done"),
    ]
    assert items[0].due == date(2024, 2, 1)
    assert items[1].completed_at is not None
    assert items[1].due == date(2024, 3, 10)  # SEV3 default: 60 days after 2024-01-10
    assert "- Tune the cache" in result.record.sections["open_questions"]
    assert result.notes.counts["no-owner"] == 1


def test_twelve_hour_times_with_their_zone() -> None:
    text = (
        "Date: 2024-08-01\n\n## Timeline\n\n"
        "- 11:58 PM PDT database failover\n- 12:03 AM PDT recovered\n"
    )
    result = import_markdown(text, file="t.md", stem="t", options=OPTIONS)
    timeline = result.record.incidents[0].timeline
    assert [e.utc.isoformat() for e in timeline] == [
        "2024-08-02T06:58:00+00:00",
        "2024-08-02T07:03:00+00:00",
    ]
    assert "no-zone" not in result.notes.counts


def test_folder_search_skips_readme_and_templates(tmp_path: object) -> None:
    from pathlib import Path

    root = Path(str(tmp_path))
    (root / "templates").mkdir()
    (root / "templates" / "incident.md").write_text("# T\n")
    (root / "README.md").write_text("# Readme\n")
    (root / "postmortem-template.md").write_text("# T\n")
    (root / "2024-01-01-outage.md").write_text("# Outage\n")
    (root / "notes.txt").write_text("# not markdown by name\n")
    found = postmortem_files([root])
    assert [p.name for p in found.files] == ["2024-01-01-outage.md"]
    assert sorted(p.name for p, _ in found.skipped) == [
        "README.md",
        "incident.md",
        "postmortem-template.md",
    ]


def test_date_line_with_zone_in_parentheses_starts_the_timeline() -> None:
    text = (
        "# Login outage\n\n## Timeline\n\n2024-09-12 (all times US/Pacific)\n\n"
        "09:14 login errors start\n"
        "09:20 **ALERT** auth error ratio above 5 %\n\n"
        "2024-09-13\n\n"
        "01:00 cleanup finished\n"
    )
    result = import_markdown(text, file="l.md", stem="l", options=OPTIONS)
    timeline = result.record.incidents[0].timeline
    assert [(e.at.isoformat(), e.kind) for e in timeline] == [
        ("2024-09-12T09:14:00-07:00", "observation"),
        ("2024-09-12T09:20:00-07:00", "alert"),
        ("2024-09-13T01:00:00-07:00", "observation"),
    ]
    assert result.notes.total == 1  # only the assumed severity


def test_bold_labels_before_the_first_heading_act_as_headings() -> None:
    text = (
        "# Incident 7: empty search pages\n\n"
        "**Date:** 2023-03-02\n\n"
        "**Summary:** Search pages were empty for a while.\n\n"
        "**Impact:** Shoppers saw no results.\n\n"
        "**Root causes:** The index alias pointed at an empty index.\n"
    )
    result = import_markdown(text, file="s.md", stem="s", options=OPTIONS)
    sections = result.record.sections
    assert sections["summary"] == "Search pages were empty for a while."
    assert sections["impact"] == "Shoppers saw no results."
    assert sections["background"] == "**Date:** 2023-03-02"
    assert [f.description for f in result.record.factors] == [
        "The index alias pointed at an empty index."
    ]


@pytest.mark.parametrize(
    ("lines", "label"),
    [
        (["Between 12:58 BST and 14:20 BST payments failed."], "BST"),
        (["Paged at 1:06 pm (BST)", "resolved 2:20 PM BST"], "BST"),
        (["12:58 BST", "13:58 CEST"], None),  # two zones: none is assumed
        (["Version 1:06 of the BST tool"], None),  # a zone not written beside a time
        (["No times here."], None),
    ],
)
def test_the_one_zone_written_beside_times(lines: list[str], label: str | None) -> None:
    zone = zone_beside_times(lines)
    assert (zone.label if zone else None) == label


@pytest.mark.parametrize(
    ("relative", "expected"),
    [
        ("Mon", date(2023, 10, 30)),
        ("Tuesday", date(2023, 10, 31)),
        ("Sun.", date(2023, 11, 5)),
        ("30th", date(2023, 10, 30)),
        ("2nd", date(2023, 11, 2)),
        ("Thu 02", date(2023, 11, 2)),
        ("31st", date(2023, 10, 31)),
    ],
)
def test_a_weekday_or_day_number_is_the_next_such_day(relative: str, expected: date) -> None:
    assert following_day(date(2023, 10, 30), relative) == expected


def test_the_zone_given_by_the_user_wins_over_the_one_in_the_text() -> None:
    text = (
        "# Payments failing on 2 May 2023\n\nErrors from 12:58 BST.\n\n## Timeline\n\n"
        "### 1:06 PM\n\nPaged.\n"
    )
    from zoneinfo import ZoneInfo

    options = ImportOptions(owner="importer", tz=ZoneInfo("America/New_York"))
    (event,) = (
        import_markdown(text, file="p.md", stem="p", options=options).record.incidents[0].timeline
    )
    assert event.at.utcoffset() == timedelta(hours=-4)
    (event,) = (
        import_markdown(text, file="p.md", stem="p", options=OPTIONS).record.incidents[0].timeline
    )
    assert event.at.utcoffset() == timedelta(hours=1) and event.at.hour == 13


@pytest.mark.parametrize(
    "heading",
    [
        "### 2023-05-02 12:58 PM",
        "### May 2, 2023 at 12:58 PM",
        "### 2 May 2023 – 12:58",
        "### 2 May 2023 - 12:58 PM",
        "### 12:58 PM (2 May 2023)",
        "### 12:58 PM, May 2, 2023",
        "### 12:58 PM BST on 2 May 2023",
    ],
)
def test_the_date_given_once_on_the_first_time_heading(heading: str) -> None:
    text = (
        "# Payments failing\n\nBetween 12:58 BST and 14:20 BST cards failed.\n\n## Timeline\n\n"
        f"{heading}\n\nAlert fired.\n\n### 1:06 PM\n\nPaged.\n"
    )
    timeline = (
        import_markdown(text, file="p.md", stem="p", options=OPTIONS).record.incidents[0].timeline
    )
    assert [(e.at.isoformat(), e.text) for e in timeline] == [
        ("2023-05-02T12:58:00+01:00", "Alert fired."),
        ("2023-05-02T13:06:00+01:00", "Paged."),
    ]


@pytest.mark.parametrize(
    ("line", "label", "hours"),
    [
        ("All times are in British Summer Time.", "BST", 1),
        ("Times in Coordinated Universal Time", "UTC", 0),
        ("All times Pacific Daylight Time", "PDT", -7),
        ("Timestamps are India Standard Time", "IST", 5.5),
    ],
)
def test_zones_written_out_in_words(line: str, label: str, hours: float) -> None:
    zone = declared_zone(line)
    assert zone is not None and zone.label == label
    assert zone.tz.utcoffset(None) == timedelta(hours=hours)


def test_a_time_followed_by_a_zone_in_words() -> None:
    text = (
        "# Login errors on 9 March 2023\n\n## Timeline\n\n"
        "- 1:06 PM Pacific Time — errors began.\n- 5:10 PM Eastern Time — fixed.\n"
    )
    timeline = (
        import_markdown(text, file="p.md", stem="p", options=OPTIONS).record.incidents[0].timeline
    )
    assert [(e.at.isoformat(), e.text) for e in timeline] == [
        ("2023-03-09T13:06:00-08:00", "errors began."),
        ("2023-03-09T17:10:00-05:00", "fixed."),
    ]
