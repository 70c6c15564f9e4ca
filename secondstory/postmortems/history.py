"""Comparing two revisions: both snapshots are parsed back into records and compared.

Narrative sections get a line diff; factors and action items are compared by their keys.
The timeline is not in the snapshots (see ``postmortems.revisions``): its changes are the
entries recorded by each revision in between, each naming its first events by reference
and counting the rest. The result is plain data; the template turns it into HTML.
"""

from __future__ import annotations

import difflib
from dataclasses import asdict, dataclass, field
from typing import Any

from secondstory.core import taxonomy
from secondstory.core.exchange import parse_postmortem
from secondstory.core.record import PostmortemRecord
from secondstory.postmortems.models import Revision

HEADINGS = dict(taxonomy.SECTIONS)


@dataclass(frozen=True, slots=True)
class DiffLine:
    """One line of a section diff: ``op`` is ``same``, ``added`` or ``removed``."""

    op: str
    text: str


@dataclass(frozen=True, slots=True)
class SectionDiff:
    field: str
    heading: str
    lines: list[DiffLine]


@dataclass(frozen=True, slots=True)
class FieldChange:
    name: str
    old: str
    new: str


@dataclass(frozen=True, slots=True)
class ItemChange:
    """One timeline event, factor or action item that was added, removed or changed."""

    key: str
    label: str
    op: str  # added | removed | changed
    changes: list[FieldChange] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class RevisionDiff:
    old: Revision
    new: Revision
    details: list[FieldChange]
    sections: list[SectionDiff]
    timeline: list[ItemChange]
    factors: list[ItemChange]
    action_items: list[ItemChange]

    @property
    def is_empty(self) -> bool:
        return not (
            self.details or self.sections or self.timeline or self.factors or self.action_items
        )


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def line_diff(old: str, new: str) -> list[DiffLine]:
    """The lines of ``new`` against ``old``, with added and removed lines marked."""
    old_lines, new_lines = old.splitlines(), new.splitlines()
    lines: list[DiffLine] = []
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            lines.extend(DiffLine("same", text) for text in old_lines[i1:i2])
            continue
        lines.extend(DiffLine("removed", text) for text in old_lines[i1:i2])
        lines.extend(DiffLine("added", text) for text in new_lines[j1:j2])
    return lines


def _section_diffs(old: PostmortemRecord, new: PostmortemRecord) -> list[SectionDiff]:
    return [
        SectionDiff(
            name, heading, line_diff(old.sections.get(name, ""), new.sections.get(name, ""))
        )
        for name, heading in taxonomy.SECTIONS
        if old.sections.get(name, "") != new.sections.get(name, "")
    ]


def _field_changes(old: dict[str, Any], new: dict[str, Any]) -> list[FieldChange]:
    return [
        FieldChange(name.replace("_", " "), _text(old.get(name)), _text(new.get(name)))
        for name in new.keys() | old.keys()
        if old.get(name) != new.get(name)
    ]


def _keyed_changes(
    old: dict[str, tuple[str, dict[str, Any]]], new: dict[str, tuple[str, dict[str, Any]]]
) -> list[ItemChange]:
    """Compare items by key; ``(label, fields)`` per key, in the new order then removed ones."""
    changes = []
    for key, (label, fields) in new.items():
        if key not in old:
            changes.append(ItemChange(key, label, "added"))
        elif old[key][1] != fields:
            fields_changed = sorted(_field_changes(old[key][1], fields), key=lambda c: c.name)
            changes.append(ItemChange(key, label, "changed", fields_changed))
    changes.extend(
        ItemChange(key, label, "removed") for key, (label, _) in old.items() if key not in new
    )
    return changes


def timeline_items(entries: list[dict[str, Any]], *, several: bool) -> list[ItemChange]:
    """The recorded timeline entries as items: each named event, then a count of the rest."""
    items = []
    for entry in entries:
        prefix = f"{entry['incident']} " if several else ""
        for ref, label in entry["events"]:
            items.append(ItemChange(f"{prefix}{ref}", label, entry["op"]))
        rest = entry["count"] - len(entry["events"])
        if rest > 0:
            noun = "event" if rest == 1 else "events"
            more = "more " if entry["events"] else ""
            items.append(ItemChange(prefix.strip(), f"{rest:,} {more}{noun}", entry["op"]))
    return items


def _timeline_between(old: Revision, new: Revision) -> list[ItemChange]:
    """Timeline entries of the revisions after ``old`` up to ``new``, oldest first."""
    between = Revision.objects.filter(
        postmortem_id=new.postmortem_id, number__gt=old.number, number__lte=new.number
    ).order_by("number")
    entries = [e for changes in between.values_list("timeline_changes", flat=True) for e in changes]
    several = len({e["incident"] for e in entries}) > 1
    return timeline_items(entries, several=several)


def _factors(record: PostmortemRecord) -> dict[str, tuple[str, dict[str, Any]]]:
    return {f.key: (f.description, asdict(f)) for f in record.factors}


def _action_items(record: PostmortemRecord) -> dict[str, tuple[str, dict[str, Any]]]:
    return {i.key: (i.title, asdict(i)) for i in record.action_items}


_DETAILS = ("title", "status", "owner", "facilitator", "collaborators", "reviewers")


def compare_records(old: PostmortemRecord, new: PostmortemRecord) -> dict[str, list[Any]]:
    """What changed from ``old`` to ``new``, part by part (the timeline aside)."""
    return {
        "details": [
            FieldChange(name, _text(getattr(old, name)), _text(getattr(new, name)))
            for name in _DETAILS
            if getattr(old, name) != getattr(new, name)
        ],
        "sections": _section_diffs(old, new),
        "factors": _keyed_changes(_factors(old), _factors(new)),
        "action_items": _keyed_changes(_action_items(old), _action_items(new)),
    }


def compare_revisions(old: Revision, new: Revision) -> RevisionDiff:
    """The difference between two revisions of one postmortem (older one first)."""
    if old.number > new.number:
        old, new = new, old
    parts = compare_records(
        parse_postmortem(old.snapshot, source=f"revision {old.number}"),
        parse_postmortem(new.snapshot, source=f"revision {new.number}"),
    )
    return RevisionDiff(old, new, timeline=_timeline_between(old, new), **parts)
