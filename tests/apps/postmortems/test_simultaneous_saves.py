"""Several people changing one postmortem at once: every change lands, none fails.

Each save rewrites the postmortem's search document and numbers a revision inside its own
transaction. Without turns, two such transactions on PostgreSQL wrote the same document row
twice (a duplicate key) or waited on each other in a circle (a deadlock): HTTP 500s under
load.
"""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections, transaction

from secondstory.accounts.models import User
from secondstory.core.timeline.event import TimelineEvent as EventData
from secondstory.incidents.models import TimelineEvent
from secondstory.incidents.services import add_timeline_event
from secondstory.library.models import SearchDocument
from secondstory.postmortems.models import Postmortem
from secondstory.postmortems.revisions import record_revision, timeline_changes, timeline_state
from tests.apps.factories import START

SAVERS = 6


@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="SQLite lets one writer in at a time (BEGIN IMMEDIATE): there is nothing to race",
)
@pytest.mark.django_db(transaction=True)
def test_simultaneous_saves_of_one_postmortem_all_land(postmortem: Postmortem, alice: User) -> None:
    gate = threading.Barrier(SAVERS, timeout=60)
    errors: list[BaseException] = []

    incident = postmortem.incidents.get()

    def save(n: int) -> None:
        """Even writers save a section; odd ones capture a timeline event, which changes no
        column of the postmortem itself."""
        try:
            with transaction.atomic():
                pm = Postmortem.objects.get(pk=postmortem.pk)
                gate.wait()  # everyone is inside a transaction before anyone writes
                if n % 2:
                    event = EventData(
                        at=START + timedelta(minutes=n),
                        kind="chat",
                        source="manual",
                        source_ref=f"manual-race-{n}",
                        text=f"Captured by writer {n}.",
                    )
                    add_timeline_event(incident, event)
                else:
                    Postmortem.objects.filter(pk=pm.pk).update(summary=f"Saved by writer {n}.")
                record_revision(pm, author=alice, summary=f"writer {n}")
        except BaseException as exc:  # collected for the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(n,)) for n in range(SAVERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert SearchDocument.objects.filter(postmortem=postmortem).count() == 1
    numbers = list(postmortem.revisions.order_by("number").values_list("number", flat=True))
    assert numbers == list(range(1, len(numbers) + 1))
    assert len(numbers) >= SAVERS  # one revision per save (plus the one the load wrote)


@pytest.mark.django_db
def test_an_event_saved_after_a_revision_that_counted_a_later_one_is_still_recorded(
    postmortem: Postmortem,
) -> None:
    """An import publishes rows numbered long before; a capture may wait for another change.
    Such an event's id is below the highest id the last revision saw, yet it is new."""
    incident = postmortem.incidents.get()
    key = incident.key
    now = timeline_state(postmortem)
    count, last = now[key]
    late = min(TimelineEvent.objects.filter(incident=incident).values_list("pk", flat=True))
    # The last revision saw every event but the one with the lowest id (not yet committed).
    before = {key: [count - 1, last]}
    changes = timeline_changes(postmortem, before, now)
    assert {"incident": key, "op": "added", "count": 1, "events": []} in changes
    assert late <= last
