"""``secondstory import-postmortems`` writing to the database."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from secondstory.accounts.models import User
from secondstory.actions.models import ActionItem
from secondstory.cli.postmortem_import import import_postmortems
from secondstory.incidents.models import Incident, TimelineEvent
from secondstory.postmortems.models import Postmortem

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "postmortem_import"


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(import_postmortems, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    for path in FIXTURES.glob("*.md"):
        shutil.copy(path, tmp_path / path.name)
    return tmp_path


def counts() -> tuple[int, int, int, int]:
    return (
        Postmortem.objects.count(),
        Incident.objects.count(),
        TimelineEvent.objects.count(),
        ActionItem.objects.count(),
    )


def test_import_writes_every_good_file_and_refuses_the_broken_one(
    alice: User, folder: Path
) -> None:
    code, out, err = invoke(str(folder), "--owner", "alice")
    assert code == 1
    assert "error:" in err and "broken-front-matter.md:4: front_matter:" in err
    assert "Traceback" not in out + err
    good = len(list(folder.glob("*.md"))) - 1
    assert f"{good} imported, 1 refused, 0 skipped" in out
    assert Postmortem.objects.count() == good
    pm = Postmortem.objects.get(key="2024-05-14-checkout-latency")
    assert pm.owner == alice and pm.status == "draft"
    assert pm.summary.startswith("For about forty minutes")
    assert pm.action_items.count() == 4
    assert User.objects.get(username="marco-ferri").name == "Marco Ferri"
    incident = pm.incidents.get()
    assert incident.severity.code == "SEV2"
    assert incident.timeline.count() == 5
    line = next(x for x in out.splitlines() if x.startswith("imported 2024-05-14-checkout-latency"))
    assert "(8 sections, 5 timeline events, 3 factors, 4 action items; 8 warnings)" in line


def test_importing_twice_changes_nothing(alice: User, folder: Path) -> None:
    invoke(str(folder), "--owner", "alice")
    first = counts()
    events = sorted(TimelineEvent.objects.values_list("source", "source_ref", "at"))
    code, _, _ = invoke(str(folder), "--owner", "alice")
    assert code == 1  # the broken file is still refused
    assert counts() == first
    assert sorted(TimelineEvent.objects.values_list("source", "source_ref", "at")) == events


def test_owner_is_required_and_must_exist(db: None, folder: Path) -> None:
    code, _, err = invoke(str(folder))
    assert code == 1 and "--owner" in err and len(err.strip().splitlines()) == 1
    code, _, err = invoke(str(folder), "--owner", "nobody")
    assert code == 1 and "no user 'nobody'" in err
    assert counts() == (0, 0, 0, 0)


def test_unknown_severity_is_refused(alice: User, folder: Path) -> None:
    code, _, err = invoke(str(folder), "--owner", "alice", "--severity", "SEV9")
    assert code == 1 and "unknown severity 'SEV9'" in err
    assert counts() == (0, 0, 0, 0)


def test_dry_run_writes_nothing_and_prints_events(alice: User, folder: Path) -> None:
    code, out, _ = invoke(str(folder), "--dry-run", "--format", "jsonl")
    assert code == 1
    rows = [json.loads(line) for line in out.splitlines()]
    assert rows and all(
        set(row)
        == {"at", "offset", "kind", "source", "source_ref", "actor", "actor_role", "text", "file"}
        for row in rows
    )
    assert counts() == (0, 0, 0, 0)
