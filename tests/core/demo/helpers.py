"""Helpers for the demo generator tests."""

from __future__ import annotations

from datetime import datetime

from secondstory.core.demo import BLAME_MARKERS
from secondstory.core.record import IncidentRecord, PostmortemRecord


def milestone_map(incident: IncidentRecord) -> dict[str, datetime]:
    return {m.kind: m.at for m in incident.milestones}


def all_text(record: PostmortemRecord) -> str:
    """Every piece of prose in a record, for searching."""
    parts = [record.title, record.not_required_reason, *record.sections.values()]
    for factor in record.factors:
        parts += [factor.description, factor.evidence]
    for item in record.action_items:
        parts += [item.title, item.reason, item.done_criterion]
    for step in record.transitions:
        parts.append(step.note)
    for incident in record.incidents:
        parts.append(incident.title)
        parts += [event.text for event in incident.timeline]
    return "\n".join(parts)


def has_blame(record: PostmortemRecord) -> bool:
    text = all_text(record).lower()
    return any(marker in text for marker in BLAME_MARKERS)
