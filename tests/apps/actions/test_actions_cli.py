"""`secondstory actions list`: the page's filters on the command line, as table, CSV or JSON."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

import pytest
import time_machine
from click.testing import CliRunner, Result

from secondstory.accounts.models import Team, User
from secondstory.cli.actions import actions
from tests.apps.actions.test_list_view import TODAY, load_world


@pytest.fixture
def world(alice: User, bob: User, charlie: User, payments: Team) -> Iterator[None]:
    with time_machine.travel(TODAY, tick=False):
        load_world()
        yield


def run(*args: str) -> Result:
    return CliRunner().invoke(actions, ["list", *args], catch_exceptions=False)


def csv_keys(text: str) -> list[str]:
    return [f"{r['postmortem']}/{r['item']}" for r in csv.DictReader(io.StringIO(text))]


def test_operators_see_every_item_as_a_table(world: None) -> None:
    result = run()
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == [
        "ITEM",
        "PRIORITY",
        "STATUS",
        "DUE",
        "OVERDUE",
        "OWNER",
        "TEAMS",
        "TITLE",
    ]
    assert lines[1].startswith("PM-S/A3")
    assert any(line.startswith("PM-R/A1") and "27d" in line for line in lines)
    assert "Secret fix" in result.stdout
    assert lines[-1] == "6 action items"


def test_as_a_person_hides_what_they_may_not_read(world: None) -> None:
    result = run("--as", "charlie", "--format", "csv")
    assert result.exit_code == 0
    assert "PM-R" not in result.stdout and "Secret fix" not in result.stdout
    assert len(csv_keys(result.stdout)) == 5


def test_filters_match_the_page(world: None) -> None:
    result = run("--team", "payments", "--overdue", "--format", "csv")
    assert csv_keys(result.stdout) == ["PM-1/A1", "PM-R/A1"]
    result = run("--not-overdue", "--owner", "bob", "--priority", "p2", "--format", "csv")
    assert csv_keys(result.stdout) == ["PM-S/A3", "PM-1/A2"]
    result = run(
        "--service", "search-api", "--severity", "SEV1", "--type", "detect", "--format", "csv"
    )
    assert csv_keys(result.stdout) == ["PM-S/A2"]
    result = run("--due-after", "2026-04-20", "--due-before", "2026-05-10", "--format", "csv")
    assert csv_keys(result.stdout) == ["PM-S/A1", "PM-S/A2"]
    result = run("--status", "done", "--format", "csv")
    assert csv_keys(result.stdout) == ["PM-S/A1"]
    assert run("--sort", "-due", "--format", "csv").stdout.splitlines()[1].startswith("PM-1,A2")


def test_csv_has_the_pages_columns_and_absolute_links(world: None, settings: object) -> None:
    settings.SECONDSTORY_BASE_URL = "https://postmortems.example.com/"  # type: ignore[attr-defined]
    with time_machine.travel(TODAY, tick=False):
        result = run("--owner", "alice", "--team", "payments", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows[0]["link"] == "https://postmortems.example.com/postmortems/PM-1/#action-A1"
    assert rows[0]["overdue_days"] == "27"
    assert list(rows[0]) == [
        "postmortem",
        "item",
        "title",
        "type",
        "priority",
        "owner",
        "teams",
        "services",
        "severity",
        "status",
        "due",
        "completed_at",
        "overdue_days",
        "tracker_url",
        "link",
    ]


def test_json_is_a_list_of_objects(world: None) -> None:
    with time_machine.travel(TODAY, tick=False):
        result = run("--status", "done", "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert isinstance(data, list) and len(data) == 1
    done = data[0]
    assert (done["postmortem"], done["item"], done["status"]) == ("PM-S", "A1", "done")
    assert done["teams"] == ["search"] and done["services"] == ["search-api"]
    assert done["completed_at"] == "2026-04-18T09:00:00+00:00"
    assert done["overdue_days"] == 0
    open_items = json.loads(run("--overdue", "--format", "json").stdout)
    assert {i["overdue_days"] for i in open_items} == {27}
    assert all(i["completed_at"] is None for i in open_items)


def test_nothing_matching_says_so(world: None) -> None:
    result = run("--owner", "charlie", "--status", "done")
    assert result.exit_code == 0
    assert result.stdout.strip() == "No action items match."
    assert (
        json.loads(run("--owner", "charlie", "--status", "done", "--format", "json").stdout) == []
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--status", "closed"], "--status: “closed” is not one of"),
        (["--due-before", "soon"], "--due-before: “soon” is not a date"),
        (["--team", "nope"], "--team: no team called “nope”"),
        (["--owner", "nobody", "--priority", "P7"], "--priority: “P7” is not one of"),
        (["--as", "nobody"], "--as: no person called “nobody”"),
        (["--sort", "colour"], "--sort: “colour” is not one of"),
    ],
)
def test_bad_options_give_one_clear_line(world: None, args: list[str], message: str) -> None:
    result = run(*args)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith("error: ")
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_an_unknown_format_is_refused_by_click(world: None) -> None:
    result = run("--format", "xml")
    assert result.exit_code == 2
    assert "'xml' is not one of" in result.stderr
