"""The command line, run in-process (click's runner) and as a real process."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from secondstory.accounts.models import Team, User
from secondstory.actions.models import ActionItem
from secondstory.cli.main import cli
from secondstory.incidents.models import Incident, Service, Tag, TimelineEvent
from secondstory.postmortems.models import Postmortem

SECONDSTORY = Path(sys.executable).with_name("secondstory")


def invoke(*args: str, input: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)
    return result.exit_code, result.output


def snapshot() -> tuple[int, ...]:
    return tuple(
        m.objects.count()
        for m in (User, Team, Service, Tag, Incident, TimelineEvent, Postmortem, ActionItem)
    )


def empty_the_database() -> None:
    ActionItem.objects.all().delete()
    Postmortem.objects.all().delete()
    Incident.objects.all().delete()
    for model in (Service, Tag, Team, User):
        model.objects.all().delete()


@pytest.mark.django_db(transaction=True)
def test_export_load_export_of_the_demo_organisation_is_byte_identical(tmp_path: Path) -> None:
    assert invoke("demo", "--no-login")[0] == 0
    first, again, fresh = tmp_path / "first", tmp_path / "again", tmp_path / "fresh"
    code, output = invoke("export", str(first))
    assert code == 0 and "exported" in output
    files = sorted(first.glob("*.md"))
    assert len(files) >= 60

    code, output = invoke("load", str(first))
    assert code == 0, output
    assert f"0 created, 0 updated, {len(files)} unchanged, 0 refused" in output
    invoke("export", str(again))

    empty_the_database()
    code, output = invoke("load", str(first))
    assert code == 0, output
    assert f"{len(files)} created, 0 updated, 0 unchanged, 0 refused" in output
    invoke("export", str(fresh))
    for path in files:
        assert (again / path.name).read_bytes() == path.read_bytes(), path.name
        assert (fresh / path.name).read_bytes() == path.read_bytes(), path.name


@pytest.mark.django_db(transaction=True)
def test_demo_twice_changes_nothing() -> None:
    code, output = invoke("demo")
    login = re.search(r"log in as (\S+) / demo", output)
    assert code == 0 and login, output
    before = snapshot()
    assert Postmortem.objects.count() >= 60
    assert {s for s in Postmortem.objects.values_list("status", flat=True)} == {
        "draft",
        "in_review",
        "approved",
        "published",
        "not_required",
    }
    invoke("demo")
    assert snapshot() == before
    person = User.objects.get(username=login.group(1))
    assert person.check_password("demo") and person.is_staff
    assert person.action_items.filter(status__in=["open", "in_progress"]).exists()


BAD_FILE = """---
secondstory: 1
key: PM-BAD
title: A file with a bad severity
status: draft
owner: dana
people:
  dana: {name: Dana Reyes}
incidents:
- key: INC-BAD
  title: Something broke
  severity: SEV9
---
"""


@pytest.mark.django_db
def test_a_malformed_file_is_reported_by_file_line_and_field_and_nothing_is_written(
    tmp_path: Path,
) -> None:
    path = tmp_path / "bad.md"
    path.write_text(BAD_FILE, encoding="utf-8")
    before = snapshot()
    code, output = invoke("load", str(path))
    assert code == 1
    assert f"{path}:12: incidents[0].severity: unknown severity 'SEV9'" in output
    assert "0 created, 0 updated, 0 unchanged, 1 refused" in output
    assert snapshot() == before


@pytest.mark.django_db
def test_one_bad_file_does_not_stop_the_good_ones(tmp_path: Path, postmortem: Postmortem) -> None:
    invoke("export", str(tmp_path))
    (tmp_path / "zz-bad.md").write_text(BAD_FILE, encoding="utf-8")
    Postmortem.objects.filter(pk=postmortem.pk).update(title="edited in the database")
    code, output = invoke("load", str(tmp_path))
    assert code == 1
    assert "updated PM-1" in output and "0 created, 1 updated, 0 unchanged, 1 refused" in output
    assert Postmortem.objects.get(pk=postmortem.pk).title != "edited in the database"
    assert not Postmortem.objects.filter(key="PM-BAD").exists()


@pytest.mark.django_db
def test_createuser_reads_the_password_from_stdin() -> None:
    code, output = invoke(
        "createuser", "dana", "--name", "Dana Reyes", "--password-stdin", input="s3cret-pass\n"
    )
    assert code == 0, output
    user = User.objects.get(username="dana")
    assert user.check_password("s3cret-pass") and user.name == "Dana Reyes"
    assert not user.is_staff and user.role == "responder"


@pytest.mark.django_db
def test_createuser_gives_the_role_asked_for() -> None:
    code, output = invoke(
        "createuser", "nina", "--role", "viewer", "--password-stdin", input="long-enough-pw\n"
    )
    assert code == 0, output
    assert "created nina (viewer)" in output
    assert User.objects.get(username="nina").role == "viewer"
    code, output = invoke(
        "createuser", "dora", "--staff", "--password-stdin", input="long-enough-pw\n"
    )
    assert code == 0, output
    assert User.objects.get(username="dora").role == "admin"


@pytest.mark.django_db
def test_createuser_refuses_a_taken_username(alice: User) -> None:
    code, output = invoke("createuser", "alice", "--password-stdin", input="another-pass\n")
    assert code == 1
    assert "error:" in output and "already exists" in output


def run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run the installed command on a SQLite home of its own."""
    environment = {k: v for k, v in os.environ.items() if k != "SECONDSTORY_DATABASE_URL"}
    environment.update(env)
    return subprocess.run(
        [str(SECONDSTORY), *args], env=environment, capture_output=True, text=True, timeout=120
    )


