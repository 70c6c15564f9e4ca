"""Files saved beside an input: the user and channel objects an API returns separately.

Chat APIs return messages with ids only (``user_id``, ``channel_id``); people save the users
and channels they fetched as JSON files in the same folder. ``neighbours`` finds them by their
content (never by name alone), so an importer can show names instead of ids.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from secondstory.core.timeline.sources.base import Source, decode

MAX_FILES = 500
MAX_BYTES = 64 * 1024 * 1024
HEAD = 4096


def neighbours(source: Source, kind_of: Callable[[str], str]) -> Iterator[tuple[str, Any]]:
    """``(kind, document)`` of each JSON file beside ``source`` that ``kind_of`` (given the
    file's first bytes as text) names a kind; unreadable files are warned about and passed
    over."""
    try:
        folder = source.path.parent
        candidates = sorted(p for p in folder.iterdir() if p.suffix.lower() == ".json")
    except OSError:
        return
    for path in candidates[:MAX_FILES]:
        if path == source.path:
            continue
        try:
            if not path.is_file() or path.stat().st_size > MAX_BYTES:
                continue
            with path.open("rb") as handle:
                kind = kind_of(decode(handle.read(HEAD)))
            if not kind:
                continue
            document = json.loads(decode(path.read_bytes()))
        except (OSError, ValueError, RecursionError) as exc:
            source.warn(f"{path.name} beside it cannot be read ({type(exc).__name__}); passed over")
            continue
        yield kind, document
