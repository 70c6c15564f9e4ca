"""A folder of mixed exports: every file read on its own, in a stable order.

A folder that an importer reads as a whole (a Slack workspace export, a git repository) stays
one input. Any other folder is walked: each file becomes an input named by its path under the
folder, sub-folders that an importer reads as a whole stay whole, and the others are walked in
turn. Files saved only to be read with the inputs beside them (users and channels fetched from
an API) and files no importer recognises are skipped, each with the reason, so the summary
accounts for every file. Such a users or channels file given by name beside other inputs is
skipped too: the inputs beside it read it.

>>> from pathlib import Path
>>> import tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> _ = (folder / "ops.log").write_text("2024-05-02T14:03:11+0000  <ana> checkout down\\n")
>>> _ = (folder / "notes.bin").write_bytes(b"\\x00\\x01")
>>> found = expand([Source(folder, "incident")])
>>> [s.name for s in found.sources], found.skipped
(['incident/ops.log'], [('incident/notes.bin', 'not a format secondstory reads')])
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from secondstory.core.timeline import sources
from secondstory.core.timeline.sources.base import Source, SourceError

MAX_FILES = 10_000
_JUNK = frozenset({"Thumbs.db", "desktop.ini", "__MACOSX"})
UNKNOWN = "not a format secondstory reads"


@dataclass(slots=True)
class Expanded:
    """The inputs to read, the folder files left out (with the reason), and whether any
    folder was walked."""

    sources: list[Source] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    walked: bool = False


def expand(inputs: Sequence[Source], fmt: str | None = None) -> Expanded:
    """The inputs, with each folder no importer reads as a whole replaced by its files.

    With ``fmt`` (``--from``), a folder that format does not read as a whole is walked, and
    the files that format recognises are read in it; the others are skipped.
    """
    found = Expanded()
    walked: list[Source] = []
    for source in inputs:
        if source.is_dir and not _whole(source, fmt):
            walked.append(source)
            _walk(source.path, source.name, fmt, found)
        elif fmt is None and len(inputs) > 1 and _serves_others(source):
            found.skipped.append((source.name, sources.companion(source)))
        else:
            found.sources.append(source)
    found.walked = bool(walked)
    if walked and not found.sources:
        _nothing_to_read(walked[0], found)
    return found


def _whole(source: Source, fmt: str | None) -> bool:
    if fmt is not None:
        return bool(sources.module(fmt).sniff(source))
    return any(
        name not in sources.GENERIC and not getattr(sources.module(name), "FOLDER_OF_FILES", False)
        for name in sources.claims(source)
    )


def _walk(folder: Path, name: str, fmt: str | None, found: Expanded) -> None:
    try:
        children = sorted(folder.iterdir(), key=lambda p: p.name)
    except OSError as exc:
        raise SourceError(f"cannot list the folder: {exc.strerror or exc}", file=name) from exc
    for child in children:
        if child.name.startswith(".") or child.name in _JUNK or child.is_symlink():
            continue
        label = f"{name.rstrip('/')}/{child.name}"
        if len(found.sources) + len(found.skipped) >= MAX_FILES:
            raise SourceError(f"more than {MAX_FILES:,} files in this folder", file=name)
        source = Source(child, label)
        if child.is_dir():
            if _whole(source, fmt):
                found.sources.append(source)
            else:
                _walk(child, label, fmt, found)
            continue
        if not child.is_file():
            continue
        if module_claims(fmt, source) if fmt is not None else sources.claims(source):
            found.sources.append(source)
        else:
            other = f"not recognised as {fmt}" if fmt is not None else UNKNOWN
            found.skipped.append((label, sources.companion(source) or other))
        source.forget_head()


def _serves_others(source: Source) -> bool:
    """A file given beside others only to be read with them (a users file)."""
    return not source.is_dir and not sources.claims(source) and bool(sources.companion(source))


def module_claims(fmt: str, source: Source) -> bool:
    try:
        return bool(sources.module(fmt).sniff(source))
    except SourceError:
        return False


def _nothing_to_read(source: Source, found: Expanded) -> None:
    reasons = "; ".join(f"{name}: {why}" for name, why in found.skipped[:5])
    raise SourceError(
        "no file in this folder is an export secondstory reads"
        + (f" ({reasons})" if reasons else " (it is empty)"),
        file=source.name,
    )
