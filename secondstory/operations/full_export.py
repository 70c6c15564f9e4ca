"""``secondstory export --all``: everything a move to another installation needs.

The postmortems are written as Markdown (``postmortems/``, the exchange format); the rest
as one JSON Lines file per kind (``kinds.py``). ``secondstory-export.json`` is written
last and names what the directory holds. What is and is not carried is listed in
docs/operations.md.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.db import connection, transaction

from secondstory import __version__
from secondstory.accounts.models import Team, User
from secondstory.actions.models import PriorityPolicy, SavedFilter
from secondstory.audit.transfer import KIND as audit_kind
from secondstory.audit.transfer import exported_events
from secondstory.core.exchange.render import format_datetime
from secondstory.incidents.models import (
    DurationMetric,
    Incident,
    MilestoneKind,
    Service,
    Severity,
    Tag,
)
from secondstory.operations.kinds import FORMAT, INDEX, VERSION, write_kind
from secondstory.postmortems.exchange import export_all
from secondstory.postmortems.models import (
    Comment,
    FactorCategory,
    PostmortemTemplate,
    ReviewDismissal,
    Revision,
)
from secondstory.postmortems.records import _incident_record
from secondstory.sharing.models import CustomerSummary

POSTMORTEMS = "postmortems"


def _when(moment: datetime | None) -> str | None:
    return format_datetime(moment) if moment is not None else None


def _name(user: User | None) -> str:
    return user.username if user is not None else ""


def users() -> Iterator[dict[str, Any]]:
    for u in User.objects.order_by("username"):
        yield {
            "username": u.username,
            "display_name": u.display_name,
            "first_name": u.first_name,
            "last_name": u.last_name,
            "email": u.email,
            "is_staff": u.is_staff,
            "role": u.role,
            "is_active": u.is_active,
            "time_zone": u.time_zone,
            "date_joined": _when(u.date_joined),
        }


def teams() -> Iterator[dict[str, Any]]:
    for t in Team.objects.order_by("slug").prefetch_related("members", "maintainers"):
        members = sorted(m.username for m in t.members.all())
        maintainers = sorted(m.username for m in t.maintainers.all())
        yield {"slug": t.slug, "name": t.name, "members": members, "maintainers": maintainers}


def vocabularies() -> dict[str, Iterator[dict[str, Any]]]:
    return {
        "severities": (
            {"code": s.code, "name": s.name, "description": s.description, "rank": s.rank,
             "slo_days": s.slo_days}
            for s in Severity.objects.order_by("rank")
        ),
        "milestone_kinds": (
            {"code": k.code, "name": k.name, "position": k.position}
            for k in MilestoneKind.objects.order_by("position", "code")
        ),
        "duration_metrics": (
            {"code": m.code, "name": m.name, "start": m.start.code, "end": m.end.code,
             "position": m.position}
            for m in DurationMetric.objects.select_related("start", "end").order_by("code")
        ),
        "factor_categories": (
            {"code": c.code, "name": c.name, "description": c.description, "position": c.position}
            for c in FactorCategory.objects.order_by("code")
        ),
        "templates": (
            {"slug": t.slug, "name": t.name, "description": t.description,
             "sections": t.sections, "position": t.position}
            for t in PostmortemTemplate.objects.order_by("slug")
        ),
        "priority_policies": (
            {"priority": p.priority, "slo_days": p.slo_days}
            for p in PriorityPolicy.objects.order_by("priority")
        ),
        "services": (
            {"slug": s.slug, "name": s.name, "team": s.team.slug if s.team else "",
             "description": s.description}
            for s in Service.objects.select_related("team").order_by("slug")
        ),
        "tags": ({"slug": t.slug} for t in Tag.objects.order_by("slug")),
    }  # fmt: skip


def incidents() -> Iterator[dict[str, Any]]:
    """Incidents that no postmortem lists (the others travel inside their postmortem)."""
    lone = (
        Incident.objects.filter(postmortems__isnull=True)
        .select_related("severity")
        .prefetch_related(
            "services", "teams", "tags", "external_references", "milestones__kind", "timeline"
        )
        .order_by("key")
    )
    for incident in lone.iterator(chunk_size=100):
        record = _incident_record(incident)
        yield {
            "key": record.key,
            "title": record.title,
            "severity": record.severity,
            "visibility": record.visibility,
            "services": record.services,
            "teams": record.teams,
            "tags": record.tags,
            "external_references": [
                {"system": r.system, "id": r.identifier, "url": r.url}
                for r in record.external_references
            ],
            "milestones": [{"kind": m.kind, "at": _when(m.at)} for m in record.milestones],
            "milestone_order_note": record.milestone_order_note,
            "created_at": _when(incident.created_at),
            "timeline": [
                {"at": _when(e.at), "kind": e.kind, "source": e.source, "ref": e.source_ref,
                 "actor": e.actor, "role": e.actor_role, "text": e.text, "starred": e.starred,
                 "known_at_the_time": e.known_at_the_time, "evidence": e.evidence_url,
                 "raw": e.raw}
                for e in record.timeline
            ],
        }  # fmt: skip


def comments() -> Iterator[dict[str, Any]]:
    rows = Comment.objects.select_related("postmortem", "author", "resolved_by")
    for c in rows.order_by("postmortem__key", "created_at", "id"):
        yield {
            "postmortem": c.postmortem.key,
            "author": c.author.username,
            "section": c.section,
            "body": c.body,
            "requests_change": c.requests_change,
            "quote": c.quote,
            "quote_prefix": c.quote_prefix,
            "quote_suffix": c.quote_suffix,
            "suggestion": c.suggestion,
            "suggestion_accepted_at": _when(c.suggestion_accepted_at),
            "created_at": _when(c.created_at),
            "resolved_at": _when(c.resolved_at),
            "resolved_by": _name(c.resolved_by),
        }


def revisions() -> Iterator[dict[str, Any]]:
    rows = Revision.objects.select_related("postmortem", "author")
    for r in rows.order_by("postmortem__key", "number").iterator(chunk_size=200):
        yield {
            "postmortem": r.postmortem.key,
            "number": r.number,
            "author": _name(r.author),
            "created_at": _when(r.created_at),
            "summary": r.summary,
            "snapshot": r.snapshot,
        }


def review_dismissals() -> Iterator[dict[str, Any]]:
    rows = ReviewDismissal.objects.select_related("postmortem", "by")
    for d in rows.order_by("postmortem__key", "at", "id"):
        yield {
            "postmortem": d.postmortem.key,
            "section": d.section,
            "rule": d.rule,
            "text": d.text,
            "sentence": d.sentence,
            "reason": d.reason,
            "by": _name(d.by),
            "at": _when(d.at),
        }


def saved_filters() -> Iterator[dict[str, Any]]:
    for f in SavedFilter.objects.select_related("owner").order_by("owner__username", "name"):
        yield {
            "owner": f.owner.username,
            "name": f.name,
            "query": f.query,
            "created_at": _when(f.created_at),
        }


def customer_summaries() -> Iterator[dict[str, Any]]:
    rows = CustomerSummary.objects.select_related("postmortem", "updated_by")
    for s in rows.order_by("postmortem__key"):
        yield {
            "postmortem": s.postmortem.key,
            "text": s.text,
            "updated_by": _name(s.updated_by),
        }


class ExportDirectoryError(Exception):
    """The directory named for a complete export already holds files."""


def export_everything(directory: Path) -> dict[str, int]:
    """Write the complete export into ``directory``; return how many items of each kind.

    The directory must be new or empty: files left from an earlier export would come back
    on load. Everything is written under a temporary name beside it and renamed at the end.
    """
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise ExportDirectoryError(
            f"{directory} is not empty; export --all writes into a new or empty directory"
        )
    directory.parent.mkdir(parents=True, exist_ok=True)
    partial = Path(
        tempfile.mkdtemp(dir=directory.parent, prefix=f".{directory.name}.", suffix=".tmp")
    )
    try:
        with _one_snapshot():
            counts = _write_everything(partial)
        if directory.exists():
            directory.rmdir()
        partial.rename(directory)
    finally:
        if partial.exists():
            shutil.rmtree(partial, ignore_errors=True)
    return counts


@contextmanager
def _one_snapshot() -> Iterator[None]:
    """On PostgreSQL every file reads the same snapshot; stop SQLite writers for a move."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def _write_everything(directory: Path) -> dict[str, int]:
    counts = {"users": write_kind(directory, "users", users())}
    counts["teams"] = write_kind(directory, "teams", teams())
    for kind, items in vocabularies().items():
        counts[kind] = write_kind(directory, kind, items)
    counts["incidents"] = write_kind(directory, "incidents", incidents())
    counts[POSTMORTEMS] = export_all(directory / POSTMORTEMS)
    counts["comments"] = write_kind(directory, "comments", comments())
    counts["revisions"] = write_kind(directory, "revisions", revisions())
    counts["review_dismissals"] = write_kind(directory, "review_dismissals", review_dismissals())
    counts["saved_filters"] = write_kind(directory, "saved_filters", saved_filters())
    counts["customer_summaries"] = write_kind(directory, "customer_summaries", customer_summaries())
    counts[audit_kind] = write_kind(directory, audit_kind, exported_events())
    index = {
        "format": FORMAT,
        "version": VERSION,
        "secondstory_version": __version__,
        "created_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "counts": counts,
    }
    (directory / INDEX).write_text(json.dumps(index, indent=2) + "\n", encoding="utf-8")
    return counts
