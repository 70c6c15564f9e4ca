"""Export and load postmortems as Markdown files (the format lives in ``core.exchange``)."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from secondstory.core.exchange import (
    ExchangeError,
    LocatedProblem,
    ParsedFile,
    read_postmortem,
    render_postmortem,
)
from secondstory.core.invariants import Vocabulary
from secondstory.postmortems.models import Postmortem
from secondstory.postmortems.records import (
    RecordInvalid,
    load_record,
    postmortems_for_export,
    record_for,
    vocabulary,
)
from secondstory.postmortems.revisions import record_revision

# A key made only of these is its own file name, even on a file system that ignores case.
_PLAIN_KEY = re.compile(r"[A-Z0-9][A-Z0-9._-]*")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def file_name(key: str) -> str:
    """A file name for a postmortem key, different for every key and always the same.

    A key of capital letters, digits, ``.``, ``_`` and ``-`` keeps its form; any
    other key is made safe and gets ``~`` and a short hash of the key, so that
    ``PM-C/1`` and ``PM-C 1`` (or ``pm-1`` and ``PM-1``) never share a file.

    >>> file_name("PM-0001"), file_name("PM-C/1"), file_name("PM-C 1")
    ('PM-0001.md', 'PM-C_1~6561310c5409.md', 'PM-C_1~7eb604f54336.md')
    """
    if _PLAIN_KEY.fullmatch(key) and not key.endswith("."):
        return key + ".md"
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:12]
    return _UNSAFE.sub("_", key).strip("._")[:80] + "~" + digest + ".md"


def _write_atomically(path: Path, text: str) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def export_postmortem(postmortem: Postmortem) -> str:
    return render_postmortem(record_for(postmortem))


def export_all(directory: Path) -> int:
    """Write one file per postmortem (see :func:`file_name`) into ``directory``; return how many."""
    directory.mkdir(parents=True, exist_ok=True)
    count = 0
    for postmortem in postmortems_for_export().order_by("key").iterator(chunk_size=200):
        _write_atomically(directory / file_name(postmortem.key), export_postmortem(postmortem))
        count += 1
    return count


@dataclass(frozen=True, slots=True)
class FileOutcome:
    """What loading did with one file: created, updated, unchanged or refused (with why)."""

    path: Path
    outcome: str
    key: str = ""
    message: str = ""


@dataclass
class LoadReport:
    outcomes: list[FileOutcome] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return any(o.outcome == "refused" for o in self.outcomes)

    def count(self, outcome: str) -> int:
        return sum(1 for o in self.outcomes if o.outcome == outcome)

    def lines(self) -> list[str]:
        out: list[str] = []
        for o in self.outcomes:
            if o.outcome == "refused":
                out.append(f"error: {o.path}: not loaded")
                out.extend(f"  {line}" for line in o.message.splitlines())
            else:
                out.append(f"{o.outcome} {o.key} from {o.path}")
        counts = ", ".join(
            f"{self.count(name)} {name}" for name in ("created", "updated", "unchanged", "refused")
        )
        out.append(counts)
        return out


def markdown_files(paths: Iterable[Path]) -> list[Path]:
    """The files named, and the ``*.md`` files inside the directories named."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*.md") if p.is_file()))
        else:
            files.append(path)
    return files


def load_text(text: str, *, source: str, vocab: Vocabulary | None = None) -> tuple[Postmortem, str]:
    """Parse and load one file's text, all or nothing; return the postmortem and the outcome.

    The outcome is ``created``, ``updated`` or ``unchanged`` (then nothing is
    written). A created or changed postmortem gets a revision, and so does every
    other postmortem whose incident the file changed. Raises ExchangeError.
    """
    vocab = vocab or vocabulary()
    parsed = read_postmortem(text, source=source, vocab=vocab)
    record = parsed.record
    with transaction.atomic():
        existing = Postmortem.objects.select_for_update().filter(key=record.key).first()
        before = _exported(existing.pk) if existing else None
        others = _others_covering(record.key, [i.key for i in record.incidents])
        try:
            postmortem = load_record(record, vocab=vocab)
        except RecordInvalid as exc:
            raise parsed.located(exc.problems) from None
        if before is not None and _exported(postmortem.pk) == before:
            transaction.set_rollback(True)
            return postmortem, "unchanged"
        name = Path(source).name
        record_revision(postmortem, author=None, summary=f"Loaded from {name}")
        for other in others:
            record_revision(
                other, author=None, summary=f"Incident changed by loading {record.key} from {name}"
            )
    return postmortem, "updated" if existing else "created"


