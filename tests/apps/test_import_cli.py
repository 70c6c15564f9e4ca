"""``secondstory parse`` and ``secondstory import`` as a user runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from secondstory.cli.main import cli
from secondstory.incidents.models import Incident, Severity, TimelineEvent

MIXED = Path(__file__).resolve().parents[1] / "fixtures" / "sources" / "mixed"
FILES = [str(MIXED / name) for name in ("slack", "pagerduty.json", "alertmanager.json", "git.log")]


@pytest.fixture
def incident(db: None) -> Incident:
    return Incident.objects.create(
        key="INC-42", title="Checkout errors", severity=Severity.objects.get(code="SEV2")
    )


def invoke(*args: str, input: str | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


def test_parse_prints_one_json_object_per_event_without_django() -> None:
    script = (
        "import sys\n"
        "from secondstory.cli.main import cli\n"
        "try:\n"
        "    cli.main(sys.argv[1:], standalone_mode=False)\n"
        "finally:\n"
        "    print('django loaded' if 'django' in sys.modules else 'no django', file=sys.stderr)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    done = subprocess.run(
        [sys.executable, "-c", script, "parse", *FILES, "--format", "jsonl"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    assert done.stderr.strip().endswith("no django")
    events = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(events) == 13
    assert set(events[0]) == {
        "at",
        "offset",
        "kind",
        "source",
        "source_ref",
        "actor",
        "actor_role",
        "text",
    }
    commit = next(e for e in events if e["source_ref"].startswith("3f6a9d2c"))
    assert (commit["at"], commit["offset"], commit["kind"]) == (
        "2026-03-04T13:58:10Z",
        "+01:00",
        "change",
    )
    assert not any("AbCdEfGhIjKlMnOpQrStUvWx" in e["text"] for e in events)


def test_parse_table_is_sorted_by_time_and_windowed() -> None:
    result = invoke(
        "parse",
        *FILES,
        "--format",
        "table",
        "--since",
        "2026-03-04T14:00Z",
        "--until",
        "2026-03-04T14:05Z",
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines == sorted(lines)
    assert lines and all("2026-03-04 14:0" in line for line in lines)


def test_parse_without_a_zone_for_a_zoneless_log_says_what_to_give(tmp_path: Path) -> None:
    log = tmp_path / "ops.txt"
    log.write_text("14:02 <ana> is anyone seeing 503s?\n14:03 <ben> yes\n")
    result = CliRunner().invoke(cli, ["parse", str(log), "--from", "plain", "--date", "2026-03-04"])
    assert result.exit_code == 1
    assert "ops.txt" in result.output
    assert "--tz" in result.output
    assert "Traceback" not in result.output


def test_parse_bad_options_are_one_line_errors() -> None:
    result = CliRunner().invoke(cli, ["parse", FILES[1], "--tz", "Mars/Olympus"])
    assert result.exit_code == 1
    assert "--tz: unknown time zone" in result.output
    result = CliRunner().invoke(cli, ["parse", "/no/such/file"])
    assert result.exit_code == 1
    assert "no such file" in result.output


def test_import_reports_and_writes_then_a_reimport_adds_nothing(incident: Incident) -> None:
    result = invoke("import", *FILES, "--incident", "INC-42")
    assert result.exit_code == 0, result.output
    assert (
        "INC-42: added 11 events; 0 duplicates skipped, 2 grouped, 1 redacted, 0 warnings"
        in result.output
    )
    assert "redacted: slack_token 1" in result.output
    assert "suggested milestone detected: 2026-03-04 14:01:30 +00:00" in result.output
    assert "--accept-milestones detected" in result.output
    assert TimelineEvent.objects.filter(incident=incident).count() == 11
    again = invoke("import", *FILES, "--incident", "INC-42")
    assert "added 0 events; 13 duplicates skipped, 0 grouped" in again.output


def test_import_dry_run_writes_nothing(incident: Incident) -> None:
    result = invoke("import", *FILES, "--incident", "INC-42", "--dry-run")
    assert "would add 11 events" in result.output
    assert "dry run: nothing was written" in result.output
    assert not TimelineEvent.objects.exists()


def test_import_accepts_milestones_when_told(incident: Incident) -> None:
    result = invoke("import", *FILES, "--incident", "INC-42", "--accept-milestones", "all")
    assert "milestone resolved set to 2026-03-04 14:19:30 +00:00" in result.output
    assert incident.milestones.count() == 3


def test_import_of_a_broken_file_names_it_and_writes_nothing(
    incident: Incident, tmp_path: Path
) -> None:
    broken = tmp_path / "pd.json"
    broken.write_text((MIXED / "pagerduty.json").read_text()[:-40])
    result = CliRunner().invoke(cli, ["import", FILES[0], str(broken), "--incident", "INC-42"])
    assert result.exit_code == 1
    assert "pd.json" in result.output
    assert "nothing was imported" in result.output
    assert not TimelineEvent.objects.exists()


def test_import_to_an_unknown_incident_is_refused(incident: Incident) -> None:
    result = CliRunner().invoke(cli, ["import", FILES[1], "--incident", "INC-9"])
    assert result.exit_code == 1
    assert "--incident: no incident 'INC-9'" in result.output


def _mixed_folder(root: Path) -> Path:
    from tests.core.timeline.sources.test_folders import mixed_folder

    return mixed_folder(root)


def test_parse_of_a_folder_reads_each_file_and_sums_up_per_file(tmp_path: Path) -> None:
    folder = _mixed_folder(tmp_path)
    result = invoke("parse", str(folder))
    assert result.exit_code == 0, result.output
    events = [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]
    assert {e["source"] for e in events} == {"teams", "irc", "mattermost", "pagerduty", "slack"}
    assert f"read {folder}/irc.log as irc: 7 events" in result.output
    assert f"read {folder}/pagerduty.jsonl as pagerduty: 4 events" in result.output
    assert f"skipped {folder}/README.bin: not a format secondstory reads" in result.output
    assert f"skipped {folder}/slack/users-list.json: Slack users" in result.output


def test_import_of_a_folder_reports_each_file(incident: Incident, tmp_path: Path) -> None:
    folder = _mixed_folder(tmp_path)
    result = invoke("import", str(folder), "--incident", "INC-42", "--dry-run")
    assert result.exit_code == 0, result.output
    assert f"read {folder}/mattermost/posts-inc-orders.json as mattermost_api: 5 events" in (
        result.output
    )
    assert f"read {folder}/workspace-export as slack: " in result.output
    assert f"skipped {folder}/mattermost/team.json: Mattermost teams" in result.output
    assert "dry run: nothing was written" in result.output
    assert not TimelineEvent.objects.exists()
