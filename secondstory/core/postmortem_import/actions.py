"""Action items written as task lists, bullets or tables.

An item needs an owner; one without is never given an invented owner but kept, word for word,
in a list the builder puts into the open questions. A missing due date becomes the severity's
default (counted from the incident date) and is reported.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from secondstory.core.postmortem_import import report as r
from secondstory.core.postmortem_import.blocks import (
    Block,
    Line,
    blocks,
    is_table_separator,
    strip_emphasis,
    table_cells,
)
from secondstory.core.postmortem_import.clock import DATE, read_date
from secondstory.core.taxonomy import MAX_PERSON_NAME, MAX_URL, MAX_USERNAME

_URL = re.compile(r"https?://[^\s)>\]|]+")
_TICKET = re.compile(r"\b[A-Z][A-Z0-9]{1,9}-\d{1,7}\b")
_HANDLE = re.compile(r"(?<![\w.])@([A-Za-z0-9][\w.-]{0,60})")
_OWNER = re.compile(
    r"(?:\b(?:owners?|assignees?|responsible|dri)\b(?:\*\*|__)?\s*[:=]"
    r"|\bassigned to\b|\bowned by\b)"
    r"\s*(?:\*\*|__)?\s*(@?[\w][\w.'@-]*(?:[ \t]+[\w][\w.'-]*){0,3}?)"
    r"\s*(?=$|[,;()\[\]|—–]|\s+-\s|\s+due\b|\.\s|\.$|\s+[^\w\s@])",
    re.IGNORECASE,
)
_DUE = re.compile(
    r"\b(?:due(?: date)?|deadline|by|target(?: date)?|eta)\b\s*:?\s*(?P<date>" + DATE + r")",
    re.IGNORECASE,
)
_PRIORITY = re.compile(r"\b(P[0-4])\b")
_DONE_MARK = re.compile(r"[✓✔✅☑]|~~.+~~|\((?:done|closed|completed|fixed)\)", re.IGNORECASE)
_EMPTY_PARENS = re.compile(r"\(\s*(?:[,;]\s*)*\)|\[\s*\]")
_STATUS_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "not_doing",
        re.compile(r"won'?t|wontfix|not doing|cancel|dropped|rejected|obsolete", re.IGNORECASE),
    ),
    ("done", re.compile(r"done|closed|complete|fixed|resolved|finished|yes|[✓✔✅☑x]", re.I)),
    ("in_progress", re.compile(r"progress|wip|started|ongoing|doing|active", re.IGNORECASE)),
)
_TYPES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("investigate", re.compile(r"investigat|understand|research|find out|look into|analy[sz]")),
    ("detect", re.compile(r"\balert|monitor|detect|dashboard|metric|observab|\blog")),
    ("process", re.compile(r"runbook|playbook|process|document|training|checklist|review")),
    ("mitigate", re.compile(r"mitigat|reduce|limit|throttle|rate.?limit|fallback|degrade")),
    ("repair", re.compile(r"\bfix|repair|restore|clean ?up|replace")),
)
_PRIORITY_WORDS = {
    "p0": "P0",
    "critical": "P0",
    "urgent": "P0",
    "highest": "P0",
    "p1": "P1",
    "high": "P1",
    "p2": "P2",
    "medium": "P2",
    "low": "P2",
    "p3": "P2",
    "p4": "P2",
}
_HEADERS: dict[str, re.Pattern[str]] = {
    "title": re.compile(r"action|item|task|title|description|what|remediation|follow", re.I),
    "owner": re.compile(r"owner|assignee|who|responsible|dri|assigned", re.I),
    "due": re.compile(r"due|deadline|by when|target|eta|date", re.I),
    "status": re.compile(r"status|state|done|progress", re.I),
    "priority": re.compile(r"priority|prio|^p$|urgency|severity", re.I),
    "type": re.compile(r"type|kind|category", re.I),
    "tracker": re.compile(r"tracker|ticket|issue|jira|link|url|bug|card", re.I),
}


@dataclass(slots=True)
class Item:
    """One action item as written, before it becomes a record."""

    line: int
    title: str
    source: str  # the item's original Markdown
    owner_name: str = ""
    due: date | None = None
    status: str = "open"
    status_text: str = ""
    priority: str = ""
    type: str = ""
    tracker_url: str = ""
    tracker_key: str = ""


@dataclass(slots=True)
class ActionList:
    items: list[Item] = field(default_factory=list)
    notes: list[Line] = field(default_factory=list)  # text of the section that is no item


def slug_username(name: str) -> str:
    """A username from a display name or handle: ``Bob Smith`` -> ``bob-smith``.

    >>> slug_username("@Alice"), slug_username("Zoë O'Hara"), slug_username("???")
    ('alice', 'zoe-o-hara', '')
    """
    text = unicodedata.normalize("NFKD", name.strip().lstrip("@"))
    text = text.encode("ascii", "ignore").decode("ascii").casefold()
    text = re.sub(r"[^a-z0-9._@+-]+", "-", text).strip("-._")
    return text[:MAX_USERNAME].strip("-._")


def person_name(text: str) -> str:
    return " ".join(strip_emphasis(text).lstrip("@").split())[:MAX_PERSON_NAME]


def status_of(text: str) -> str:
    """``done``, ``in_progress``, ``not_doing`` or ``open`` for a status cell or mark."""
    cleaned = text.strip().casefold()
    if not cleaned or cleaned in ("open", "todo", "to do", "new", "planned", "no", "-"):
        return "open"
    for status, pattern in _STATUS_WORDS:
        if pattern.search(cleaned):
            return status
    return "open"


def priority_of(text: str) -> str:
    return _PRIORITY_WORDS.get(text.strip().casefold(), "")


def type_of(title: str) -> str:
    lowered = title.casefold()
    for kind, pattern in _TYPES:
        if pattern.search(lowered):
            return kind
    return "prevent"


def _tracker(item: Item, text: str) -> None:
    url = _URL.search(text)
    if url and len(url.group(0)) <= MAX_URL:
        item.tracker_url = url.group(0)
    ticket = _TICKET.search(text)
    if ticket and not re.fullmatch(r"P\d-\d+", ticket.group(0)):
        item.tracker_key = ticket.group(0)


def _from_bullet(block: Block, year: int | None) -> Item | None:
    text = block.text
    if not strip_emphasis(text).strip(" -*:."):
        return None
    source = "\n".join(line for _, line in block.lines)
    item = Item(block.line, text, source)
    rest = text
    owner = _OWNER.search(rest)
    if owner:
        item.owner_name = owner.group(1).strip(" *_.")
        rest = rest[: owner.start()] + rest[owner.end() :]
    else:
        handle = _HANDLE.search(rest)
        if handle:
            item.owner_name = "@" + handle.group(1).rstrip(".")
            rest = rest[: handle.start()] + rest[handle.end() :]
    due = _DUE.search(rest)
    if due:
        item.due = read_date(due.group("date"), year)
        rest = rest[: due.start()] + rest[due.end() :]
    priority = _PRIORITY.search(rest)
    if priority:
        item.priority = priority_of(priority.group(1))
        rest = rest[: priority.start()] + rest[priority.end() :]
    _tracker(item, rest)
    if block.checkbox == "x" or _DONE_MARK.search(text):
        item.status, item.status_text = "done", "checked" if block.checkbox == "x" else "marked"
    if item.tracker_url:
        rest = rest.replace(item.tracker_url, "")
    rest = _DONE_MARK.sub("", rest.replace("~~", ""))
    rest = _EMPTY_PARENS.sub("", rest)
    item.title = " ".join(rest.split()).strip(" ,;—–-:")
    return item


def _from_table(rows: list[Line], year: int | None) -> tuple[list[Item], list[Line]]:
    if len(rows) < 2 or not is_table_separator(rows[1][1]):
        return [], rows
    header = table_cells(rows[0][1])
    columns: dict[str, int] = {}
    for index, heading in enumerate(header):
        for name, pattern in _HEADERS.items():
            if name not in columns and index not in columns.values() and pattern.search(heading):
                columns[name] = index
                break
    columns.setdefault("title", 0)
    items: list[Item] = []
    for number, row in rows[2:]:
        cells = table_cells(row)

        def cell(name: str, cells: list[str] = cells) -> str:
            position = columns.get(name, -1)
            return cells[position] if 0 <= position < len(cells) else ""

        title = cell("title")
        if not strip_emphasis(title).strip(" -"):
            continue
        item = Item(number, " ".join(title.split()), row, owner_name=cell("owner").strip(" *_"))
        if cell("due"):
            item.due = read_date(strip_emphasis(cell("due")), year)
        item.status_text = cell("status")
        item.status = status_of(item.status_text)
        item.priority = priority_of(cell("priority"))
        item.type = cell("type").strip().casefold()
        _tracker(item, cell("tracker") or title)
        extras = [
            f"{strip_emphasis(header[i]) or 'note'}: {value}"
            for i, value in enumerate(cells)
            if i not in columns.values() and value.strip(" -") and i < len(header)
        ]
        if item.tracker_key and not item.tracker_url and item.tracker_key not in item.title:
            extras.insert(0, item.tracker_key)
        if extras:
            item.title = f"{item.title} ({'; '.join(extras)})"
        items.append(item)
    return items, rows[:2]


def read_actions(lines: list[Line], year: int | None, notes: r.Notes) -> ActionList:
    """The action items of a section, and its text that is no item."""
    out = ActionList()
    for block in blocks(lines):
        if block.kind == "item":
            item = _from_bullet(block, year)
            if item is not None:
                out.items.append(item)
        elif block.kind == "table":
            items, rest = _from_table(block.lines, year)
            out.items.extend(items)
            if not items:
                out.notes.extend(rest)
        else:
            out.notes.extend(block.lines)
            out.notes.append((block.lines[-1][0], ""))
    return out
