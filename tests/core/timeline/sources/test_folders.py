"""A folder of mixed exports: each file told on its own, companions and strangers skipped;
detection that is ambiguous says so."""

from __future__ import annotations

import json
import shutil
import tempfile
from datetime import UTC, date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from secondstory.core.timeline import sources
from secondstory.core.timeline.sources.base import ParseOptions, Source, SourceError
from secondstory.core.timeline.sources.folders import UNKNOWN, expand
from tests.core.timeline.sources import support

FIXTURES = support.FIXTURES
TEAM = "7d2f0c4e-1b3a-4c5d-9e8f-0a1b2c3d4e5f"


def mixed_folder(root: Path) -> Path:
    """Exports of one incident as a team would collect them, in one folder."""
    folder = root / "inc-3107"
    shutil.copytree(FIXTURES / "slack_api", folder / "slack", ignore=_no_expected)
    shutil.copytree(FIXTURES / "mattermost_api", folder / "mattermost", ignore=_no_expected)
    shutil.copytree(FIXTURES / "teams" / "TeamsDataExport", folder / "TeamsDataExport",
                    ignore=_no_expected)  # fmt: skip
    shutil.copytree(FIXTURES / "slack" / "export", folder / "workspace-export", ignore=_no_expected)
    shutil.copy(FIXTURES / "pagerduty" / "webhooks-v2.jsonl", folder / "pagerduty.jsonl")
    shutil.copy(FIXTURES / "irc" / "limnoria" / "#inc-db.2024-05-02.log", folder / "irc.log")
    (folder / "README.bin").write_bytes(b"\x00\x01\x02")
    (folder / ".DS_Store").write_bytes(b"\x00")
    return folder


def _no_expected(_: str, names: list[str]) -> list[str]:
    return [name for name in names if name.endswith(".expected.jsonl")]


def test_each_file_is_read_in_its_own_format(tmp_path: Path) -> None:
    folder = mixed_folder(tmp_path)
    found = expand([Source(folder, "inc-3107")])
    assert found.walked
    assert [(s.name, sources.detect(s)) for s in found.sources] == [
        (f"inc-3107/TeamsDataExport/teams/{TEAM}/messages_{TEAM}.json", "teams"),
        ("inc-3107/irc.log", "irc"),
        ("inc-3107/mattermost/posts-inc-orders.json", "mattermost_api"),
        ("inc-3107/pagerduty.jsonl", "pagerduty"),
        ("inc-3107/slack/history-C05INCORD.json", "slack_api"),
        ("inc-3107/workspace-export", "slack"),
    ]
    assert found.skipped == [
        ("inc-3107/README.bin", UNKNOWN),
        (
            "inc-3107/mattermost/channel.json",
            "Mattermost channels, read with the posts beside them",
        ),
        ("inc-3107/mattermost/team.json", "Mattermost teams, read with the posts beside them"),
        ("inc-3107/mattermost/users.json", "Mattermost users, read with the posts beside them"),
        (
            "inc-3107/slack/conversations-info.json",
            "Slack channels, read with the message pages beside them",
        ),
        ("inc-3107/slack/users-list.json", "Slack users, read with the message pages beside them"),
    ]


def test_every_event_of_the_folder_is_read_with_its_instant(tmp_path: Path) -> None:
    found = expand([Source(mixed_folder(tmp_path))])
    counts = {}
    for source in found.sources:
        events = list(sources.parse(source, ParseOptions()))
        counts[Path(source.name).name] = len(events)
        assert all(event.at.utcoffset() is not None for event in events)
    assert counts == {
        f"messages_{TEAM}.json": 5,
        "irc.log": 7,
        "posts-inc-orders.json": 5,
        "pagerduty.jsonl": 4,
        "history-C05INCORD.json": 6,
        "workspace-export": len(
            support.read_expected(FIXTURES / "slack" / "export.expected.jsonl")
        ),
    }


def test_a_folder_an_importer_reads_whole_is_not_walked() -> None:
    found = expand([Source(FIXTURES / "slack" / "export")])
    assert not found.walked and [s.name for s in found.sources] == [
        str(FIXTURES / "slack" / "export")
    ]


