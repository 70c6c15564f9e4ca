"""Which files of a folder are postmortems, and reading one file."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from secondstory.core.postmortem_import.importer import ImportResult, import_markdown
from secondstory.core.postmortem_import.options import ImportOptions
from secondstory.core.timeline.sources.base import SourceError, decode

_NOT_POSTMORTEMS = re.compile(
    r"^(?:readme|license|licence|copying|contributing|changelog|code_of_conduct|security"
    r"|authors|notice|index|summary|_sidebar|_footer)(?:\.|$)",
    re.IGNORECASE,
)
_TEMPLATE = re.compile(r"template|yyyy|\bnnn\b|placeholder|skeleton|example", re.IGNORECASE)
_TEMPLATE_FOLDER = re.compile(r"^_?(?:templates?|\.github|node_modules|\.git)$", re.IGNORECASE)


@dataclass(slots=True)
class Found:
    files: list[Path] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)


def skip_reason(path: Path) -> str:
    """Why a file found in a folder is not a postmortem, or "" when it may be one."""
    if _NOT_POSTMORTEMS.match(path.name):
        return "not a postmortem (project file)"
    if _TEMPLATE.search(path.stem):
        return "looks like a template"
    if any(_TEMPLATE_FOLDER.match(part) for part in path.parts[:-1]):
        return "inside a templates folder"
    return ""


def _looks_like_markdown(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            head = handle.read(256).lstrip()
    except OSError:
        return False
    return head.startswith((b"#", b"---"))


def postmortem_files(paths: Iterable[Path]) -> Found:
    """The files named, and inside folders the ``*.md`` files (and extension-less Markdown
    files) that do not look like READMEs, licences or templates."""
    found = Found()
    for path in paths:
        if not path.is_dir():
            found.files.append(path)
            continue
        for candidate in sorted(path.rglob("*")):
            if not candidate.is_file():
                continue
            relative = candidate.relative_to(path)
            if any(part.startswith(".") for part in relative.parts):
                continue
            is_md = candidate.suffix.lower() in (".md", ".markdown")
            if not is_md and not (candidate.suffix == "" or " " in candidate.suffix):
                continue
            if not is_md and not _looks_like_markdown(candidate):
                continue
            reason = skip_reason(relative)
            if reason:
                found.skipped.append((candidate, reason))
            else:
                found.files.append(candidate)
    return found


def import_file(path: Path, options: ImportOptions) -> ImportResult:
    """Read and import one file; SourceError when it cannot be read or imported."""
    name = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(
            f"cannot read ({exc.strerror or exc})", file=name, field="(file)"
        ) from exc
    if b"\x00" in data[:8192]:
        raise SourceError("binary data, not Markdown text", file=name, field="(file)")
    return import_markdown(
        decode(data),
        file=name,
        stem=path.stem if path.suffix.lower() in (".md", ".markdown", ".txt") else path.name,
        options=options,
    )