def _exported(pk: int) -> str:
    return export_postmortem(postmortems_for_export().get(pk=pk))


def _others_covering(key: str, incident_keys: list[str]) -> list[Postmortem]:
    return list(
        Postmortem.objects.filter(incidents__key__in=incident_keys)
        .exclude(key=key)
        .distinct()
        .order_by("key")
    )


def load_paths(paths: Iterable[Path]) -> LoadReport:
    """Load every file, each whole or not at all; one bad file never stops the others.

    Files that share a postmortem key are all refused: which one should win is
    not for the loader to guess.
    """
    files = markdown_files(paths)
    # Game days' reviews last: the action items they verify may be in the other files.
    files.sort(key=_holds_a_game_day)
    vocab = vocabulary()
    report = LoadReport()
    duplicates = _duplicate_keys(files, vocab)
    for path in files:
        if path in duplicates:
            report.outcomes.append(FileOutcome(path, "refused", message=duplicates[path]))
            continue
        report.outcomes.append(_load_file(path, vocab))
    return report


def _holds_a_game_day(path: Path) -> bool:
    try:
        with path.open(encoding="utf-8") as file:
            next(file, None)  # the opening "---"
            for line in file:
                if line.rstrip() == "---":  # the end of the front matter
                    return False
                if line.startswith("game_day:"):
                    return True
    except (OSError, UnicodeDecodeError):
        return False  # reported when the file itself is loaded
    return False


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        problem = LocatedProblem(str(path), 1, "(file)", f"not UTF-8 text ({exc.reason})")
        raise ExchangeError([problem]) from None
    except OSError as exc:
        problem = LocatedProblem(str(path), 1, "(file)", f"cannot read ({exc.strerror})")
        raise ExchangeError([problem]) from None


def _load_file(path: Path, vocab: Vocabulary) -> FileOutcome:
    try:
        postmortem, outcome = load_text(_read(path), source=str(path), vocab=vocab)
    except ExchangeError as exc:
        return FileOutcome(path, "refused", message=str(exc))
    except Exception as exc:  # one file's surprise must not stop the batch
        reason = f"{type(exc).__name__}: {exc}".strip().rstrip(":")
        message = f"{path}:1: (file): could not be loaded, nothing of it was written ({reason})"
        return FileOutcome(path, "refused", message=message)
    return FileOutcome(path, outcome, key=postmortem.key)


def _duplicate_keys(files: list[Path], vocab: Vocabulary) -> dict[Path, str]:
    """A refusal message for every file whose postmortem key another file has too."""
    seen: dict[str, list[tuple[Path, int]]] = {}
    for path in files:
        try:
            parsed = read_postmortem(_read(path), source=str(path), vocab=vocab)
        except Exception:  # reported when the file itself is loaded
            continue
        seen.setdefault(parsed.record.key, []).append((path, _key_line(parsed)))
    refusals: dict[Path, str] = {}
    for key, places in seen.items():
        if len(places) < 2:
            continue
        for path, line in places:
            elsewhere = ", ".join(f"{p}:{n}" for p, n in places if p != path)
            refusals[path] = (
                f"{path}:{line}: key: postmortem {key} is also in {elsewhere}; a batch holds "
                "each postmortem once, so none of these files was loaded"
            )
    return refusals


def _key_line(parsed: ParsedFile) -> int:
    return parsed.line(("key",))
