"""Revisions keep the timeline as compact change entries instead of whole copies.

Existing revisions are rewritten: each snapshot keeps only the events a factor names,
and what happened to the timeline since the revision before (added, edited, removed) is
worked out from the old full snapshots and stored as entries. A snapshot that cannot be
read is left as it was.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations, models
from django.db.models import Count, Max

from secondstory.core.exchange import ExchangeError, parse_postmortem, render_postmortem

NAMED_EVENTS = 20


def _label(event: Any) -> str:
    return f"{event.at:%Y-%m-%d %H:%M} {event.text[:120]}"


def _entries(old: dict[str, dict[str, Any]], new: dict[str, dict[str, Any]]) -> list[Any]:
    entries = []
    for incident, events in new.items():
        before = old.get(incident, {})
        added = [e for ref, e in events.items() if ref not in before]
        edited = [e for ref, e in events.items() if ref in before and before[ref] != e]
        removed = [e for ref, e in before.items() if ref not in events]
        for op, found in (("added", added), ("edited", edited), ("removed", removed)):
            if found:
                named = [[e.ref, _label(e)] for e in found[:NAMED_EVENTS]]
                entries.append({"incident": incident, "op": op, "count": len(found), "events": named})
    return entries


def _convert(revision: Any, before: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    try:
        record = parse_postmortem(revision.snapshot, source=f"revision {revision.number}")
    except ExchangeError:
        return before
    events = {i.key: {e.ref: e for e in i.timeline} for i in record.incidents}
    named = {ref for factor in record.factors for ref in factor.events}
    for incident in record.incidents:
        incident.timeline = [e for e in incident.timeline if e.ref in named]
    revision.snapshot = render_postmortem(record)
    revision.timeline_changes = _entries(before, events)
    revision.timeline_state = {key: [len(found), 0] for key, found in events.items()}
    return events


def forwards(apps: Any, schema_editor: Any) -> None:
    Revision = apps.get_model("postmortems", "Revision")
    TimelineEvent = apps.get_model("incidents", "TimelineEvent")
    postmortems = Revision.objects.order_by().values_list("postmortem_id", flat=True).distinct()
    for postmortem in list(postmortems):
        before: dict[str, dict[str, Any]] = {}
        last = None
        # One revision in memory at a time, read by id: rewriting rows while a cursor walks
        # the same table can meet a row twice.
        ids = Revision.objects.filter(postmortem_id=postmortem).order_by("number")
        for pk in list(ids.values_list("pk", flat=True)):
            revision = Revision.objects.get(pk=pk)
            before = _convert(revision, before)
            revision.save(update_fields=["snapshot", "timeline_changes", "timeline_state"])
            last = revision
        if last is None:
            continue
        # The newest revision holds today's count and highest id, so the next change
        # reports only what is new since.
        rows = (
            TimelineEvent.objects.filter(incident__postmortems=postmortem)
            .values("incident__key")
            .annotate(n=Count("pk"), last=Max("pk"))
            .order_by()
        )
        last.timeline_state = {row["incident__key"]: [row["n"], row["last"]] for row in rows}
        last.save(update_fields=["timeline_state"])


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0005_imported_alert_signals"),
        ("postmortems", "0006_review_cache"),
    ]

    operations = [
        migrations.AddField(
            model_name="revision",
            name="timeline_changes",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="Events added, edited or removed since the revision before, per incident.",
            ),
        ),
        migrations.AddField(
            model_name="revision",
            name="timeline_state",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text="{incident key: [event count, highest event id]}",
            ),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
