"""Zip archives are checked before they are read: a zip bomb is refused early and clearly."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from secondstory.core.timeline import archives, sources
from secondstory.core.timeline.sources.base import ParseOptions, Source, SourceError

GIB = 1024**3
CHUNK = b"\0" * (4 * 1024**2)


def slack_bomb(path: Path, inflated: int) -> Path:
    """A Slack export whose one day file inflates to ``inflated`` bytes, written in chunks
    (the zip on disk stays around a thousandth of that)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("users.json", json.dumps([{"id": "U1", "name": "ana"}]))
        archive.writestr("channels.json", json.dumps([{"id": "C1", "name": "incident"}]))
        with archive.open("incident/2026-03-01.json", "w", force_zip64=True) as member:
            written = 0
            while written < inflated:
                member.write(CHUNK[: inflated - written])
                written += len(CHUNK)
    return path


def test_a_zip_inflating_to_one_gib_is_refused_before_it_is_read(tmp_path: Path) -> None:
    bomb = slack_bomb(tmp_path / "export.zip", GIB)
    assert bomb.stat().st_size < 8 * 1024**2
    source = Source(bomb, "export.zip")
    with pytest.raises(SourceError) as caught:
        sources.detect(source)
    message = str(caught.value)
    assert message.startswith("export.zip: incident/2026-03-01.json inflates from ")
    assert "to 1 GiB (more than 100 times): refused as a likely zip bomb" in message
    with pytest.raises(SourceError, match="likely zip bomb"):
        list(sources.parse(source, ParseOptions(), "slack"))


def test_a_big_member_that_compresses_little_is_still_not_read_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(archives, "MAX_MEMBER_BYTES", 1024)
    day = [{"type": "message", "ts": f"1772323200.{n:06d}", "text": f"m{n}"} for n in range(200)]
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("users.json", "[]")
        archive.writestr("channels.json", json.dumps([{"id": "C1", "name": "incident"}]))
        archive.writestr("incident/2026-03-01.json", json.dumps(day))
    with pytest.raises(SourceError) as caught:
        list(sources.parse(Source(path, "export.zip"), ParseOptions(), "slack"))
    assert str(caught.value).startswith("export.zip/incident/2026-03-01.json: inflates to ")
    assert "at most 1 KiB of one file in an archive are read" in str(caught.value)


def test_too_many_members_are_refused_from_the_end_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(archives, "MAX_MEMBERS", 10)
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for number in range(11):
            archive.writestr(f"incident/2026-03-{number + 1:02d}.json", "[]")
    assert archives.declared_members(path) == 11
    with pytest.raises(SourceError, match="the archive holds 11 files; at most 10 are read"):
        archives.open_zip(Source(path, "export.zip"))


def test_a_zip64_end_record_is_read(tmp_path: Path) -> None:
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for number in range(3):
            with archive.open(f"f{number}.txt", "w", force_zip64=True) as member:
                member.write(b"x")
        archive.comment = b"z" * 100
    assert archives.declared_members(path) == 3


def test_the_total_inflated_size_is_bounded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(archives, "MAX_TOTAL_BYTES", 2048)
    path = tmp_path / "export.jsonl.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("export.jsonl", b'{"type": "version", "version": 1}\n' * 100)
    with pytest.raises(SourceError, match="inflates to more than 2 KiB; import its files in parts"):
        list(sources.parse(Source(path, "mm.zip"), ParseOptions(), "mattermost"))


def test_a_line_without_end_is_refused_before_it_fills_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from secondstory.core.timeline.sources import base

    monkeypatch.setattr(base, "MAX_LINE_BYTES", 1024**2)
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w") as archive:  # stored: no ratio to refuse it for
        archive.writestr("export.jsonl", b'{"type": "version", "version": 1}\n' + b"7" * 2**21)
    with pytest.raises(SourceError) as caught:
        list(sources.parse(Source(path, "mm.zip"), ParseOptions(), "mattermost"))
    assert str(caught.value) == "mm.zip:2: line longer than 1 MiB; is this the right file?"
