"""Revisions are the size of what changed, never of the whole timeline."""

from __future__ import annotations

import importlib
from datetime import timedelta

from secondstory.accounts.models import User
from secondstory.core.exchange import parse_postmortem, render_postmortem
from secondstory.incidents.models import TimelineEvent
from secondstory.lib.concurrency import fingerprint
from secondstory.postmortems.models import Postmortem
from secondstory.postmortems.revisions import NAMED_EVENTS, record_revision
from secondstory.postmortems.writing_services import save_section
from tests.apps.factories import START, postmortem_record

migration = importlib.import_module(
    "secondstory.postmortems.migrations.0007_revision_timeline_changes"
)


def add_events(postmortem: Postmortem, count: int, prefix: str = "bulk") -> None:
    incident = postmortem.incidents.get()
    TimelineEvent.objects.bulk_create(
        TimelineEvent(
            incident=incident,
            at=START + timedelta(seconds=n),
            kind="chat",
            source="slack",
            source_ref=f"{prefix}-{n}",
            text=f"Message {n} about the connection pool",
        )
        for n in range(count)
    )


def save_one_line(postmortem: Postmortem, author: User) -> Postmortem:
    postmortem.refresh_from_db()
    text = postmortem.summary + "\n\nOne more line."
    return save_section(
        postmortem, "summary", text, base=fingerprint(postmortem.summary), author=author
    )


def test_a_section_save_writes_a_revision_that_does_not_grow_with_the_timeline(
    postmortem: Postmortem, alice: User
) -> None:
    record_revision(postmortem, author=alice, summary="Imported")
    save_one_line(postmortem, alice)
    small = postmortem.revisions.first()
    add_events(postmortem, 400)
    record_revision(postmortem, author=alice, summary="Imported 400 events")
    save_one_line(postmortem, alice)
    big = postmortem.revisions.first()
    assert big.summary == "Edited Summary"
    assert big.timeline_changes == []
    assert len(big.snapshot) == len(small.snapshot) + len("\n\nOne more line.")
    assert "bulk-" not in big.snapshot
    # The events a factor names stay in the snapshot, so it is still a valid postmortem.
    record = parse_postmortem(big.snapshot)
    assert [e.ref for e in record.incidents[0].timeline] == ["github:deploy-881"]


def test_added_events_are_counted_and_the_first_named(postmortem: Postmortem, alice: User) -> None:
    record_revision(postmortem, author=alice, summary="Imported")
    add_events(postmortem, 30)
    revision = record_revision(postmortem, author=alice, summary="Imported 30 events")
    assert revision is not None
    [entry] = revision.timeline_changes
    assert (entry["incident"], entry["op"], entry["count"]) == ("INC-PM-1", "added", 30)
    assert len(entry["events"]) == NAMED_EVENTS
    assert entry["events"][0][0] == "slack:bulk-0"
    assert entry["events"][0][1].endswith("Message 0 about the connection pool")


def test_edited_and_removed_events_are_recorded(postmortem: Postmortem, alice: User) -> None:
    record_revision(postmortem, author=alice, summary="Imported")
    event = TimelineEvent.objects.get(source_ref="fp-1")
    event.text = "CheckoutErrorRate fired"
    event.save()
    TimelineEvent.objects.filter(source_ref="m1").delete()
    revision = record_revision(postmortem, author=alice, summary="Edited the timeline")
    assert revision is not None
    ops = {e["op"]: e for e in revision.timeline_changes}
    assert ops.keys() == {"edited", "removed"}
    assert ops["edited"]["events"][0][0] == "alertmanager:fp-1"
    assert ops["removed"]["count"] == 1
    # Nothing changed since: no new revision.
    assert record_revision(postmortem, author=alice, summary="Again") is None


def test_the_migration_turns_whole_snapshots_into_entries() -> None:
    before = postmortem_record()
    after = postmortem_record()
    events = after.incidents[0].timeline
    events[0].text = "changed"
    removed = events.pop()
    revisions = [_Revision(1, render_postmortem(before)), _Revision(2, render_postmortem(after))]
    seen: dict[str, dict[str, object]] = {}
    for revision in revisions:
        seen = migration._convert(revision, seen)
    first, second = revisions
    assert [(e["op"], e["count"]) for e in first.timeline_changes] == [
        ("added", len(before.incidents[0].timeline))
    ]
    ops = {e["op"]: e["events"] for e in second.timeline_changes}
    assert ops["edited"][0][0] == events[0].ref
    assert ops["removed"][0][0] == removed.ref
    timeline = parse_postmortem(second.snapshot).incidents[0].timeline
    assert [e.ref for e in timeline] == ["github:deploy-881"]


class _Revision:
    def __init__(self, number: int, snapshot: str) -> None:
        self.number = number
        self.snapshot = snapshot
        self.timeline_changes: list[object] = []
        self.timeline_state: dict[str, object] = {}


def test_the_migration_converts_each_revision_once(postmortem: Postmortem) -> None:
    from django.apps import apps
    from django.utils import timezone

    from secondstory.postmortems.models import Revision
    from secondstory.postmortems.revisions import snapshot

    texts = [snapshot(postmortem)]
    TimelineEvent.objects.filter(source_ref="m1").update(text="changed text")
    texts.append(snapshot(postmortem))
    for number, text in enumerate(texts, start=1):
        Revision.objects.create(
            postmortem=postmortem,
            number=number,
            created_at=timezone.now(),
            summary=f"r{number}",
            snapshot=text,
        )
    migration.forwards(apps, None)
    first, second = Revision.objects.filter(postmortem=postmortem).order_by("number")
    count = TimelineEvent.objects.filter(incident__postmortems=postmortem).count()
    assert [(e["op"], e["count"]) for e in first.timeline_changes] == [("added", count)]
    assert [(e["op"], e["events"][0][0]) for e in second.timeline_changes] == [
        ("edited", "manual:m1")
    ]
    assert "changed text" not in second.snapshot
