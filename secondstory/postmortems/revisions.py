"""Revisions: every saved change keeps who, when, what, and the postmortem after it.

A revision's ``snapshot`` is the postmortem in the exchange format with its title, people,
sections, incidents, factors and action items, but of each incident's timeline only the
events a factor names (so the snapshot stays valid and a factor's evidence stays visible).
The rest of the timeline is recorded as compact entries in ``timeline_changes``: how many
events were added, edited or removed since the revision before, with the first few of
them by reference. A one-line save on a postmortem whose incident has 200,000 events thus
writes a revision the size of its text, not of its timeline.

Additions and removals are found from the number of events per incident and the highest
event id (``timeline_state``), edits from the events saved in this thread since the last
revision (a ``post_save`` receiver, see ``note_event_saved``).

A change that touched only the sections, or only added events no factor names, says so
(``touched``): its snapshot is then built from the previous revision's instead of from
every table the postmortem spans (``incremental_snapshot``), and is the same text.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models import Count, Max, Prefetch, QuerySet
from django.utils import timezone

from secondstory.accounts.models import User
from secondstory.actions.models import ActionItem
from secondstory.core.exchange import render_postmortem
from secondstory.core.exchange.render import with_sections
from secondstory.core.record import PostmortemRecord
from secondstory.incidents.models import Incident, TimelineEvent
from secondstory.library.index import index_postmortem
from secondstory.postmortems.models import (
    ContributingFactor,
    Postmortem,
    Revision,
)
from secondstory.postmortems.records import _incident_record as incident_record
from secondstory.postmortems.records import postmortems_for_export, record_for

#: How many events of one kind of change a revision names; the rest are counted.
NAMED_EVENTS = 20
#: How many edited events one thread remembers per incident between two revisions.
_EDITS_KEPT = 1000

_edits = threading.local()


def snapshot(postmortem: Postmortem) -> str:
    """The whole postmortem as it is in the database now, in the exchange format."""
    fresh = postmortems_for_export().get(pk=postmortem.pk)
    return render_postmortem(record_for(fresh))


def _without_timeline(postmortem: Postmortem) -> QuerySet[Postmortem]:
    """What ``record_for`` reads, with only the events the postmortem's factors name."""
    named = ContributingFactor.events.through.objects.filter(
        contributingfactor__postmortem=postmortem
    ).values("timelineevent_id")
    events = TimelineEvent.objects.filter(pk__in=named).order_by("at", "source", "source_ref")
    return postmortems_for_export(events)


def revision_snapshot(postmortem: Postmortem) -> str:
    """The postmortem for a revision: everything but the events no factor names."""
    fresh = _without_timeline(postmortem).get(pk=postmortem.pk)
    return render_postmortem(record_for(fresh))


#: ``touched`` of ``record_revision``: the change wrote section columns of the postmortem
#: row given, and nothing else the snapshot holds.
SECTIONS_ONLY = "sections"
#: ``touched``: the change added timeline events, which no factor names yet, and nothing else.
EVENTS_ADDED = "events added"


def incremental_snapshot(postmortem: Postmortem, last: Revision | None, touched: str) -> str | None:
    """The snapshot after a change that touched only one part, from the previous revision's;
    None when it has to be built in full (no previous revision, an action item changed
    since, a previous snapshot not laid out as the renderer lays it out).

    Everything outside the part touched is as the previous revision recorded it: a change
    records a revision in the transaction that makes it, and revisions of one postmortem
    take turns (``record_revision`` locks its row first). Events added without a factor
    naming them are not in a snapshot, so that change leaves the text as it was; a section
    change rewrites the body from the postmortem's row (``postmortem`` must be read after
    the change, as ``save_section``'s locked row is).

    An action item's status set by a tracker's sync records no revision: an item saved
    since the last revision sends the snapshot back to a full read, so the change shows in
    this revision (its diff, a restore of it) as before. Changes that record no revision
    and that neither diffs nor a restore read (a person's name or email, a game day's
    status) reach the snapshot at the next full read.
    """
    if last is None:
        return None
    if ActionItem.objects.filter(postmortem=postmortem, updated_at__gte=last.created_at).exists():
        return None
    if touched == EVENTS_ADDED:
        return last.snapshot
    if touched == SECTIONS_ONLY:
        return with_sections(last.snapshot, {name: text for name, _, text in postmortem.sections()})
    raise ValueError(f"unknown part {touched!r}")


# --- Edited events, noted as they are saved -----------------------------------------------


def note_event_saved(sender: Any, instance: TimelineEvent, created: bool, **kwargs: Any) -> None:
    """``post_save`` receiver: remember an edited event until the next revision takes it."""
    if created or kwargs.get("raw"):
        return
    pending: dict[int, dict[int, str]] = _pending()
    edited = pending[instance.incident_id]
    if len(edited) < _EDITS_KEPT:
        edited[instance.pk] = _label(instance)


def forget_edits(**kwargs: Any) -> None:
    """``request_started`` receiver: nothing noted by an earlier request carries over."""
    _edits.pending = defaultdict(dict)
    _edits.block = _outer_block()


def _outer_block() -> object | None:
    """The outermost transaction open now: edits noted in another one (rolled back, or
    an earlier request's) are not this revision's."""
    blocks = transaction.get_connection().atomic_blocks
    return blocks[0] if blocks else None


def _pending() -> dict[int, dict[int, str]]:
    if getattr(_edits, "block", None) is not _outer_block() or not hasattr(_edits, "pending"):
        forget_edits()
    pending: dict[int, dict[int, str]] = _edits.pending
    return pending


def _label(event: TimelineEvent) -> str:
    return f"{event.local_at:%Y-%m-%d %H:%M} {event.text[:120]}"


