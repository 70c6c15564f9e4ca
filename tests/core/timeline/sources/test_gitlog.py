"""The git importer: `git log` text in its formats, and a local repository read with git."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from secondstory.core.timeline.sources import gitlog
from secondstory.core.timeline.sources.base import ParseOptions, Source, SourceError
from tests.core.timeline.sources import support

FIXTURES = support.FIXTURES / "gitlog"
CASES = ["default", "fuller-name-status", "raw", "dates"]


@pytest.mark.parametrize("name", CASES)
def test_fixture_gives_the_expected_events(name: str) -> None:
    events, source = support.run(gitlog, FIXTURES / f"{name}.log")
    support.assert_expected(events, FIXTURES / f"{name}.expected.jsonl")
    assert len({e.source_ref for e in events}) == len(events)
    for event in events:
        assert event.raw is not None
        json.dumps(event.raw)
        assert event.raw["sha"] == event.source_ref
    assert source.warnings == []


@pytest.mark.parametrize("name", CASES)
def test_fixture_is_detected_as_gitlog(name: str) -> None:
    assert support.detect(Source(FIXTURES / f"{name}.log")) == "gitlog"


def test_default_format_keeps_the_authors_offset_and_raw_fields() -> None:
    events = list(gitlog.parse(Source(FIXTURES / "default.log"), ParseOptions()))
    second = events[1]
    assert second.at == datetime(2024, 1, 14, 23, 5, 47, tzinfo=timezone(timedelta(hours=-8)))
    assert second.at.utcoffset() == timedelta(hours=-8)
    assert second.raw == {
        "sha": "7be03c5e1d2c3b4a59687766554433221100ffee",
        "author": "Tomás Okafor",
        "email": "tomas@northwind.example",
        "date": "2024-01-14T23:05:47-08:00",
        "subject": "Lower the payment gateway timeout from 30 s to 8 s",
        "body": "The gateway answers within 2 s when healthy; waiting 30 s kept\n"
        "request threads busy during the outage.",
    }
    # The --stat lines after the message are not part of it.
    assert "files changed" not in json.dumps(events[1].raw)


def test_fuller_uses_the_commit_date_not_the_author_date() -> None:
    first = next(gitlog.parse(Source(FIXTURES / "fuller-name-status.log"), ParseOptions()))
    assert first.at == datetime(2024, 1, 15, 9, 1, 30, tzinfo=timezone(timedelta(hours=1)))
    assert first.actor == "Ines Moreau"
    assert first.raw is not None and "services/fraud" not in first.raw["body"]


def test_oneline_output_is_refused_with_advice(tmp_path: Path) -> None:
    with pytest.raises(SourceError) as caught:
        list(gitlog.parse(Source(FIXTURES / "oneline.log", name="oneline.log"), ParseOptions()))
    assert "--oneline" in str(caught.value)
    assert str(caught.value).startswith("oneline.log:1: format:")


@pytest.mark.parametrize(
    ("date_line", "message"),
    [
        ("Date:   3 days ago", "cannot read the date"),
        ("Date:   2024-01-15", "cannot read the date"),
        ("Date:   Mon Foo 15 08:42:11 2024 +0100", "unknown month"),
        ("Date:   Mon Feb 30 08:42:11 2024 +0100", "day is out of range"),
    ],
)
def test_unreadable_dates_name_line_and_field(tmp_path: Path, date_line: str, message: str) -> None:
    path = tmp_path / "bad.log"
    path.write_text(f"commit {'a' * 40}\nAuthor: A <a@x>\n{date_line}\n\n    subject\n")
    with pytest.raises(SourceError) as caught:
        list(gitlog.parse(Source(path, name="bad.log"), ParseOptions()))
    assert str(caught.value).startswith("bad.log:3: Date:")
    assert message in str(caught.value)


def test_a_commit_without_a_date_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "nodate.log"
    path.write_text(f"commit {'b' * 40}\nAuthor: A <a@x>\n\n    subject\n")
    with pytest.raises(SourceError, match=r"nodate.log:1: Date: commit b+ has no date .*fuller"):
        list(gitlog.parse(Source(path, name="nodate.log"), ParseOptions()))


# --- a local repository ---------------------------------------------------------------------

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def _git(repo: Path, *args: str, env: dict[str, str] | None = None) -> None:
    base = {
        "HOME": str(repo.parent),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "Ines Moreau",
        "GIT_AUTHOR_EMAIL": "ines@northwind.example",
        "GIT_COMMITTER_NAME": "Release Bot",
        "GIT_COMMITTER_EMAIL": "bot@northwind.example",
        "PATH": os.environ.get("PATH", ""),
    }
    subprocess.run(["git", "-C", str(repo), *args], check=True, env={**base, **(env or {})})


def _commit(repo: Path, message: str, authored: str, committed: str) -> None:
    (repo / "notes.txt").write_text(message + "\n", encoding="utf-8")
    _git(repo, "add", "notes.txt")
    dates = {"GIT_AUTHOR_DATE": authored, "GIT_COMMITTER_DATE": committed}
    _git(repo, "commit", "-q", "-m", message, env=dates)


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    repo = tmp_path / "storefront"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    _commit(repo, "First commit", "2024-01-15T08:00:00+05:30", "2024-01-15T08:00:00+05:30")
    _commit(
        repo,
        "Lower the gateway timeout\n\nWaiting 30 s kept threads busy.",
        "2024-01-15T01:00:00-08:00",
        "2024-01-15T01:10:00-08:00",
    )
    _commit(repo, "Release 2.14.1", "2024-01-15T10:30:00+01:00", "2024-01-15T10:31:00+01:00")
    return repo


@needs_git
def test_a_repository_folder_is_detected_and_read(repository: Path) -> None:
    source = Source(repository)
    assert support.detect(source) == "gitlog"
    events = sorted(gitlog.parse(source, ParseOptions()), key=lambda e: e.at)
    assert [e.text for e in events] == [
        "First commit",
        "Lower the gateway timeout",
        "Release 2.14.1",
    ]
    assert [e.at.isoformat() for e in events] == [
        "2024-01-15T08:00:00+05:30",
        "2024-01-15T01:10:00-08:00",  # the commit date, at its own offset
        "2024-01-15T10:31:00+01:00",
    ]
    assert {e.source for e in events} == {"git"}
    assert {e.actor for e in events} == {"Ines Moreau"}
    assert all(len(e.source_ref) == 40 for e in events)
    assert events[1].raw is not None
    assert events[1].raw["body"] == "Waiting 30 s kept threads busy."
    assert events[1].raw["email"] == "ines@northwind.example"


@needs_git
def test_a_repository_is_read_within_since_and_until(repository: Path) -> None:
    options = ParseOptions(
        since=datetime(2024, 1, 15, 8, 0, tzinfo=UTC),
        until=datetime(2024, 1, 15, 9, 20, tzinfo=UTC),
    )
    events = list(gitlog.parse(Source(repository), options))
    assert [e.text for e in events] == ["Lower the gateway timeout"]


@needs_git
def test_a_bare_repository_is_read(repository: Path, tmp_path: Path) -> None:
    bare = tmp_path / "bare.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(repository), str(bare)], check=True)
    assert gitlog.sniff(Source(bare))
    assert len(list(gitlog.parse(Source(bare), ParseOptions()))) == 3


def test_a_plain_folder_is_not_a_repository(tmp_path: Path) -> None:
    assert not gitlog.sniff(Source(tmp_path))
    with pytest.raises(SourceError, match="not a git repository"):
        list(gitlog.parse(Source(tmp_path), ParseOptions()))


@needs_git
def test_a_broken_repository_gives_the_git_message(tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    (broken / ".git").mkdir(parents=True)
    with pytest.raises(SourceError, match="git log failed"):
        list(gitlog.parse(Source(broken), ParseOptions()))


@needs_git
def test_missing_git_is_a_clear_error(repository: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "")
    with pytest.raises(SourceError, match="git is not installed"):
        list(gitlog.parse(Source(repository), ParseOptions()))


# --- never anything but SourceError ---------------------------------------------------------


def _parse_bytes(data: bytes) -> None:
    support.parses_or_fails_cleanly(gitlog, data, name="fuzz.log")


_SEED = b"".join((FIXTURES / f"{name}.log").read_bytes() for name in CASES)


@support.FUZZ
@given(data=st.binary(max_size=2000))
def test_fuzz_arbitrary_bytes(data: bytes) -> None:
    _parse_bytes(b"commit " + b"c" * 40 + b"\n" + data)
    _parse_bytes(data)


@support.FUZZ
@given(
    cut=st.integers(min_value=0, max_value=len(_SEED)),
    junk=st.sampled_from(
        [b"", b"\x00", b"\xff\xfe", b"\n", b"    ", b"Date: ", b"+9999", b"commit ", b"\r\n"]
    ),
    at=st.integers(min_value=0, max_value=len(_SEED)),
)
def test_fuzz_mutated_fixtures(cut: int, junk: bytes, at: int) -> None:
    mutated = _SEED[:at] + junk + _SEED[at:cut] if at <= cut else _SEED[:cut] + junk
    _parse_bytes(mutated)


def test_local_dates_are_read_in_the_given_zone(tmp_path: Path) -> None:
    path = tmp_path / "local.log"
    path.write_text(
        f"commit {'d' * 40}\nAuthor: A <a@x>\nDate:   Sun Mar 31 02:30:00 2024\n\n    in a gap\n"
        f"commit {'e' * 40}\nAuthor: A <a@x>\nDate:   Mon Jan 15 08:42:11 2024\n\n    subject\n"
    )
    with pytest.raises(SourceError) as caught:
        list(gitlog.parse(Source(path, name="local.log"), ParseOptions()))
    assert str(caught.value).startswith("local.log:3: tz: dates written with --date=local")
    # 02:30 on 31 March 2024 never happened in Berlin (the clocks jumped to 03:00).
    with pytest.raises(SourceError, match=r"local.log:3: Date: "):
        list(
            gitlog.parse(Source(path, name="local.log"), ParseOptions(tz=ZoneInfo("Europe/Berlin")))
        )
    path.write_text(path.read_text().replace("Sun Mar 31 02:30:00", "Sun Mar 31 01:30:00"))
    events = list(gitlog.parse(Source(path), ParseOptions(tz=ZoneInfo("Europe/Berlin"))))
    assert [e.at.isoformat() for e in events] == [
        "2024-03-31T01:30:00+01:00",
        "2024-01-15T08:42:11+01:00",
    ]


def test_text_logs_are_kept_within_since_and_until() -> None:
    options = ParseOptions(
        since=datetime(2024, 1, 15, 7, 0, tzinfo=UTC),
        until=datetime(2024, 1, 15, 7, 30, tzinfo=UTC),
    )
    events = list(gitlog.parse(Source(FIXTURES / "default.log"), options))
    assert [e.source_ref[:7] for e in events] == ["7be03c5"]


def test_graph_output_is_refused_with_advice(tmp_path: Path) -> None:
    path = tmp_path / "graph.log"
    path.write_text(f"* commit {'f' * 40}\n| Author: A <a@x>\n")
    with pytest.raises(SourceError, match=r"graph.log:1: format: `git log --graph`"):
        list(gitlog.parse(Source(path, name="graph.log"), ParseOptions()))


def test_signature_check_lines_are_skipped(tmp_path: Path) -> None:
    path = tmp_path / "signed.log"
    path.write_text(
        f"commit {'a' * 40}\n"
        "gpg: Signature made Mon Jan 15 08:42:11 2024 CET\n"
        "gpg:                using RSA key 0123456789ABCDEF\n"
        "Primary key fingerprint: 0123 4567 89AB CDEF 0123  4567 89AB CDEF 0123 4567\n"
        "Author: Ines Moreau <ines@northwind.example>\n"
        "Date:   Mon Jan 15 08:42:11 2024 +0100\n\n    Signed change\n"
    )
    (event,) = gitlog.parse(Source(path), ParseOptions())
    assert (event.text, event.actor) == ("Signed change", "Ines Moreau")
