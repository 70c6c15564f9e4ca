"""``secondstory trackers list`` and ``pull``."""

from __future__ import annotations

from click.testing import CliRunner

from secondstory.actions.models import ActionItem
from secondstory.cli.trackers import trackers
from secondstory.trackers.models import TrackerConnection
from secondstory.trackers.services import create_issue
from tests.apps.trackers.fake_trackers import TOKEN, FakeTracker


def test_list_shows_whether_credentials_are_set_not_them(
    connection: TrackerConnection,
) -> None:
    result = CliRunner().invoke(trackers, ["list"])
    assert result.exit_code == 0
    assert "token set" in result.output and "webhook secret set" in result.output
    assert f"/trackers/hooks/{connection.pk}/" in result.output
    assert TOKEN not in result.output


def test_pull_reports_what_it_did(
    item: ActionItem, tracker: FakeTracker, connection: TrackerConnection
) -> None:
    link = create_issue(item, connection)
    tracker.set_state(link.external_id, closed=True)
    result = CliRunner().invoke(trackers, ["pull", "--connection", connection.name])
    assert result.exit_code == 0, result.output
    assert "1 checked, 1 changed, 0 failed" in result.output
    item.refresh_from_db()
    assert item.status == "done"


def test_pull_names_the_option_for_an_unknown_connection(db: None) -> None:
    result = CliRunner().invoke(trackers, ["pull", "--connection", "nope"])
    assert result.exit_code == 1
    assert "--connection: no enabled tracker connection is named 'nope'" in result.output
    assert "Traceback" not in result.output
