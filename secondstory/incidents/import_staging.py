"""Uploads waiting for confirmation, and the merged preview shown before an import.

Uploaded files are kept in ``SECONDSTORY_HOME/imports/<token>/`` with the options they were
sent with, until the import is confirmed or cancelled (or a day has passed). Parsing is
deterministic, so the confirmed import re-reads the same files and writes exactly what the
preview showed, less what the user unticked.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from secondstory.core.timeline.event import TimelineEvent as EventData
from secondstory.core.timeline.hand_typed import MANUAL_SOURCE, HandTyped, matches
from secondstory.core.timeline.hand_typed import WINDOW as HAND_WINDOW
from secondstory.core.timeline.merge import DUPLICATE, NEW, MilestoneSuggestion, Outcome, merge
from secondstory.core.timeline.sources.base import ParseOptions, Source, SourceError
from secondstory.incidents.importing import (
    ImportRequest,
    ImportSummary,
    detect_formats,
    known_references,
    parsed_events,
)
from secondstory.incidents.models import Incident, TimelineEvent

MAX_PREVIEW = 5000
MAX_FILES = 20
KEEP_FOR_SECONDS = 24 * 3600
REDACTED = "[REDACTED:"
_TOKEN = re.compile(r"[0-9a-f]{32}")


def staging_root() -> Path:
    return Path(settings.HOME) / "imports"


@dataclass
class Staged:
    """One upload waiting for confirmation."""

    token: str
    incident_key: str
    user_id: int
    files: list[tuple[str, str]]  # (stored name, name as uploaded)
    fmt: str | None = None
    zone: str = ""
    day: str = ""
    channels: list[str] = field(default_factory=list)
    redact: bool = True
    emails: bool = False
    phones: bool = False
    back: str = ""  # the key of the postmortem the import was started from

    @property
    def folder(self) -> Path:
        return staging_root() / self.token

    def request(self) -> ImportRequest:
        try:
            tz = ZoneInfo(self.zone) if self.zone else None
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise SourceError(f"unknown time zone {self.zone!r}", field="zone") from exc
        options = ParseOptions(
            tz=tz,
            date=date.fromisoformat(self.day) if self.day else None,
            channels=tuple(self.channels),
        )
        inputs = [Source(self.folder / stored, shown) for stored, shown in self.files]
        return ImportRequest(
            inputs, self.fmt, options, redact=self.redact, emails=self.emails, phones=self.phones
        )

    def save(self) -> None:
        """Write the options back beside the kept files (an answer given after the upload)."""
        target = self.folder / "staged.json"
        spare = self.folder / "staged.json.new"
        spare.unlink(missing_ok=True)
        with _private(spare) as out:
            out.write(json.dumps(self.__dict__).encode("utf-8"))
        spare.replace(target)

    def discard(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def stage(
    incident: Incident, user_id: int, uploads: list[UploadedFile], **settings_: Any
) -> Staged:
    """Keep uploaded files (zips stay zips) with their options; return the staged upload."""
    _sweep()
    token = secrets.token_hex(16)
    staged = Staged(token, incident.key, user_id, [], **settings_)
    staging_root().mkdir(mode=0o700, exist_ok=True)
    staging_root().chmod(0o700)
    staged.folder.mkdir(mode=0o700)
    try:
        for number, upload in enumerate(uploads, start=1):
            shown = Path(upload.name or f"upload-{number}").name
            stored = f"{number:02d}-{re.sub(r'[^A-Za-z0-9._-]+', '_', shown)[:80]}"
            with _private(staged.folder / stored) as out:
                for chunk in upload.chunks():
                    out.write(chunk)
            staged.files.append((stored, shown))
        with _private(staged.folder / "staged.json") as out:
            out.write(json.dumps(staged.__dict__).encode("utf-8"))
    except BaseException:
        staged.discard()  # nothing half-written stays behind
        raise
    return staged


def _private(path: Path) -> BinaryIO:
    """A new file only this user may read (0600), whatever the umask."""
    return os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb")


def staged_upload(token: str, incident: Incident, user_id: int) -> Staged | None:
    """The staged upload of this token, if it is this user's, for this incident."""
    if not _TOKEN.fullmatch(token):
        return None
    try:
        data = json.loads((staging_root() / token / "staged.json").read_text(encoding="utf-8"))
        staged = Staged(**data)
    except (OSError, ValueError, TypeError):
        return None
    staged.files = [tuple(pair) for pair in staged.files]  # type: ignore[misc]
    if staged.incident_key != incident.key or staged.user_id != user_id:
        return None
    return staged