def test_with_a_format_every_file_but_the_companions_is_read_in_it(tmp_path: Path) -> None:
    folder = tmp_path / "pages"
    shutil.copytree(FIXTURES / "slack_api", folder, ignore=_no_expected)
    found = expand([Source(folder, "pages")], "slack_api")
    assert [s.name for s in found.sources] == ["pages/history-C05INCORD.json"]
    assert [name for name, _ in found.skipped] == [
        "pages/conversations-info.json",
        "pages/users-list.json",
    ]


def test_a_folder_of_discord_exports_beside_other_files_is_walked(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "discord" / "inc-2291-payments.json", tmp_path / "discord.json")
    shutil.copy(FIXTURES / "irc" / "limnoria" / "#inc-db.2024-05-02.log", tmp_path / "irc.log")
    found = expand([Source(tmp_path, "box")])
    assert [(s.name, sources.detect(s)) for s in found.sources] == [
        ("box/discord.json", "discord"),
        ("box/irc.log", "irc"),
    ]


def test_a_folder_with_nothing_to_read_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "a.bin").write_bytes(b"\x00")
    with pytest.raises(SourceError, match=r"^box: no file in this folder .*a.bin: not a format"):
        expand([Source(tmp_path, "box")])
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(SourceError, match=r"\(it is empty\)"):
        expand([Source(empty, "empty")])


def test_a_companion_given_alone_says_what_to_give(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="holds Slack users, read with the message pages"):
        sources.detect(Source(FIXTURES / "slack_api" / "users-list.json"))


def test_ambiguous_detection_names_the_other_formats(tmp_path: Path) -> None:
    page = {
        "event": {
            "id": "E1",
            "event_type": "incident.triggered",
            "occurred_at": "2024-05-02T14:02:40Z",
            "data": {"title": "orders-db primary down"},
        }
    }
    release = {"action": "published", "release": {"author": {"login": "dara"}, "tag_name": "v1"}}
    path = tmp_path / "hooks.json"
    path.write_text(json.dumps([page, release]))
    source = Source(path, name="hooks.json")
    assert sources.claims(source) == ["pagerduty", "github"]
    assert sources.detect(source) == "pagerduty"
    assert source.warnings == [
        "hooks.json: read as pagerduty, but it also looks like github; give --from if that is wrong"
    ]


def test_a_generic_format_beside_a_specific_one_is_not_ambiguous() -> None:
    source = Source(FIXTURES / "irc" / "irssi-ops.log")
    assert sources.claims(source) == ["irc", "plain"]
    assert sources.detect(source) == "irc" and source.warnings == []


def test_a_users_file_named_beside_a_page_is_skipped_as_its_companion() -> None:
    folder = FIXTURES / "slack_api"
    page, users = Source(folder / "history-C05INCORD.json"), Source(folder / "users-list.json")
    found = expand([page, users])
    assert found.sources == [page] and not found.walked
    assert found.skipped == [(users.name, "Slack users, read with the message pages beside them")]
    assert expand([users]).sources == [users]  # alone, detection says what to give instead


CONTENTS = [
    path.read_bytes()
    for path in sorted(FIXTURES.rglob("*"))
    if path.is_file() and not path.name.endswith(".expected.jsonl") and path.stat().st_size < 20000
]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["a.json", "b.log", "c.jsonl", "sub/d.json", "sub/e.txt", ".hidden"]),
            st.sampled_from(CONTENTS) | st.binary(max_size=200),
        ),
        max_size=8,
    )
)
def test_every_file_of_a_folder_is_read_or_skipped_with_a_reason(
    files: list[tuple[str, bytes]],
) -> None:
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        for relative, content in files:
            (folder / relative).parent.mkdir(exist_ok=True)
            (folder / relative).write_bytes(content)
        written = {rel for rel, _ in files if not rel.startswith(".")}
        try:
            found = expand([Source(folder, "box")])
        except SourceError as exc:
            assert str(exc).startswith("box: no file in this folder")
            return
        named = [s.name for s in found.sources] + [name for name, _ in found.skipped]
        assert sorted(named) == sorted(f"box/{rel}" for rel in written)
        assert all(reason for _, reason in found.skipped)
        for source in found.sources:
            try:
                list(sources.parse(source, ParseOptions(tz=UTC, date=date(2024, 5, 2))))
            except SourceError as exc:
                assert str(exc).startswith(source.name)
