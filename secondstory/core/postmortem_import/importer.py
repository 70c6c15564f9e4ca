"""A free-form Markdown postmortem as a draft postmortem record, with a report.

The headings are mapped onto the record's sections (see ``headings``); the timeline, the
contributing factors and the action items become structured parts of the record. Text under a
heading nobody recognises is kept under that heading in the most fitting section and reported,
so nothing written in the file is lost.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from secondstory.core import taxonomy
from secondstory.core.invariants import format_path, postmortem_problems
from secondstory.core.postmortem_import import report as r
from secondstory.core.postmortem_import.blocks import Line, split_document, strip_comments
from secondstory.core.postmortem_import.clock import declared_zone, find_date, zone_beside_times
from secondstory.core.postmortem_import.frontmatter import read_front_matter
from secondstory.core.postmortem_import.headings import (
    ACTIONS,
    FACTORS,
    LESSONS,
    TIMELINE,
    classify,
)
from secondstory.core.postmortem_import.metadata import Metadata, read_metadata
from secondstory.core.postmortem_import.options import ImportOptions
from secondstory.core.postmortem_import.parts import build_actions, build_factors
from secondstory.core.postmortem_import.timeline import Context, read_timeline
from secondstory.core.record import IncidentRecord, PostmortemRecord
from secondstory.core.timeline.sources.base import SourceError, clip

MAX_BYTES = 4 * 1024 * 1024
__all__ = ["ImportOptions", "ImportResult", "import_markdown"]
UNKNOWN = "unknown"
_SECTION_HEADINGS = dict(taxonomy.SECTIONS)
_LINK_LINE = re.compile(r"https?://|\[[^\]]*\]\([^)]*\)")
_DATE_LINE = re.compile(r"^\W*(?:incident\s+)?date\W*[:=]\s*(.+)$", re.IGNORECASE)
_LABEL = re.compile(r"\s{0,3}\*\*([^*\n]{2,40}?)\s*:?\s*\*\*\s*:?\s*(.*)")
_DEMOTE = re.compile(r"^( {0,3})(#{1,2})(?=\s)")


@dataclass(slots=True)
class ImportResult:
    file: str
    record: PostmortemRecord
    notes: r.Notes

    @property
    def events(self) -> int:
        return sum(len(incident.timeline) for incident in self.record.incidents)

    @property
    def sections(self) -> int:
        return sum(1 for text in self.record.sections.values() if text.strip())

    def warnings(self) -> list[str]:
        return [note.render(self.file) for note in self.notes.items]

    def summary(self) -> str:
        record = self.record
        count = self.notes.total
        return (
            f"{record.key} ({self.sections} sections, {self.events} timeline events, "
            f"{len(record.factors)} factors, {len(record.action_items)} action items; "
            f"{count} warning{'s' if count != 1 else ''})"
        )


@dataclass(slots=True)
class _Segment:
    target: str
    heading: str
    line: int
    lines: list[Line] = field(default_factory=list)


def _segments(parts: list[tuple[str, int, int, list[Line]]]) -> list[_Segment]:
    """Headed parts grouped by target; an unknown heading under a known one stays inside it."""
    segments: list[_Segment] = []
    stack: list[tuple[int, str]] = []
    for text, level, line, lines in parts:
        target = classify(text)
        while stack and stack[-1][0] >= level:
            stack.pop()
        if target is None and stack and stack[-1][1] != UNKNOWN:
            parent = segments[-1]
            parent.lines.append((line, "#" * max(level, 3) + " " + text))
            parent.lines.extend(lines)
            stack.append((level, parent.target))
            continue
        segments.append(_Segment(target or UNKNOWN, text, line, list(lines)))
        stack.append((level, target or UNKNOWN))
    return segments


def _labelled(lines: list[Line]) -> tuple[list[Line], list[tuple[str, int, int, list[Line]]]]:
    """Text before the headings, cut where a line starts with a bold section name
    (``**Impact:** …``), as if those were headings."""
    head: list[Line] = []
    parts: list[tuple[str, int, int, list[Line]]] = []
    for number, line in lines:
        match = _LABEL.match(line)
        if match and classify(match.group(1)) is not None:
            rest = match.group(2).strip()
            parts.append((match.group(1), 2, number, [(number, rest)] if rest else []))
            continue
        (parts[-1][3] if parts else head).append((number, line))
    return head, parts


def _markdown(lines: list[Line]) -> str:
    text = "\n".join(_DEMOTE.sub(r"\1###", line) for _, line in lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _with_gaps(lines: list[Line]) -> list[Line]:
    """Lines taken from different places, with a blank line wherever they were apart."""
    out: list[Line] = []
    for number, line in lines:
        if out and number != out[-1][0] + 1:
            out.append((number, ""))
        out.append((number, line))
    return out


def _fits_links(lines: list[Line]) -> bool:
    filled = [line for _, line in lines if line.strip()]
    links = sum(1 for line in filled if _LINK_LINE.search(line))
    return bool(filled) and links * 2 >= len(filled)


class _Sections:
    def __init__(self) -> None:
        self.parts: dict[str, list[tuple[str, str]]] = {}

    def add(self, field_name: str, heading: str, text: str, *, titled: bool = False) -> None:
        if not text.strip():
            return
        chunks = self.parts.setdefault(field_name, [])
        chunks.append((heading if (titled or chunks) else "", text.strip()))

    def texts(self) -> dict[str, str]:
        out = {}
        for name in taxonomy.SECTION_FIELDS:
            chunks = self.parts.get(name, [])
            if chunks:
                out[name] = "\n\n".join(
                    f"### {heading}\n\n{text}" if heading else text for heading, text in chunks
                )
        return out


def import_markdown(text: str, *, file: str, stem: str, options: ImportOptions) -> ImportResult:
    """Read one postmortem; SourceError (FILE:LINE: FIELD: message) when it cannot be."""
    if len(text) > MAX_BYTES:
        raise SourceError("larger than 4 MB; not a postmortem", file=file, field="(file)")
    notes = r.Notes()
    doc = split_document(text)
    front = None
    if doc.front_matter_line:
        front = read_front_matter(doc.front_matter, doc.front_matter_line, file)
        if front is None:
            doc = split_document(text, front_matter=False)
    if front is None and not doc.parts and not any(line.strip() for _, line in doc.preamble):
        raise SourceError("the file holds no text to import", file=file, field="(file)")

    parts = [(h.text, h.level, h.line, strip_comments(lines)) for h, lines in doc.parts]
    preamble = strip_comments(doc.preamble)
    title_heading: tuple[str, int] | None = None
    if parts and parts[0][1] == 1 and classify(parts[0][0]) is None:
        text0, _, line0, lines0 = parts.pop(0)
        title_heading = (text0, line0)
        preamble = preamble + lines0
    preamble, labelled = _labelled(preamble)
    segments = _segments(labelled + parts)
    all_lines = preamble + [line for seg in segments for line in seg.lines]
    meta = read_metadata(
        front=front,
        file=file,
        stem=stem,
        title_heading=title_heading,
        body=all_lines,
        options=options,
        notes=notes,
    )
    incident_date = _incident_date(meta, segments, preamble, notes)
    zone = meta.zone or next(
        (found for _, line in all_lines if (found := declared_zone(line)) is not None), None
    )
    text_zone = zone_beside_times([line for _, line in all_lines]) if zone is None else None
    sections = _Sections()
    if meta.summary:
        sections.add("summary", "", meta.summary)
    incident = IncidentRecord(
        key=meta.key,
        title=meta.title,
        severity=meta.severity,
        services=meta.services,
        teams=meta.teams,
        tags=meta.tags,
        external_references=meta.references,
        milestones=meta.milestones,
    )
    record = PostmortemRecord(
        key=meta.key,
        title=meta.title,
        owner=options.owner,
        collaborators=sorted(meta.people),
        incidents=[incident],
        people=dict(meta.people),
    )
    if options.owner and options.owner in record.collaborators:
        record.collaborators.remove(options.owner)
    preamble_text = _markdown(preamble)
    has_summary = any(seg.target == "summary" for seg in segments) or bool(meta.summary)
    sections.add("background" if has_summary else "summary", "", preamble_text)
    unowned: list[str] = []
    context = Context(meta.key, incident_date, zone, options.tz, notes, text_zone)
    for seg in segments:
        if seg.target == TIMELINE:
            timeline = read_timeline(seg.lines, context)
            incident.timeline.extend(timeline.events)
            leftover = _markdown(_with_gaps(timeline.leftovers))
            if timeline.events:
                sections.add("response", "Timeline notes", leftover, titled=True)
            else:
                sections.add("response", seg.heading, _markdown(seg.lines), titled=True)
        elif seg.target == FACTORS:
            build_factors(record, seg.lines, options, notes)
        elif seg.target == ACTIONS:
            leftover_text = build_actions(
                record, seg.lines, incident_date or options.today, options, notes, unowned
            )
            sections.add("open_questions", seg.heading, leftover_text, titled=True)
        elif seg.target == LESSONS:
            sections.add("surprises", seg.heading, _markdown(seg.lines), titled=True)
        elif seg.target == UNKNOWN:
            name = "supporting_links" if _fits_links(seg.lines) else "background"
            body = _markdown(seg.lines)
            if body:
                notes.add(
                    r.UNKNOWN_HEADING,
                    seg.line,
                    "sections",
                    f"heading {clip(seg.heading, 60)!r} not recognised; kept under it in "
                    f"{_SECTION_HEADINGS[name]}",
                )
            sections.add(name, seg.heading or "Untitled", body, titled=True)
        else:
            sections.add(seg.target, seg.heading, _markdown(seg.lines))
    if unowned:
        sections.add(
            "open_questions", "Action items without an owner", "\n".join(unowned), titled=True
        )
    if meta.extra:
        sections.add("supporting_links", "Other details", "\n".join(meta.extra), titled=True)
    record.sections = sections.texts()
    incident.timeline.sort(key=lambda event: (event.utc, event.source_ref))
    _check(record, file, options)
    return ImportResult(file, record, notes)


def _incident_date(
    meta: Metadata, segments: list[_Segment], preamble: list[Line], notes: r.Notes
) -> date | None:
    if meta.date is not None:
        return meta.date
    for _, line in preamble + [line for seg in segments for line in seg.lines[:40]]:
        match = _DATE_LINE.match(line)
        if match and (found := find_date(match.group(1))):
            return found
    for seg in segments:
        if seg.heading.strip(" :*").casefold() in ("date", "incident date", "start date/time"):
            found = find_date(_markdown(seg.lines))
            if found:
                return found
    for seg in segments:
        if seg.target == TIMELINE:
            found = find_date(_markdown(seg.lines))
            if found:
                return found
    for number, line in preamble + [line for seg in segments for line in seg.lines]:
        found = find_date(line)
        if found:
            notes.add(
                r.NO_DATE, number, "date", f"incident date {found.isoformat()} taken from the text"
            )
            return found
    return None


def _check(record: PostmortemRecord, file: str, options: ImportOptions) -> None:
    problems = [
        p
        for p in postmortem_problems(record, options.vocab)
        if options.owner or p.path != ("owner",)
    ]
    if problems:
        first = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise SourceError(first.message + more, file=file, field=format_path(first.path))
