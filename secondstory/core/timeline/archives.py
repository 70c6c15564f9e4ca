"""Zip archives read safely: bounded members, sizes and compression ratios.

A small zip can inflate to gigabytes (a "zip bomb"). Before an importer reads anything from
an archive, ``open_zip`` checks what the archive declares: the number of members (read from
its end record, before the member list is parsed), the total uncompressed size and each
member's compression ratio. A member is then read whole only up to ``MAX_MEMBER_BYTES``;
bigger ones are streamed (line by line, each line bounded by ``base.MAX_LINE_BYTES``).
Python's ``zipfile`` never inflates a member past the size it declares (a member that lies
fails its checksum), so the declared sizes are a real bound.

>>> describe_bytes(64 * 1024 * 1024)
'64 MiB'
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from secondstory.core.timeline.sources.base import Source, SourceError
from secondstory.core.timeline.sources.chat import ZIP_ERRORS

#: Members one archive may hold (a Slack export has one file per channel and day).
MAX_MEMBERS = 200_000
#: Bytes all members together may inflate to.
MAX_TOTAL_BYTES = 4 * 1024**3
#: Bytes of one member read into memory at once (a Slack day file, users.json): parsed, 32 MiB
#: of chat JSON takes about 210 MB, which keeps an import under 300 MB.
MAX_MEMBER_BYTES = 32 * 1024**2
#: Uncompressed size over compressed size, for members bigger than ``RATIO_FROM_BYTES``;
#: chat JSON compresses about 5 to 20 times, a zip bomb about 1,000 times.
MAX_RATIO = 100
RATIO_FROM_BYTES = 1024**2

_END = b"PK\x05\x06"
_END64_LOCATOR = b"PK\x06\x07"
_END64 = b"PK\x06\x06"
_TAIL = 22 + 65535  # the end record and the longest archive comment


class ArchiveRefused(SourceError):
    """An archive too big to read; format detection reports it instead of guessing on."""

    refused = True


def describe_bytes(size: int) -> str:
    """A size in the largest binary unit that keeps it whole or at one decimal."""
    for unit, scale in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if size >= scale:
            value = size / scale
            return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"
    return f"{size} bytes"


def declared_members(path: Path) -> int | None:
    """The member count an archive's end record declares (None when there is none)."""
    with path.open("rb") as handle:
        handle.seek(0, 2)
        size = handle.tell()
        handle.seek(max(0, size - _TAIL))
        tail = handle.read()
        at = tail.rfind(_END)
        if at < 0 or len(tail) - at < 22:
            return None
        total = int.from_bytes(tail[at + 10 : at + 12], "little")
        if total != 0xFFFF or at < 20 or tail[at - 20 : at - 16] != _END64_LOCATOR:
            return total
        handle.seek(int.from_bytes(tail[at - 12 : at - 4], "little"))
        record = handle.read(56)
        if len(record) < 40 or not record.startswith(_END64):
            return total
        return int.from_bytes(record[32:40], "little")


def _refuse(source: Source, message: str) -> ArchiveRefused:
    return ArchiveRefused(message, file=source.name)


def check_zip(source: Source, archive: zipfile.ZipFile) -> None:
    """Refuse an archive whose members inflate too far (total size or ratio)."""
    total = 0
    for info in archive.infolist():
        total += info.file_size
        if total > MAX_TOTAL_BYTES:
            raise _refuse(
                source,
                f"the archive inflates to more than {describe_bytes(MAX_TOTAL_BYTES)}; "
                "import its files in parts",
            )
        if info.file_size > RATIO_FROM_BYTES and (
            info.file_size > MAX_RATIO * max(info.compress_size, 1)
        ):
            raise _refuse(
                source,
                f"{info.filename} inflates from {describe_bytes(info.compress_size)} to "
                f"{describe_bytes(info.file_size)} (more than {MAX_RATIO} times): refused as "
                "a likely zip bomb",
            )


def open_zip(source: Source) -> zipfile.ZipFile:
    """The archive of ``source``, opened after its declared sizes passed the checks."""
    try:
        members = declared_members(source.path)
    except OSError as exc:
        raise SourceError(f"cannot read this file: {exc}", file=source.name) from exc
    if members is not None and members > MAX_MEMBERS:
        raise _refuse(
            source, f"the archive holds {members:,} files; at most {MAX_MEMBERS:,} are read"
        )
    try:
        archive = zipfile.ZipFile(source.path)
    except ZIP_ERRORS as exc:
        raise SourceError(f"not a readable zip file: {exc}", file=source.name) from exc
    try:
        check_zip(source, archive)
    except BaseException:
        archive.close()
        raise
    return archive


def read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, label: str) -> bytes:
    """One member's bytes, refused before reading when it inflates past ``MAX_MEMBER_BYTES``."""
    if info.file_size > MAX_MEMBER_BYTES:
        raise ArchiveRefused(
            f"inflates to {describe_bytes(info.file_size)}; at most "
            f"{describe_bytes(MAX_MEMBER_BYTES)} of one file in an archive are read",
            file=label,
        )
    return archive.read(info)
