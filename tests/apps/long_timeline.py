"""A long imported timeline, as a chat export with alerts, pages and deploys makes one.

Every ten events: an alert or a page, a deploy, six chat messages of one participant within
a minute, an action and an observation; every hundredth event is a decision and every 250th
is starred. Written in batches, the way an import writes them.
"""

from __future__ import annotations

from datetime import timedelta

from secondstory.incidents.models import Incident, TimelineEvent
from tests.apps.factories import START

PEOPLE = ("Ana", "Bo", "Chen", "Dara", "Eli")
BATCH = 5_000


def _kind(n: int) -> str:
    if n % 100 == 50:
        return "decision"
    step = n % 10
    if step == 0:
        return "page" if n % 200 == 0 else "alert"
    return {1: "change", 8: "action", 9: "observation"}.get(step, "chat")


def add_long_timeline(incident: Incident, size: int) -> None:
    """Add ``size`` events to ``incident``, seven seconds apart from ``START``."""
    rows = []
    for n in range(size):
        kind = _kind(n)
        rows.append(
            TimelineEvent(
                incident=incident,
                at=START + timedelta(seconds=7 * n),
                kind=kind,
                source="slack" if kind == "chat" else "import",
                source_ref=f"long-{n:07d}",
                actor=PEOPLE[(n // 10) % len(PEOPLE)] if kind == "chat" else "",
                text=f"Message {n}: checking the connection pool graphs of the checkout service",
                starred=n % 250 == 125,
                raw={"payload": f"raw {n}", "user": "ana@example.com"},
            )
        )
        if len(rows) == BATCH:
            TimelineEvent.objects.bulk_create(rows)
            rows = []
    TimelineEvent.objects.bulk_create(rows)
