"""``export --all`` then ``load`` into an empty installation carries the whole domain."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from secondstory.accounts.models import Team, User
from secondstory.actions.models import SavedFilter
from secondstory.cli.main import cli
from secondstory.incidents.models import Incident, Service, Tag
from secondstory.notify.models import Delivery, NotificationChannel
from secondstory.operations.full_export import export_everything
from secondstory.operations.full_load import FullLoadError, load_everything
from secondstory.postmortems.models import Comment, Postmortem, Revision
from tests.apps.operations.installation import populate

pytestmark = pytest.mark.django_db


def empty_the_installation() -> None:
    Postmortem.objects.all().delete()
    Incident.objects.all().delete()
    for model in (Delivery, NotificationChannel, SavedFilter, Service, Tag, Team, User):
        model.objects.all().delete()


def files_of(directory: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(directory)): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file() and p.name != "secondstory-export.json"
    }


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def test_export_all_and_load_into_an_empty_installation_give_the_same_export(
    tmp_path: Path,
) -> None:
    populate()
    code, output = invoke("export", "--all", str(tmp_path / "one"))
    assert code == 0, output
    assert "4 users" in output and "2 comments" in output and "4 revisions" in output
    assert "1 incidents" in output  # the one without a postmortem
    empty_the_installation()

    code, output = invoke("load", str(tmp_path / "one"))
    assert code == 0, output
    assert "loaded 2 postmortems" in output and "loaded 4 revisions" in output
    export_everything(tmp_path / "two")
    first, second = files_of(tmp_path / "one"), files_of(tmp_path / "two")
    assert sorted(first) == sorted(second)
    # The audit log only grows (it records the emptying and the load): the first export's
    # events are all in the second.
    old_log, new_log = (f.pop("audit_events.jsonl").decode().splitlines() for f in (first, second))
    assert len(old_log) > 1 and set(old_log) <= set(new_log)
    assert [name for name in first if first[name] != second[name]] == []

    alice = User.objects.get(username="alice")
    assert not alice.has_usable_password()
    assert User.objects.get(username="eve").is_active is False
    assert User.objects.get(username="eve").role == "viewer"
    maintainers = Team.objects.get(slug="payments").maintainers
    assert list(maintainers.values_list("username", flat=True)) == ["bob"]
    assert User.objects.get(username="dora").is_staff is True
    assert sorted(Team.objects.get(slug="payments").members.values_list("username", flat=True)) == [
        "alice",
        "bob",
    ]
    assert Incident.objects.get(key="INC-LONE").timeline.count() == 4
    assert Comment.objects.filter(resolved_by=alice).count() == 1
    assert Comment.objects.get(requests_change=True).body == "Which hosts?"
    assert Revision.objects.filter(postmortem__key="PM-2").count() == 2

    code, output = invoke("load", str(tmp_path / "one"))  # loading again changes nothing
    assert code == 0, output
    export_everything(tmp_path / "three")
    third = files_of(tmp_path / "three")
    assert set(new_log) <= set(third.pop("audit_events.jsonl").decode().splitlines())
    assert third == first


def test_a_bad_line_names_file_line_and_field_and_loads_nothing(tmp_path: Path) -> None:
    populate()
    export_everything(tmp_path)
    empty_the_installation()
    comments = tmp_path / "comments.jsonl"
    lines = comments.read_text().splitlines()
    broken = json.loads(lines[2])
    broken["created_at"] = "yesterday"
    lines[2] = json.dumps(broken)
    comments.write_text("\n".join(lines) + "\n")

    with pytest.raises(FullLoadError) as caught:
        load_everything(tmp_path)
    assert str(caught.value) == (
        f"{comments}:3: created_at: expected an ISO 8601 instant with an offset, "
        "got 'yesterday'; nothing was loaded"
    )
    assert not User.objects.exists() and not Postmortem.objects.exists()
    code, output = invoke("load", str(tmp_path))
    assert code == 1 and f"error: {comments}:3: created_at" in output


def test_export_all_refuses_a_directory_with_files_in_it(tmp_path: Path) -> None:
    populate()
    (tmp_path / "PM-OLD.md").write_text("left from an earlier export")
    code, output = invoke("export", "--all", str(tmp_path))
    assert code == 1
    assert f"error: {tmp_path} is not empty; export --all writes into a new or empty" in output
    assert [p.name for p in tmp_path.iterdir()] == ["PM-OLD.md"]
