"""The incident's identity and metadata: key, title, date, zone, severity, people, links.

Front matter wins; then the first heading, the file name and lines of the document such as
``Severity: SEV2``. Whatever the front matter holds that has no place in the record is kept as
a list under "Other details" in the supporting links, and reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from urllib.parse import urlsplit

from secondstory.core import taxonomy
from secondstory.core.postmortem_import import report as r
from secondstory.core.postmortem_import.actions import person_name, slug_username
from secondstory.core.postmortem_import.blocks import Line, strip_emphasis
from secondstory.core.postmortem_import.clock import (
    Zone,
    date_in_name,
    find_date,
    read_date,
    zone_named,
)
from secondstory.core.postmortem_import.frontmatter import FrontMatter
from secondstory.core.postmortem_import.options import ImportOptions, key_from_name, slug_key
from secondstory.core.record import ExternalReference, Milestone, Person
from secondstory.core.timeline.sources.base import clip

_PLACEHOLDER_TITLE = re.compile(r"^(?:incident |postmortem |post-mortem )?title\b", re.I)
_SEVERITY_LINE = re.compile(
    r"^\W*(?:severity|sev|priority|impact level|incident level)\W*[:=]\s*(.+)$", re.IGNORECASE
)
_EMAIL = re.compile(r"<?([\w.+-]+@[\w-]+(?:\.[\w-]+)+)>?")
_SLUG = re.compile(r"[^a-z0-9_]+")
_SEVERITY_WORDS = {
    "critical": 1,
    "blocker": 1,
    "major": 2,
    "high": 2,
    "minor": 3,
    "medium": 3,
    "moderate": 3,
    "low": 4,
    "trivial": 4,
}


@dataclass(slots=True)
class Metadata:
    key: str
    title: str
    date: date | None = None
    zone: Zone | None = None
    severity: str = ""
    services: list[str] = field(default_factory=list)
    teams: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    references: list[ExternalReference] = field(default_factory=list)
    milestones: list[Milestone] = field(default_factory=list)
    people: dict[str, Person] = field(default_factory=dict)
    summary: str = ""
    extra: list[str] = field(default_factory=list)


def slug(text: str) -> str:
    """``Payments API`` -> ``payments-api`` (the form of services, teams and tags)."""
    return _SLUG.sub("-", text.strip().casefold()).strip("-_")[: taxonomy.MAX_SLUG].strip("-_")


def severity_code(text: str, known: frozenset[str]) -> str | None:
    """A severity code of the installation for ``SEV-1``, ``S2``, ``P1``, ``critical``, ``2``.

    >>> codes = frozenset({"SEV1", "SEV2", "SEV3", "SEV4"})
    >>> severity_code("Sev 2", codes), severity_code("P0", codes), severity_code("minor", codes)
    ('SEV2', 'SEV1', 'SEV3')
    """
    cleaned = strip_emphasis(text).strip().strip(".")
    by_case = {code.casefold(): code for code in known}
    if cleaned.casefold() in by_case:
        return by_case[cleaned.casefold()]
    words = cleaned.casefold()
    number = re.fullmatch(r"(?:sev(?:erity)?|s|p|priority|level)?[\s_-]*(\d)\b.*", words)
    rank = int(number.group(1)) if number else None
    if rank is None:
        rank = next((n for word, n in _SEVERITY_WORDS.items() if word in words), None)
    if rank is None:
        return None
    if words.startswith("p"):
        rank = max(rank, 1)
    for candidate in (f"SEV{rank}", f"SEV{max(rank, 1)}"):
        if candidate in known:
            return candidate
    return None


def _moment(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return moment if moment.utcoffset() is not None else None


def _person(text: str) -> Person | None:
    email = _EMAIL.search(text)
    name = person_name(_EMAIL.sub("", text)) if email else person_name(text)
    username = slug_username(name or (email.group(1).split("@")[0] if email else ""))
    if not username:
        return None
    mail = email.group(1) if email and len(email.group(1)) <= taxonomy.MAX_EMAIL else ""
    return Person(username, name or username, mail)


def _reference(value: str) -> ExternalReference | None:
    value = value.strip()
    if not value:
        return None
    if re.match(r"https?://", value):
        if len(value) > taxonomy.MAX_URL:
            return None
        host = urlsplit(value).hostname or "link"
        host = host.removeprefix("www.")
        return ExternalReference(
            clip(host, taxonomy.MAX_SYSTEM), clip(value, taxonomy.MAX_IDENTIFIER), value
        )
    return ExternalReference("imported", clip(value, taxonomy.MAX_IDENTIFIER))


def read_metadata(
    *,
    front: FrontMatter | None,
    file: str,
    stem: str,
    title_heading: tuple[str, int] | None,
    body: list[Line],
    options: ImportOptions,
    notes: r.Notes,
) -> Metadata:
    fm = front or FrontMatter()
    found_key = fm.text("id", "key", "incident_id", "postmortem_id", "incident_key", "uuid")
    key = slug_key(found_key[1]) if found_key else key_from_name(stem)
    found_title = fm.text("title", "name", "incident", "headline")
    if found_title:
        title, title_line = found_title[1], fm.line_of(found_title[0])
    elif title_heading and not _PLACEHOLDER_TITLE.match(title_heading[0]):
        title, title_line = strip_emphasis(title_heading[0]), title_heading[1]
    else:
        after = re.split(r"\s+[-–—]\s+", stem, maxsplit=1)
        title, title_line = (after[1] if len(after) > 1 else stem).strip(), 0
    title = " ".join(title.split()) or key
    if len(title) > taxonomy.MAX_TITLE:
        notes.add(r.LONG_VALUE, title_line, "title", "title clipped to 300 characters")
        title = clip(title, taxonomy.MAX_TITLE)
    meta = Metadata(key=key, title=title)

    _read_dates(meta, fm, stem, title_heading, options, notes)
    found_zone = fm.text("timezone", "tz", "time_zone", "zone")
    if found_zone:
        meta.zone = zone_named(found_zone[1])
        if meta.zone is None:
            notes.add(
                r.FRONT_MATTER,
                fm.line_of(found_zone[0]),
                fm.names[found_zone[0]],
                f"unknown time zone {found_zone[1]!r}; ignored",
            )
    _read_severity(meta, fm, body, options, notes)
    for name, target in (
        (
            "services",
            (
                "services",
                "service",
                "components",
                "component",
                "product",
                "products",
                "systems",
                "system",
                "affected_services",
            ),
        ),
        ("teams", ("teams", "team", "owning_team", "owner_team", "squad")),
        ("tags", ("tags", "keywords", "categories", "category", "labels", "label")),
    ):
        values = [slug(value) for _, value in fm.texts(*target)]
        setattr(meta, name, sorted({value for value in values if value}))
    for _, value in fm.texts(
        "authors",
        "author",
        "owner",
        "owners",
        "facilitator",
        "participants",
        "responders",
        "contributors",
        "editors",
    ):
        person = _person(value)
        if person is not None and person.username not in meta.people:
            meta.people[person.username] = person
    seen: set[tuple[str, str]] = set()
    for _, value in fm.texts(
        "url",
        "urls",
        "link",
        "links",
        "incident_url",
        "ticket",
        "tickets",
        "jira",
        "issue",
        "archive_url",
        "source_url",
        "references",
        "report_url",
    ):
        ref = _reference(value)
        if ref is not None and (ref.system, ref.identifier) not in seen:
            seen.add((ref.system, ref.identifier))
            meta.references.append(ref)
    summary = fm.text("summary", "description", "tldr", "tl;dr", "abstract", "excerpt")
    if summary:
        meta.summary = summary[1]
    status = fm.text("status", "state", "draft", "published")
    if status:
        notes.add(
            r.FRONT_MATTER,
            fm.line_of(status[0]),
            fm.names[status[0]],
            f"status {clip(status[1], 40)!r} ignored; imported postmortems start as drafts",
        )
    for name in fm.unused():
        value = fm.values[name]
        shown = ", ".join(value) if isinstance(value, list) else value
        if shown:
            meta.extra.append(f"- {fm.names[name]}: {shown}")
    if meta.extra:
        keys = ", ".join(fm.names[name] for name in fm.unused() if fm.values[name])
        first = min(fm.line_of(name) or 1 for name in fm.unused())
        notes.add(
            r.FRONT_MATTER,
            first,
            "front_matter",
            f"kept under Other details in Supporting links: {clip(keys, 120)}",
        )
    return meta


def _read_dates(
    meta: Metadata,
    fm: FrontMatter,
    stem: str,
    title_heading: tuple[str, int] | None,
    options: ImportOptions,
    notes: r.Notes,
) -> None:
    starts = ("start_time", "started_at", "start", "started", "impact_started")
    found = fm.text("date", "incident_date", "day", *starts, "created", "created_at", "occurred")
    if found:
        meta.date = read_date(found[1][:10]) or find_date(found[1])
        if meta.date is None:
            notes.add(
                r.FRONT_MATTER,
                fm.line_of(found[0]),
                fm.names[found[0]],
                f"not a date: {clip(found[1], 40)!r}",
            )
    if meta.date is None and title_heading:
        meta.date = find_date(title_heading[0])
    if meta.date is None:
        meta.date = date_in_name(stem) or find_date(stem)
    start = fm.text(*starts)
    end = fm.text("end_time", "ended_at", "end", "ended", "resolved_at", "resolved")
    kinds = options.vocab.milestone_kinds
    begin = _moment(start[1]) if start else None
    if start and begin is not None and begin.time() == datetime.min.time():
        begin = None  # a date written as midnight says nothing about the hour
    if begin is not None and "impact_started" in kinds:
        meta.milestones.append(Milestone("impact_started", begin))
    finish = _moment(end[1]) if end else None
    if end and finish is not None and "resolved" in kinds:
        if begin is not None and finish < begin:
            notes.add(
                r.MILESTONE,
                fm.line_of(end[0]),
                fm.names[end[0]],
                "ends before it starts; not made a milestone",
            )
        else:
            meta.milestones.append(Milestone("resolved", finish))


def _read_severity(
    meta: Metadata, fm: FrontMatter, body: list[Line], options: ImportOptions, notes: r.Notes
) -> None:
    known = options.vocab.severities
    found = fm.text("severity", "sev", "priority", "level", "impact_level", "incident_level")
    line, written = (fm.line_of(found[0]), found[1]) if found else (0, "")
    if not found:
        for number, text in body[:80]:
            match = _SEVERITY_LINE.match(text)
            if match:
                line, written = number, match.group(1)
                break
    if written:
        code = severity_code(written, known)
        if code is not None:
            meta.severity = code
            return
        notes.add(r.SEVERITY, line, "severity", f"unknown severity {clip(written, 40)!r}")
    fallback = options.severity if options.severity in known else ""
    if not fallback:
        fallback = "SEV3" if "SEV3" in known else sorted(known)[-1] if known else "SEV3"
        notes.add(
            r.SEVERITY,
            line,
            "severity",
            f"no known severity stated; {fallback} assumed (give one with --severity)",
        )
    meta.severity = fallback
