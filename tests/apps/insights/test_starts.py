"""Each incident's start, kept by triggers, equals a fresh computation after any writes; the
triggers come back after a migration rebuilds a table (SQLite drops them then)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection, transaction
from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from secondstory.incidents.models import Incident, Milestone, MilestoneKind, Severity
from secondstory.insights import freshness, triggers
from secondstory.insights.models import IncidentStart

BASE = datetime(2026, 1, 1, tzinfo=UTC)


class Rollback(Exception):
    """Leaves each example's transaction without a trace."""


def reference() -> dict[int, datetime]:
    """The start of every incident the straightforward way: a correlated subquery."""
    first = Milestone.objects.filter(incident=OuterRef("pk")).order_by("at").values("at")[:1]
    query = Incident.objects.annotate(start=Coalesce(Subquery(first), F("created_at")))
    return dict(query.values_list("pk", "start"))


def kept() -> dict[int, datetime]:
    return dict(IncidentStart.objects.values_list("incident_id", "began"))


def _at(minutes: int) -> datetime:
    return BASE + timedelta(minutes=minutes)


minutes = st.integers(min_value=-50_000, max_value=50_000)
steps = st.lists(
    st.one_of(
        st.tuples(st.just("incident"), minutes),
        st.tuples(st.just("milestone"), st.integers(0, 9), st.integers(0, 5), minutes),
        st.tuples(st.just("move"), st.integers(0, 30), minutes),
        st.tuples(st.just("shift all"), minutes),
        st.tuples(st.just("reassign"), st.integers(0, 30), st.integers(0, 9)),
        st.tuples(st.just("recorded"), st.integers(0, 9), minutes),
        st.tuples(st.just("drop milestone"), st.integers(0, 30)),
        st.tuples(st.just("drop incident"), st.integers(0, 9)),
    ),
    max_size=25,
)


def _apply(step: tuple[object, ...], n: int) -> int:
    """One write of the kind a form, a bulk update or a deletion makes; the incidents made."""
    incidents = list(Incident.objects.order_by("pk"))
    milestones = list(Milestone.objects.order_by("pk"))
    kinds = list(MilestoneKind.objects.order_by("position"))
    match step:
        case ("incident", int(m)):
            made = Incident.objects.create(
                key=f"INC-{n}", title="t", severity=Severity.objects.order_by("rank").first()
            )
            Incident.objects.filter(pk=made.pk).update(created_at=_at(m))
            return n + 1
        case ("milestone", int(i), int(k), int(m)) if incidents:
            incident = incidents[i % len(incidents)]
            kind = kinds[k % len(kinds)]
            if not Milestone.objects.filter(incident=incident, kind=kind).exists():
                Milestone.objects.create(incident=incident, kind=kind, at=_at(m))
        case ("move", int(j), int(m)) if milestones:
            milestone = milestones[j % len(milestones)]
            milestone.at = _at(m)
            milestone.save()
        case ("shift all", int(m)):
            Milestone.objects.update(at=F("at") + timedelta(minutes=m))
        case ("reassign", int(j), int(i)) if milestones and incidents:
            milestone = milestones[j % len(milestones)]
            target = incidents[i % len(incidents)]
            if not Milestone.objects.filter(incident=target, kind=milestone.kind_id).exists():
                Milestone.objects.filter(pk=milestone.pk).update(incident=target)
        case ("recorded", int(i), int(m)) if incidents:
            Incident.objects.filter(pk=incidents[i % len(incidents)].pk).update(created_at=_at(m))
        case ("drop milestone", int(j)) if milestones:
            milestones[j % len(milestones)].delete()
        case ("drop incident", int(i)) if incidents:
            incidents[i % len(incidents)].delete()
    return n


@pytest.mark.django_db
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps)
def test_kept_starts_equal_a_fresh_computation_after_any_writes(
    writes: list[tuple[object, ...]],
) -> None:
    try:
        with transaction.atomic():
            n = 0
            for step in writes:
                n = _apply(step, n)
                assert kept() == reference(), step
            raise Rollback
    except Rollback:
        pass


def _drop(name: str, table: str) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"DROP TRIGGER {name}")
        else:
            cursor.execute(f"DROP TRIGGER {name} ON {table}")


def _one_incident() -> Incident:
    incident = Incident.objects.create(
        key="INC-1", title="t", severity=Severity.objects.order_by("rank").first()
    )
    kind = MilestoneKind.objects.order_by("position").first()
    Milestone.objects.create(incident=incident, kind=kind, at=_at(0))
    return incident


@pytest.mark.django_db(transaction=True)
def test_missing_triggers_come_back_after_migrate_with_the_starts_recomputed() -> None:
    incident = _one_incident()
    vendor = connection.vendor
    gone = {k for k in triggers.start_triggers(vendor) if k[1] == "incidents_milestone"}
    gone.add(next(iter(triggers.token_triggers(vendor))))
    for name, table in gone:
        _drop(name, table)
    assert gone & triggers.existing(connection) == set()
    Milestone.objects.filter(incident=incident).update(at=_at(-600))  # unrecorded meanwhile
    assert kept()[incident.pk] == _at(0)
    before = freshness.data_version()

    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")

    wanted = set(triggers.token_triggers(vendor)) | set(triggers.start_triggers(vendor))
    assert wanted <= triggers.existing(connection)
    assert kept() == reference() and kept()[incident.pk] == _at(-600)
    assert freshness.data_version() != before  # the unrecorded write is a change now
    Milestone.objects.filter(incident=incident).update(at=_at(-1200))  # recorded again
    assert kept()[incident.pk] == _at(-1200)
    assert triggers.ensure(connection) == []  # nothing missing: nothing done


@pytest.mark.skipif("connection.vendor != 'sqlite'")
@pytest.mark.django_db(transaction=True)
def test_a_table_rebuilt_by_a_sqlite_migration_gets_its_triggers_back() -> None:
    incident = _one_incident()
    with connection.schema_editor() as editor:
        editor._remake_table(Milestone)  # what SQLite does to alter most columns
    present = triggers.existing(connection)
    assert not any(table == "incidents_milestone" for _name, table in present)

    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")

    back = [
        name
        for name, table in triggers.existing(connection)
        if table == "incidents_milestone" and name.startswith("insights_")
    ]
    # three each for the token, the starts, the duration values and the kept months
    assert len(back) == 12
    before = freshness.data_version()
    Milestone.objects.filter(incident=incident).update(at=_at(30))
    assert kept()[incident.pk] == _at(30)
    assert freshness.data_version() != before