# --- Timeline changes between two revisions -------------------------------------------------


def _incident_ids(postmortem: Postmortem) -> dict[str, int]:
    return dict(postmortem.incidents.values_list("key", "pk"))


def timeline_state(
    postmortem: Postmortem, incidents: dict[str, int] | None = None
) -> dict[str, list[int]]:
    """``{incident key: [event count, highest event id]}``, in one query (two without
    ``incidents``, the postmortem's incidents as ``{key: id}``)."""
    rows = (
        TimelineEvent.objects.filter(incident__postmortems=postmortem)
        .values("incident__key")
        .annotate(n=Count("pk"), last=Max("pk"))
        .order_by()
    )
    keys = incidents if incidents is not None else _incident_ids(postmortem)
    state = {key: [0, 0] for key in keys}
    for row in rows:
        state[row["incident__key"]] = [row["n"], row["last"]]
    return state


def _entry(incident: str, op: str, count: int, events: list[list[str]]) -> dict[str, Any]:
    return {"incident": incident, "op": op, "count": count, "events": events}


def _added(incident: str, since: int) -> dict[str, Any] | None:
    new = TimelineEvent.objects.filter(incident__key=incident, pk__gt=since)
    count = new.count()
    if not count:
        return None
    named = [[e.ref, _label(e)] for e in new.order_by("pk")[:NAMED_EVENTS]]
    return _entry(incident, "added", count, named)


def _edited(incident: str, ids: dict[int, int], before: int) -> dict[str, Any] | None:
    """Events saved since the last revision that existed then and exist still."""
    noted = _pending().pop(ids.get(incident, -1), {})
    wanted = [pk for pk in noted if pk <= before]
    if not wanted:
        return None
    found = TimelineEvent.objects.filter(pk__in=wanted, incident__key=incident).order_by("pk")
    events = [[e.ref, _label(e)] for e in found]
    if not events:
        return None
    return _entry(incident, "edited", len(events), events[:NAMED_EVENTS])


def timeline_changes(
    postmortem: Postmortem,
    before: dict[str, list[int]],
    now: dict[str, list[int]],
    incidents: dict[str, int] | None = None,
) -> list[dict[str, Any]]:
    """What happened to each incident's timeline between two states (see ``timeline_state``)."""
    ids = incidents if incidents is not None else _incident_ids(postmortem)
    entries = []
    for incident, (count, _) in now.items():
        old_count, old_last = before.get(incident, [0, 0])
        added = _added(incident, old_last)
        added_count = added["count"] if added else 0
        edited = _edited(incident, ids, old_last)
        removed = old_count + added_count - count
        entries += [entry for entry in (added, edited) if entry]
        if removed > 0:
            entries.append(_entry(incident, "removed", removed, []))
        elif removed < 0:
            # Events numbered before the last revision but saved after it (an import
            # publishing its rows, or a capture that waited for another change): added all
            # the same, though which ones the two states cannot tell.
            entries.append(_entry(incident, "added", -removed, []))
    return entries


@transaction.atomic
def record_revision(
    postmortem: Postmortem,
    *,
    author: User | None,
    summary: str,
    locked: bool = False,
    reindex: Callable[[Postmortem], None] = index_postmortem,
    touched: str | None = None,
) -> Revision | None:
    """Keep a revision after a change; None when nothing changed since the last one.

    Call it inside the transaction of the change, after the change is saved. Changes to one
    postmortem take turns from here on (its row is locked until the change commits), so two
    people saving at once never rewrite its search document or number their revisions at
    the same time. ``locked``: the caller holds that lock already (taken in this
    transaction). ``reindex`` rewrites the search document: the whole of it by default, or
    only the fields the change touched (``library.index_fields``). ``touched``: the change
    touched only that part (``SECTIONS_ONLY``, ``EVENTS_ADDED``), so the snapshot is built
    from the previous revision's (``incremental_snapshot``).
    """
    if not locked:
        Postmortem.objects.select_for_update().filter(pk=postmortem.pk).values_list("pk").first()
    reindex(postmortem)
    last = postmortem.revisions.order_by("-number").first()
    text = incremental_snapshot(postmortem, last, touched) if touched else None
    if text is None:
        text = revision_snapshot(postmortem)
    incidents = _incident_ids(postmortem)
    state = timeline_state(postmortem, incidents)
    changes = timeline_changes(postmortem, last.timeline_state if last else {}, state, incidents)
    if last is not None and last.snapshot == text and not changes:
        return None
    number = (last.number if last is not None else 0) + 1  # the highest: rows are locked
    return Revision.objects.create(
        postmortem=postmortem,
        number=number,
        author=author,
        created_at=timezone.now(),
        summary=summary[:300],
        snapshot=text,
        timeline_state=state,
        timeline_changes=changes,
    )


# --- Restoring ------------------------------------------------------------------------------


def keep_current_timelines(record: PostmortemRecord) -> None:
    """Give the record's incidents the timelines they have now, before it is loaded back.

    A revision holds no whole timeline, so restoring one brings back the text, people,
    incident details, factors and action items, and leaves every timeline as it is. A
    factor's link to an event deleted since is dropped.
    """
    keys = [incident.key for incident in record.incidents]
    events = TimelineEvent.objects.order_by("at", "source", "source_ref")
    found = Incident.objects.filter(key__in=keys).prefetch_related(
        "milestones__kind", Prefetch("timeline", queryset=events)
    )
    current = {incident.key: incident_record(incident).timeline for incident in found}
    refs = set()
    for incident in record.incidents:
        incident.timeline = current.get(incident.key, [])
        refs.update(event.ref for event in incident.timeline)
    for factor in record.factors:
        factor.events = [ref for ref in factor.events if ref in refs]