def test_check_passes_on_a_fresh_home_and_fails_clearly_on_bad_config(tmp_path: Path) -> None:
    result = run("django", "migrate", "--verbosity", "0", SECONDSTORY_HOME=str(tmp_path))
    assert result.returncode == 0, result.stderr
    result = run("check", SECONDSTORY_HOME=str(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "schema up to date" in result.stdout and "journal mode wal" in result.stdout

    result = run("check", SECONDSTORY_HOME=str(tmp_path), SECONDSTORY_TIME_ZONE="Mars/Base")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        "error: configuration: SECONDSTORY_TIME_ZONE='Mars/Base': unknown time zone"
    ]


def test_check_fails_when_migrations_are_pending(tmp_path: Path) -> None:
    result = run("check", SECONDSTORY_HOME=str(tmp_path))
    assert result.returncode == 1
    assert "migrations pending" in result.stdout


def test_every_command_has_help_with_an_example() -> None:
    for name, command in cli.commands.items():
        assert command.help and "Example:" in command.help, name
        for sub_name, sub in getattr(command, "commands", {}).items():
            assert sub.help and "Example" in sub.help, f"{name} {sub_name}"


INVALID = sorted((Path(__file__).parents[1] / "fixtures" / "exchange" / "invalid").glob("*.md"))
VALID = Path(__file__).parents[1] / "fixtures" / "exchange" / "valid"


@pytest.mark.django_db
@pytest.mark.parametrize("path", INVALID, ids=lambda path: path.stem)
def test_every_invalid_file_is_refused_by_line_and_field_and_writes_nothing(
    path: Path, tmp_path: Path
) -> None:
    # A valid postmortem is already loaded, so a half-applied update would show.
    assert invoke("load", str(VALID / "tracking_timeouts.md"))[0] == 0
    before = snapshot()
    exported = tmp_path / "before"
    invoke("export", str(exported))
    copy = tmp_path / path.name
    # Aim the bad file at the loaded postmortem: refusing it must leave that one as it was.
    text = re.sub(r"(?m)^key: PM-2026-0\d\d$", "key: PM-2026-014", path.read_text("utf-8"))
    copy.write_text(text, encoding="utf-8")
    code, output = invoke("load", str(copy))
    assert code == 1
    for expected in path.with_suffix(".expected").read_text(encoding="utf-8").splitlines():
        assert f"  {tmp_path}/{expected}" in output
    assert snapshot() == before
    after = tmp_path / "after"
    invoke("export", str(after))
    assert [p.read_bytes() for p in sorted(after.iterdir())] == [
        p.read_bytes() for p in sorted(exported.iterdir())
    ]


def test_check_asks_for_a_reindex_when_documents_lack_their_keys(tmp_path: Path) -> None:
    assert run("demo", "--no-login", SECONDSTORY_HOME=str(tmp_path)).returncode == 0
    result = run("check", SECONDSTORY_HOME=str(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "search index: " in result.stdout
    database = tmp_path / "secondstory.sqlite3"
    with sqlite3.connect(database) as db:
        db.execute("UPDATE library_searchdocument SET keys = '' WHERE id IN (1, 2)")
    result = run("check", SECONDSTORY_HOME=str(tmp_path))
    assert result.returncode == 1
    assert "search index: 2 documents were indexed by an older version" in result.stdout
    assert run("reindex", SECONDSTORY_HOME=str(tmp_path)).returncode == 0
    assert run("check", SECONDSTORY_HOME=str(tmp_path)).returncode == 0
