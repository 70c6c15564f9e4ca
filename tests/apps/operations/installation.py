"""A small but complete installation for backup and export tests, and ways to read it back."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from django.db import connection

from secondstory.accounts.models import Team, User
from secondstory.actions.models import ActionItem, SavedFilter
from secondstory.incidents.models import EventReference, TimelineEvent
from secondstory.incidents.services import upsert_incident
from secondstory.notify.models import Delivery, NotificationChannel
from secondstory.postmortems.models import Comment, Postmortem, ReviewDismissal
from secondstory.postmortems.records import load_record
from secondstory.postmortems.revisions import record_revision
from tests.apps.factories import incident_record, postmortem_record

WHEN = datetime(2026, 3, 6, 10, 0, tzinfo=UTC)


def populate() -> dict[str, Any]:
    """Users, teams, postmortems with comments and revisions, a lone incident, notifications."""
    alice = User.objects.create_user(
        "alice", "alice@example.com", "pw-alice-1", display_name="Alice"
    )
    bob = User.objects.create_user("bob", "bob@example.com", "pw-bob-1", display_name="Bob")
    dora = User.objects.create_user("dora", "dora@example.com", None, is_staff=True)
    User.objects.create_user("eve", "eve@example.com", "pw-eve-1", is_active=False, role="viewer")
    payments = Team.objects.create(slug="payments", name="Payments")
    payments.members.set([alice, bob])
    payments.maintainers.set([bob])
    Team.objects.create(slug="quiet", name="Quiet team").members.set([dora])
    first = load_record(postmortem_record("PM-1"))
    second = load_record(postmortem_record("PM-2", status="draft", visibility="restricted"))
    for postmortem, author in ((first, alice), (second, bob)):
        record_revision(postmortem, author=author, summary="first save")
        postmortem.summary += "\n\nMore detail."
        postmortem.save()
        record_revision(postmortem, author=author, summary="added detail")
    Comment.objects.create(
        postmortem=first, author=bob, section="summary", body="Which hosts?", requests_change=True
    )
    Comment.objects.create(
        postmortem=first, author=alice, body="Resolved.", resolved_at=WHEN, resolved_by=alice
    )
    ReviewDismissal.objects.create(
        postmortem=first,
        section="summary",
        rule="hindsight",
        text="should have",
        reason="quote",
        by=alice,
        at=WHEN,
    )
    lone = upsert_incident(incident_record("INC-LONE", team="quiet"))
    event = TimelineEvent.objects.filter(incident=lone).first()
    assert event is not None
    EventReference.objects.create(
        incident=lone,
        event=event,
        source="opsgenie",
        source_ref="og-1",
        at=event.at,
        text="same alert",
        raw={"n": 1},
    )
    channel = NotificationChannel.objects.create(
        name="ops", kind="webhook", target="https://x.example/h"
    )
    item = ActionItem.objects.first()
    Delivery.objects.create(
        channel_key=f"channel:{channel.pk}",
        channel=channel,
        channel_label="ops",
        recipient=alice,
        kind="reminder",
        key="r-1",
        item=item,
        subject="Due soon",
        text="Validate pool sizes",
        status="sent",
        attempts=1,
        last_attempt_at=WHEN,
        sent_at=WHEN,
    )
    SavedFilter.objects.create(name="mine", query="owner=alice", owner=alice)
    return {"postmortems": Postmortem.objects.count(), "lone": lone.key}


def sqlite_tables(path: str) -> dict[str, list[tuple[Any, ...]]]:
    db = sqlite3.connect(path)
    try:
        names = [
            n
            for (n,) in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
        ]
        return {n: _sorted(db.execute(f'SELECT * FROM "{n}"').fetchall()) for n in names}
    finally:
        db.close()


@contextmanager
def postgres(dbname: str) -> Iterator[Any]:
    import psycopg

    settings = connection.settings_dict
    with psycopg.connect(
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        user=settings["USER"] or None,
        password=settings["PASSWORD"] or None,
        dbname=dbname,
        autocommit=True,
        options="-c TimeZone=UTC",
    ) as db:
        yield db


def postgres_tables(dbname: str) -> dict[str, list[tuple[Any, ...]]]:
    with postgres(dbname) as db:
        names = [
            n
            for (n,) in db.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1"
            )
        ]
        return {n: _sorted(db.execute(f'SELECT * FROM "{n}"').fetchall()) for n in names}


def _sorted(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    return sorted(rows, key=repr)
