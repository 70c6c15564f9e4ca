"""Fixture pairs: each invented postmortem and the record and timeline expected from it."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest

from secondstory.core.invariants import postmortem_problems
from secondstory.core.postmortem_import import ImportOptions
from secondstory.core.timeline.event import event_json
from secondstory.core.timeline.sources.base import SourceError
from tests.core.postmortem_import.snapshot import FIXTURES, events, record, run

PAIRS = sorted(p.name for p in FIXTURES.glob("*.md") if not p.name.startswith("broken"))


@pytest.mark.parametrize("name", PAIRS)
def test_fixture_matches_expected_timeline(name: str) -> None:
    expected_file = FIXTURES / (name[:-3] + ".jsonl")
    expected = [json.loads(line) for line in expected_file.read_text().splitlines()]
    assert events(run(name)) == expected


@pytest.mark.parametrize("name", PAIRS)
def test_fixture_matches_expected_record(name: str) -> None:
    expected = json.loads((FIXTURES / (name[:-3] + ".record.json")).read_text())
    assert record(run(name)) == expected


@pytest.mark.parametrize("name", PAIRS)
def test_fixture_record_is_valid_and_loses_no_words(name: str) -> None:
    result = run(name)
    assert postmortem_problems(result.record) == []
    rec = result.record
    kept = (
        " ".join(
            [
                *rec.sections.values(),
                *(e.text + " " + e.actor for i in rec.incidents for e in i.timeline),
                *(f.description for f in rec.factors),
                *(
                    f"{a.title} {a.owner} {rec.people[a.owner].name} {a.tracker_url} {a.status}"
                    for a in rec.action_items
                ),
            ]
        )
        .casefold()
        .replace("_", " ")
    )
    text = (FIXTURES / name).read_text()
    body = text.split("\n---\n", 1)[-1] if text.startswith("---") else text
    skip = re.compile(r"^\s*(?:#|\|?\s*:?-{3,}|[=-]{3,}\s*$)")
    lines = body.splitlines()
    for index, line in enumerate(lines):
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if skip.match(line) or (line.lstrip().startswith("|") and "---" in following):
            continue
        for word in re.findall(r"[A-Za-z]{5,}", line):
            if word.casefold() in ("owner", "assigned", "due"):
                continue
            assert word.casefold() in kept, f"{word!r} of {line!r} was lost"


def test_event_raw_names_the_line_and_signal_is_unset() -> None:
    result = run("2024-05-14-checkout-latency.md")
    first = result.record.incidents[0].timeline[0]
    assert first.raw == {
        "line": "- **23:41 UTC** - Pricing engine 4.12 deployed to the blue pool",
        "line_number": 33,
    }
    json.dumps([e.raw for e in result.record.incidents[0].timeline])
    continued = result.record.incidents[0].timeline[1]
    assert continued.raw is not None and continued.raw["line"].count("\n") == 1


def test_midnight_rolls_over_and_explicit_dates_win() -> None:
    timeline = run("2024-05-14-checkout-latency.md").record.incidents[0].timeline
    assert [e.at.day for e in timeline] == [14, 14, 14, 15, 15]
    backlog = run("northwind-queue-backlog.md").record.incidents[0].timeline
    local_days = [e.at.day for e in backlog]
    assert local_days == [2, 2, 2, 3, 3]
    assert all(e.at.utcoffset() == timedelta(hours=-7) for e in backlog)


def test_source_refs_are_stable_and_unique() -> None:
    first = [e.source_ref for e in run("heading-timeline.md").record.incidents[0].timeline]
    second = [e.source_ref for e in run("heading-timeline.md").record.incidents[0].timeline]
    assert first == second
    assert len(set(first)) == len(first)
    assert all(ref.startswith("heading-timeline/") for ref in first)


def test_user_zone_is_used_when_the_file_states_none() -> None:
    from zoneinfo import ZoneInfo

    options = ImportOptions(owner="importer", tz=ZoneInfo("Asia/Kolkata"))
    result = run("zoneless-day.md", options)
    assert [event_json(e)["offset"] for e in result.record.incidents[0].timeline] == ["+05:30"] * 3
    assert "no-zone" not in result.notes.counts


def test_default_severity_option_is_used_without_warning() -> None:
    options = ImportOptions(owner="importer", severity="SEV1")
    result = run("heading-timeline.md", options)
    assert result.record.incidents[0].severity == "SEV2"  # the file says "Priority: P2"
    result = run("undated-notes.md", options)
    assert result.record.incidents[0].severity == "SEV1"
    assert "severity" not in result.notes.counts


def test_broken_front_matter_is_refused_with_its_line() -> None:
    with pytest.raises(SourceError) as caught:
        run("broken-front-matter.md")
    assert str(caught.value).startswith(f"{FIXTURES / 'broken-front-matter.md'}:4: front_matter:")


@pytest.mark.parametrize("name", PAIRS)
def test_imported_record_survives_the_exchange_format(name: str) -> None:
    from secondstory.core.exchange import parse_postmortem, render_postmortem

    result = run(name)
    assert parse_postmortem(render_postmortem(result.record), source=name) == result.record
