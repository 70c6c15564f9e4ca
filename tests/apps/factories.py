"""Small, valid postmortem records for app tests (built as plain data, loaded by the service)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from secondstory.core.record import (
    ActionItemRecord,
    FactorRecord,
    IncidentRecord,
    Milestone,
    Person,
    PostmortemRecord,
)
from secondstory.core.timeline.event import TimelineEvent

CET = timezone(timedelta(hours=1))
START = datetime(2026, 3, 4, 13, 40, tzinfo=CET)


def incident_record(
    key: str = "INC-1", *, visibility: str = "internal", team: str = "payments"
) -> IncidentRecord:
    return IncidentRecord(
        key=key,
        title="Checkout returned errors after a configuration change",
        severity="SEV2",
        visibility=visibility,
        services=["checkout"],
        teams=[team],
        tags=["config"],
        milestones=[
            Milestone("impact_started", START),
            Milestone("detected", START + timedelta(minutes=12)),
            Milestone("acknowledged", START + timedelta(minutes=15)),
            Milestone("mitigated", START + timedelta(minutes=50)),
            Milestone("resolved", START + timedelta(hours=26)),
        ],
        timeline=[
            TimelineEvent(
                START - timedelta(minutes=5),
                "change",
                "github",
                "deploy-881",
                "Deployed config change 881 to checkout",
                actor="Deploy bot",
            ),
            TimelineEvent(
                START + timedelta(minutes=12),
                "alert",
                "alertmanager",
                "fp-1",
                "CheckoutErrorRate firing",
                starred=True,
            ),
            TimelineEvent(
                START + timedelta(minutes=15),
                "page",
                "pagerduty",
                "Q1",
                "Paged the payments on-call",
                actor="Alice Owner",
                actor_role="on-call",
            ),
            TimelineEvent(
                START + timedelta(hours=3),
                "observation",
                "manual",
                "m1",
                "Connection pool limit found in logs",
                known_at_the_time=False,
            ),
        ],
    )


def postmortem_record(
    key: str = "PM-1", *, owner: str = "alice", status: str = "draft", visibility: str = "internal"
) -> PostmortemRecord:
    return PostmortemRecord(
        key=key,
        title="Checkout errors after a configuration change",
        owner=owner,
        status=status,
        reviewers=["bob"],
        created_at=datetime(2026, 3, 5, 9, 0, tzinfo=UTC),
        incidents=[incident_record(f"INC-{key}", visibility=visibility)],
        sections={
            "summary": "Checkout failed for **12%** of requests for 50 minutes.",
            "trigger": "A configuration change lowered the connection pool size.",
        },
        factors=[
            FactorRecord(
                "F1",
                "tooling",
                "The config tool accepted a pool size of 1.",
                events=["github:deploy-881"],
            ),
            FactorRecord("F2", "detection", "The error-rate alert waited 10 minutes."),
        ],
        action_items=[
            ActionItemRecord(
                "A1",
                "Validate pool sizes in the config tool",
                "prevent",
                "P1",
                owner,
                date(2026, 4, 4),
                factors=["F1"],
            ),
        ],
        people={
            "alice": Person("alice", "Alice Owner"),
            "bob": Person("bob", "Bob Teammate"),
        },
    )