def _sweep() -> None:
    """Forget uploads older than a day."""
    root = staging_root()
    if not root.is_dir():
        return
    limit = time.time() - KEEP_FOR_SECONDS
    for folder in root.iterdir():
        try:
            if folder.is_dir() and folder.stat().st_mtime < limit:
                shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            continue


@dataclass
class PreviewRow:
    outcome: Outcome
    redacted: bool
    hand: HandTyped | None = None  # the hand-typed event this alert seems to be

    @property
    def event(self) -> EventData:
        return self.outcome.event

    @property
    def ref(self) -> str:
        return self.outcome.event.ref


@dataclass
class Preview:
    rows: list[PreviewRow]
    summary: ImportSummary
    suggestions: list[MilestoneSuggestion]

    @property
    def new(self) -> int:
        return sum(1 for row in self.rows if row.outcome.status == "new")

    @property
    def duplicates(self) -> int:
        return sum(1 for row in self.rows if row.outcome.status == DUPLICATE)

    @property
    def grouped(self) -> int:
        return sum(1 for row in self.rows if row.outcome.status == "grouped")

    @property
    def redacted_rows(self) -> int:
        return sum(1 for row in self.rows if row.redacted)


def preview(incident: Incident, request: ImportRequest) -> Preview:
    """The merged timeline an import would add, with every event's fate."""
    summary = ImportSummary(dry_run=True)
    formats = detect_formats(request)
    events = []
    for event in parsed_events(request, formats, summary):
        events.append(event)
        if len(events) > MAX_PREVIEW:
            raise SourceError(
                f"more than {MAX_PREVIEW:,} events: too many to check one by one here; "
                "import them with `secondstory import` (or pick fewer channels or a shorter "
                "time window)",
                field="files",
            )
    grouped_refs, anchors = known_references(incident)
    on_timeline = _on_timeline(incident, events)
    outcomes, suggestions = merge(events, grouped_refs | on_timeline, anchors)
    hand = hand_typed_matches(incident, [o.event for o in outcomes if o.status == NEW])
    rows = [PreviewRow(o, _was_redacted(o.event), hand.get(o.event.ref)) for o in outcomes]
    return Preview(rows, summary, suggestions)


def hand_typed_matches(incident: Incident, events: list[EventData]) -> dict[str, HandTyped]:
    """The hand-typed events (quick capture, added by hand) that imported alerts seem to be."""
    alerts = [e for e in events if e.signal]
    if not alerts:
        return {}
    start = min(e.utc for e in alerts) - HAND_WINDOW
    end = max(e.utc for e in alerts) + HAND_WINDOW
    typed = [
        HandTyped(f"{source}:{ref}", at, text)
        for source, ref, at, text in TimelineEvent.objects.filter(
            incident=incident, source=MANUAL_SOURCE, at__gte=start, at__lte=end
        ).values_list("source", "source_ref", "at", "text")[:1000]
    ]
    return matches(alerts, typed) if typed else {}


def _on_timeline(incident: Incident, events: list[EventData]) -> set[str]:
    """The references among ``events`` that the incident's timeline has already, looked up
    a few hundred at a time (never the whole timeline)."""
    by_source: dict[str, set[str]] = {}
    for event in events:
        by_source.setdefault(event.source, set()).add(event.source_ref)
    found = set()
    timeline = TimelineEvent.objects.filter(incident=incident)
    for source, refs in by_source.items():
        wanted = sorted(refs)
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            rows = timeline.filter(source=source, source_ref__in=chunk)
            found.update(f"{source}:{ref}" for ref in rows.values_list("source_ref", flat=True))
    return found


def _was_redacted(event: EventData) -> bool:
    if REDACTED in event.text:
        return True
    return event.raw is not None and REDACTED in json.dumps(event.raw, ensure_ascii=False)
