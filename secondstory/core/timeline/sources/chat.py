"""What the chat importers (Slack, Mattermost, Teams) share.

Message attachments in Slack's shape (``pretext``, ``title``, ``text``, ``fields``,
``fallback``) are used by Slack and by Mattermost integrations alike; both turn them into
extra lines below the message text. Skipped messages (deleted ones) are counted per file and
reported in one warning.
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Callable
from datetime import datetime
from typing import Any

from secondstory.core.timeline.sources.base import Source, Where, clip, from_epoch

# Everything reading a damaged or unusual zip archive can raise: a corrupt archive or member
# (BadZipFile, zlib.error, EOFError), a ZIP64 archive without its flag (LargeZipFile), an
# encrypted member or a compression method the standard library does not read (RuntimeError
# and its subclasses), and bad names or offsets (ValueError, OSError). Callers turn them
# into a SourceError naming the archive.
ZIP_ERRORS: tuple[type[BaseException], ...] = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    EOFError,
    OSError,
    RuntimeError,
    ValueError,
)

Render = Callable[[str], str]

MAX_ATTACHMENTS = 50
MAX_FIELDS = 50


def _plain(value: str) -> str:
    return value


def attachment_lines(attachments: object, render: Render = _plain) -> list[str]:
    """Readable lines of Slack-style message attachments; anything malformed is passed over.

    Each attachment gives its pretext, title and text (or, when it has none of those, its
    fallback), then one ``title: value`` line per field.
    """
    if not isinstance(attachments, list):
        return []
    lines: list[str] = []
    for attachment in attachments[:MAX_ATTACHMENTS]:
        if not isinstance(attachment, dict):
            continue
        shown = False
        for key in ("pretext", "title", "text"):
            value = attachment.get(key)
            if isinstance(value, str) and value.strip():
                lines.append(render(value).strip())
                shown = True
        fields = attachment.get("fields")
        if isinstance(fields, list):
            for item in fields[:MAX_FIELDS]:
                if not isinstance(item, dict):
                    continue
                title, value = item.get("title"), item.get("value")
                title = render(title).strip() if isinstance(title, str) else ""
                value = render(value).strip() if isinstance(value, str) else ""
                if title or value:
                    lines.append(f"{title}: {value}" if title and value else title or value)
                    shown = True
        fallback = attachment.get("fallback")
        if not shown and isinstance(fallback, str) and fallback.strip():
            lines.append(render(fallback).strip())
    return lines


def join_text(text: str, extra: list[str]) -> str:
    """The message text followed by extra lines (attachments, files), blank parts dropped."""
    parts = [text] if text else []
    parts.extend(line for line in extra if line)
    return "\n".join(parts)


def as_text(value: Any) -> str:
    """A value that should be text, or "" when it is anything else."""
    return value if isinstance(value, str) else ""


class SkipCounter:
    """Counts skipped messages per file, then reports each file's count in one warning."""

    def __init__(self, source: Source, what: str) -> None:
        self.source = source
        self.what = what
        self.counts: dict[str, int] = {}

    def add(self, file: str) -> None:
        self.counts[file] = self.counts.get(file, 0) + 1

    def flush(self) -> None:
        for file, count in self.counts.items():
            noun = self.what if count == 1 else self.what + "s"
            self.source.warn(f"skipped {count} {noun} in {file}")
        self.counts.clear()


def epoch(value: object, where: Where, field: str) -> datetime:
    """``from_epoch`` for untrusted input: a text that is not a short ASCII number is refused
    before it reaches ``int()`` (which accepts other digits, such as superscripts, then fails on
    them, and refuses very long numbers)."""
    if isinstance(value, str) and (not value.isascii() or len(value) > 40):
        raise where.error(field, f"expected an epoch timestamp, got {clip(value, 60)!r}")
    return from_epoch(value, where, field)
