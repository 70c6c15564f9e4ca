"""Small records and files for the exchange-format tests."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from secondstory.core.record import (
    ActionItemRecord,
    IncidentRecord,
    Milestone,
    PostmortemRecord,
)
from secondstory.core.timeline.event import TimelineEvent

CET = timezone(timedelta(hours=1))
IST = timezone(timedelta(hours=5, minutes=30))
PST = timezone(timedelta(hours=-8))


def minimal_record(**changes: object) -> PostmortemRecord:
    record = PostmortemRecord(
        key="PM-1",
        title="Checkout errors",
        owner="ines",
        incidents=[IncidentRecord(key="INC-1", title="Checkout 500s", severity="SEV2")],
    )
    for name, value in changes.items():
        setattr(record, name, value)
    return record


def event(**changes: object) -> TimelineEvent:
    base = TimelineEvent(
        at=datetime(2026, 3, 4, 14, 2, tzinfo=CET),
        kind="alert",
        source="pagerduty",
        source_ref="Q1",
        text="Error rate above 5 %",
    )
    for name, value in changes.items():
        setattr(base, name, value)
    return base


def record_with_event(**changes: object) -> PostmortemRecord:
    record = minimal_record()
    record.incidents[0].timeline = [event(**changes)]
    return record


def action_item(**changes: object) -> ActionItemRecord:
    item = ActionItemRecord(
        key="AI-1",
        title="Alert on pool saturation",
        type="detect",
        priority="P1",
        owner="lena",
        due=date(2026, 4, 1),
    )
    for name, value in changes.items():
        setattr(item, name, value)
    return item


def milestone(kind: str, hour: int, minute: int = 0) -> Milestone:
    return Milestone(kind, datetime(2026, 3, 4, hour, minute, tzinfo=CET))


FRONT = """\
---
secondstory: 1
key: PM-1
title: Checkout errors
owner: ines
incidents:
- key: INC-1
  title: Checkout 500s
  severity: SEV2
"""


def document(extra_front: str = "", body: str = "") -> str:
    """A small valid file with ``extra_front`` appended to its front matter."""
    return FRONT + extra_front + "---\n" + body
