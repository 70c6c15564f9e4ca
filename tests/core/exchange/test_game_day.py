"""Format version 2: a game day's review carries its ``game_day``; version 1 files still load."""

from __future__ import annotations

from datetime import datetime

import pytest

from secondstory.core.exchange import ExchangeError, parse_postmortem, render_postmortem
from secondstory.core.gamedays.record import GameDayRecord, VerificationRecord
from secondstory.core.record import Person
from tests.core.exchange.helpers import CET, minimal_record, record_with_event

VERSION_1_FILE = """---
secondstory: 1
key: PM-1
title: Checkout errors
status: draft
owner: ines
incidents:
- key: INC-1
  title: Checkout 500s
  severity: SEV2
---

## Summary

Checkout failed.
"""


def _game_day(**changes: object) -> GameDayRecord:
    base = GameDayRecord(
        key="GD-0001",
        status="done",
        hypothesis="Checkout sheds load when the pool is exhausted.",
        steady_state="checkout success rate",
        steady_state_expected="≥ 99.5 %",
        fault="Pool size 1",
        scheduled_at=datetime(2026, 5, 20, 9, 0, tzinfo=CET),
        started_at=datetime(2026, 5, 20, 9, 5, tzinfo=CET),
        ended_at=datetime(2026, 5, 20, 11, 0, tzinfo=CET),
        participants=["ines", "lena"],
        services=["checkout"],
        categories=["tooling"],
        verifies=[
            VerificationRecord(
                item="PM-0007/A2",
                note="The tool refused size 1.",
                by="ines",
                at=datetime(2026, 5, 20, 11, 30, tzinfo=CET),
                observation="pagerduty:Q1",
            )
        ],
    )
    for name, value in changes.items():
        setattr(base, name, value)
    return base


def _review(**changes: object) -> object:
    people = {"ines": Person("ines", "Ines Duarte"), "lena": Person("lena", "Lena Øvrebø")}
    record = record_with_event()
    record.game_day = _game_day(**changes)
    record.people = people
    return record


def test_a_version_1_file_still_loads() -> None:
    record = parse_postmortem(VERSION_1_FILE)
    assert record.key == "PM-1" and record.game_day is None
    assert render_postmortem(record) == VERSION_1_FILE


def test_a_postmortem_without_a_game_day_is_written_as_version_1() -> None:
    assert render_postmortem(minimal_record()).startswith("---\nsecondstory: 1\n")


def test_a_game_day_review_is_version_2_and_reads_back_the_same() -> None:
    record = _review()
    text = render_postmortem(record)  # type: ignore[arg-type]
    assert text.startswith("---\nsecondstory: 2\n")
    assert "game_day:\n  key: GD-0001\n  status: done\n" in text
    assert "  - item: PM-0007/A2\n" in text
    assert parse_postmortem(text) == record


def test_a_game_day_in_a_version_1_file_is_refused_with_its_line() -> None:
    text = render_postmortem(_review()).replace("secondstory: 2", "secondstory: 1")  # type: ignore[arg-type]
    with pytest.raises(ExchangeError) as error:
        parse_postmortem(text, source="gd.md")
    line = text.split("\n").index("game_day:") + 2  # the mapping's first line
    assert f"gd.md:{line}: game_day: a game day needs format version 2" in str(error.value)


def test_an_unknown_version_names_the_readable_ones() -> None:
    with pytest.raises(ExchangeError, match="reads versions 1 and 2"):
        parse_postmortem(VERSION_1_FILE.replace("secondstory: 1", "secondstory: 3"))


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"status": "won"}, "game_day.status", "unknown status 'won'"),
        ({"hypothesis": " "}, "game_day.hypothesis", "a game day needs a hypothesis"),
        ({"categories": ["luck"]}, "game_day.categories[0]", "unknown factor category 'luck'"),
        ({"ended_at": None}, "game_day.ended_at", "a done game day needs the time it ended"),
    ],
)
def test_a_bad_game_day_names_the_field(
    changes: dict[str, object], field: str, message: str
) -> None:
    text = render_postmortem(_review(**changes))  # type: ignore[arg-type]
    with pytest.raises(ExchangeError) as error:
        parse_postmortem(text, source="gd.md")
    assert f": {field}: {message}" in str(error.value)


def test_a_verification_must_point_at_this_timeline_and_name_an_item() -> None:
    bad = VerificationRecord("A2", "", "ines", datetime(2026, 5, 20, tzinfo=CET), "chat:nope")
    text = render_postmortem(_review(verifies=[bad]))  # type: ignore[arg-type]
    with pytest.raises(ExchangeError) as error:
        parse_postmortem(text, source="gd.md")
    problems = {p.field: p.message for p in error.value.problems}
    assert problems["game_day.verifies[0].item"].startswith("expected POSTMORTEM/ITEM")
    assert problems["game_day.verifies[0].note"] == "a verification needs a note"
    assert problems["game_day.verifies[0].observation"] == "no timeline event 'chat:nope'"
