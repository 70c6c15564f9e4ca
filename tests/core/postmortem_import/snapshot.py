"""The comparable form of an import result, as stored next to each fixture."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from secondstory.core.postmortem_import import ImportOptions, ImportResult, import_file
from secondstory.core.timeline.event import event_json

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "postmortem_import"
OPTIONS = ImportOptions(owner="importer")


def run(name: str, options: ImportOptions = OPTIONS) -> ImportResult:
    return import_file(FIXTURES / name, options)


def events(result: ImportResult) -> list[dict[str, Any]]:
    return [event_json(e) for i in result.record.incidents for e in i.timeline]


def record(result: ImportResult) -> dict[str, Any]:
    """Everything but the timeline (kept in the .jsonl file), with the file name relative."""
    rec = result.record
    incident = rec.incidents[0]
    prefix = str(FIXTURES) + "/"
    return {
        "key": rec.key,
        "title": rec.title,
        "status": rec.status,
        "owner": rec.owner,
        "collaborators": rec.collaborators,
        "people": {k: [p.name, p.email] for k, p in sorted(rec.people.items())},
        "incident": {
            "key": incident.key,
            "title": incident.title,
            "severity": incident.severity,
            "services": incident.services,
            "teams": incident.teams,
            "tags": incident.tags,
            "external_references": [
                [r.system, r.identifier, r.url] for r in incident.external_references
            ],
            "milestones": [[m.kind, m.at.isoformat()] for m in incident.milestones],
        },
        "sections": rec.sections,
        "factors": [[f.key, f.category, f.description, f.evidence] for f in rec.factors],
        "action_items": [
            {
                "key": a.key,
                "title": a.title,
                "type": a.type,
                "priority": a.priority,
                "owner": a.owner,
                "due": a.due.isoformat(),
                "status": a.status,
                "reason": a.reason,
                "tracker_url": a.tracker_url,
                "completed_at": a.completed_at.isoformat() if a.completed_at else None,
            }
            for a in rec.action_items
        ],
        "warnings": [w.replace(prefix, "") for w in result.warnings()],
    }
