"""Contributing factors and action items of an imported postmortem, as record parts."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

from secondstory.core import taxonomy
from secondstory.core.followup import default_due_days
from secondstory.core.postmortem_import import report as r
from secondstory.core.postmortem_import.actions import (
    Item,
    person_name,
    read_actions,
    slug_username,
    type_of,
)
from secondstory.core.postmortem_import.blocks import Line, blocks, strip_emphasis, table_cells
from secondstory.core.postmortem_import.options import ImportOptions
from secondstory.core.record import ActionItemRecord, FactorRecord, Person, PostmortemRecord
from secondstory.core.timeline.sources.base import clip

DEFAULT_CATEGORY = "technical"
DEFAULT_SLO_DAYS = 60

_CATEGORIES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("automation_surprise", re.compile(r"\bautomat(?:ion|ed|ically)\b.*\bunexpected|surpris")),
    ("detection", re.compile(r"\bmonitor|\balert|\bdetect|\bnotic|observab|no visibility")),
    ("external_dependency", re.compile(r"\bvendor|third[- ]party|upstream provider|\bprovider")),
    (
        "knowledge",
        re.compile(r"\bdocumentation|\brunbook|\btraining|\bunaware|did(?: not|n't) know"),
    ),
    ("workaround", re.compile(r"\bwork-?around")),
    ("production_pressure", re.compile(r"\bdeadline|\btime pressure|\bunder pressure")),
    ("organisational", re.compile(r"\bownership|\bstaffing|\bunderstaffed|\bno owner")),
    ("process", re.compile(r"\bprocess\b|\breview(?:ed)?\b|\bapproval|\bprocedure|\bchecklist")),
    ("tooling", re.compile(r"\btooling\b|\bpipeline\b|\bscript\b")),
)
_SPLIT_OWNERS = re.compile(r"\s*(?:,|/|&|\band\b|\+)\s*")


def _category(text: str, hint: str, known: frozenset[str]) -> tuple[str, bool]:
    """(category, assumed): a category the text or its sub-heading clearly names, else default."""
    heading = hint.strip().casefold().replace(" ", "_")
    if heading in known:
        return heading, False
    lowered = text.casefold()
    for code, pattern in _CATEGORIES:
        if code in known and pattern.search(lowered):
            return code, False
    if DEFAULT_CATEGORY in known or not known:
        return DEFAULT_CATEGORY, True
    return sorted(known)[0], True


def build_factors(
    record: PostmortemRecord, lines: list[Line], options: ImportOptions, notes: r.Notes
) -> None:
    """Each bullet, paragraph or table row of a factors section becomes one factor."""
    known = options.vocab.factor_categories
    hint = ""
    assumed: list[int] = []
    for block in blocks(lines):
        if block.kind == "heading":
            hint = re.sub(r"^\s*#+\s*", "", block.lines[0][1]).strip(" #:")
            continue
        if block.kind == "code":
            if record.factors:
                factor = record.factors[-1]
                factor.evidence = (factor.evidence + "\n\n" + block.text).strip()
            else:
                record.factors.append(FactorRecord("", "", block.text))
            continue
        texts: list[tuple[int, str]] = []
        if block.kind == "table":
            for number, row in block.lines[2:] if len(block.lines) > 2 else block.lines:
                joined = " — ".join(cell for cell in table_cells(row) if cell.strip(" -:"))
                if joined:
                    texts.append((number, joined))
        else:
            texts.append((block.line, block.text))
        for number, text in texts:
            if not strip_emphasis(text).strip(" -*:."):
                continue
            category, was_assumed = _category(text, hint, known)
            if was_assumed:
                assumed.append(number)
            record.factors.append(FactorRecord("", category, text.strip()))
    for position, factor in enumerate(record.factors, start=1):
        factor.key = f"F{position}"
        if not factor.category:
            factor.category, _ = _category(factor.description, hint, known)
    if assumed:
        notes.add(
            r.CATEGORY,
            assumed[0],
            "factors",
            f"{len(assumed)} factor{'s' if len(assumed) > 1 else ''} with no clear category "
            f"set to {_category('', '', known)[0]!r}",
        )


def due_default(severity: str, priority: str, start: date, options: ImportOptions) -> date:
    """The severity's SLO, shortened by the priority's policy, counted from ``start``."""
    days = default_due_days(
        options.slo_days.get(severity, DEFAULT_SLO_DAYS), options.priority_days.get(priority)
    )
    return start + timedelta(days=days)


def _owner(item: Item, notes: r.Notes) -> Person | None:
    names = [n for n in _SPLIT_OWNERS.split(item.owner_name.strip()) if n.strip(" @*_")]
    if not names:
        return None
    if len(names) > 1:
        notes.add(
            r.OWNERS,
            item.line,
            "action_items.owner",
            f"several owners {clip(item.owner_name, 60)!r}; the first, {names[0]!r}, owns it",
        )
    username = slug_username(names[0])
    if not username:
        return None
    return Person(username, person_name(names[0]) or username)


def _unowned_line(item: Item) -> str:
    if item.source.lstrip().startswith("|"):
        return "- " + " — ".join(cell for cell in table_cells(item.source) if cell)
    lines = item.source.split("\n")
    return "\n".join(lines) if lines[0].lstrip().startswith(("-", "*", "+")) else "- " + item.source


def build_actions(
    record: PostmortemRecord,
    lines: list[Line],
    incident_date: date,
    options: ImportOptions,
    notes: r.Notes,
    unowned: list[str],
) -> str:
    """Add the owned items to the record, the others to ``unowned``; return the section's
    text that is no item."""
    severity = record.incidents[0].severity if record.incidents else ""
    found = read_actions(lines, incident_date.year, notes)
    details: list[str] = []
    for item in found.items:
        person = _owner(item, notes)
        if person is None:
            notes.add(
                r.NO_OWNER,
                item.line,
                "action_items.owner",
                "no owner named; kept under 'Action items without an owner' in Open questions",
            )
            unowned.append(_unowned_line(item))
            continue
        record.people.setdefault(person.username, person)
        priority = item.priority or "P2"
        due = item.due
        if due is None:
            due = due_default(severity, priority, incident_date, options)
            notes.add(
                r.NO_DUE,
                item.line,
                "action_items.due",
                f"no due date; {due.isoformat()} from the {severity or 'default'} SLO assumed",
            )
        title = item.title or strip_emphasis(item.source)
        if len(title) > taxonomy.MAX_TITLE:
            notes.add(
                r.LONG_VALUE,
                item.line,
                "action_items.title",
                "title clipped to 300 characters; the full text is kept in Open questions",
            )
            details.append(_unowned_line(item))
            title = clip(title, taxonomy.MAX_TITLE)
        kind = item.type if item.type in taxonomy.ACTION_TYPES else type_of(title)
        action = ActionItemRecord(
            key=f"A{len(record.action_items) + 1}",
            title=title,
            type=kind,
            priority=priority,
            owner=person.username,
            due=due,
            status=item.status,
            tracker_url=item.tracker_url,
        )
        if item.status == "done":
            moment = item.due or incident_date
            action.completed_at = datetime.combine(moment, time(0), tzinfo=UTC)
            notes.add(
                r.COMPLETED_AT,
                item.line,
                "action_items.completed_at",
                f"done, completion time unknown; {moment.isoformat()} assumed",
            )
        elif item.status == "not_doing":
            action.reason = f"marked {clip(item.status_text, 60)!r} in the imported postmortem"
        record.action_items.append(action)
    text = "\n".join(line for _, line in found.notes).strip()
    if details:
        text = (text + "\n\n**Full text of long action items**\n\n" + "\n".join(details)).strip()
    return text
