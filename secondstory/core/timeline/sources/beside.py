"""Files saved beside an input: the user and channel objects an API returns separately.

Chat APIs return messages with ids only (``user_id``, ``channel_id``); people save the users
and channels they fetched as JSON files in the same folder. ``neighbours`` finds them by their
content (never by name alone), so an importer can show names instead of ids.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from secondstory.core.timeline.sources.base import Source, decode

MAX_FILES = 500
MAX_BYTES = 64 * 1024 * 1024
HEAD = 4096


def neighbours(source: Source, kind_of: Callable[[str], str]) -> Iterator[tuple[str, Any]]:
    """``(kind, document)`` of each JSON file beside ``source`` that ``kind_of`` (given the
    file's first bytes as text) names a kind; unreadable files are warned about and passed
    over. ``kind_of`` must name no file that is itself an input.

    The folder is read once for all the inputs in it (until a file is added or removed), so
    a folder of a thousand pages is not read a thousand times; the documents are shared and
    must not be changed.
    """
    try:
        folder = source.path.parent
        stamp = folder.stat().st_mtime_ns
    except OSError:
        return
    found, problems = _scan(str(folder), stamp, kind_of)
    for problem in problems:
        source.warn(problem)
    yield from found


@functools.lru_cache(maxsize=4)
def _scan(
    folder: str, stamp: int, kind_of: Callable[[str], str]
) -> tuple[tuple[tuple[str, Any], ...], tuple[str, ...]]:
    del stamp  # part of the cache key only
    found: list[tuple[str, Any]] = []
    problems: list[str] = []
    try:
        candidates = sorted(p for p in Path(folder).iterdir() if p.suffix.lower() == ".json")
    except OSError:
        return (), ()
    for path in candidates[:MAX_FILES]:
        try:
            if not path.is_file() or path.stat().st_size > MAX_BYTES:
                continue
            with path.open("rb") as handle:
                kind = kind_of(decode(handle.read(HEAD)))
            if not kind:
                continue
            document = json.loads(decode(path.read_bytes()))
        except (OSError, ValueError, RecursionError) as exc:
            problems.append(
                f"{path.name} beside it cannot be read ({type(exc).__name__}); passed over"
            )
            continue
        found.append((kind, document))
    return tuple(found), tuple(problems)
