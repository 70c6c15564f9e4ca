"""The kept duration values and their monthly counts equal a fresh computation from the
milestones after any writes, and the figures read from them equal those of every incident's
value (to the minute), on SQLite and PostgreSQL."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from secondstory.accounts.models import Team
from secondstory.core.insights.periods import DateRange
from secondstory.incidents.models import DurationMetric, Incident, MilestoneKind
from secondstory.insights import duration_triggers, durations, services, triggers
from secondstory.insights.durations import whole_months
from secondstory.insights.models import DurationCount, DurationValue, IncidentStart
from secondstory.insights.scope import Scope
from tests.apps.insights.test_starts import Rollback, _apply, _drop, minutes

more_steps = st.lists(
    st.one_of(
        st.tuples(st.just("incident"), minutes),
        st.tuples(st.just("milestone"), st.integers(0, 9), st.integers(0, 5), minutes),
        st.tuples(st.just("move"), st.integers(0, 30), minutes),
        st.tuples(st.just("shift all"), minutes),
        st.tuples(st.just("reassign"), st.integers(0, 30), st.integers(0, 9)),
        st.tuples(st.just("recorded"), st.integers(0, 9), minutes),
        st.tuples(st.just("drop milestone"), st.integers(0, 30)),
        st.tuples(st.just("drop incident"), st.integers(0, 9)),
        st.tuples(st.just("team"), st.integers(0, 9)),
        st.tuples(st.just("redefine"), st.integers(0, 4), st.integers(0, 5)),
    ),
    max_size=25,
)


def _write(step: tuple[object, ...], n: int) -> int:
    match step:
        case ("team", int(i)):
            incidents = list(Incident.objects.order_by("pk"))
            if incidents:
                incidents[i % len(incidents)].teams.add(Team.objects.get(slug="payments"))
        case ("redefine", int(j), int(k)):
            metrics = list(DurationMetric.objects.order_by("pk"))
            kinds = list(MilestoneKind.objects.order_by("position"))
            metric, kind = metrics[j % len(metrics)], kinds[k % len(kinds)]
            if kind.pk != metric.start_id:
                DurationMetric.objects.filter(pk=metric.pk).update(end=kind)
        case _:
            return _apply(step, n)
    return n


def reference(scope: Scope) -> Counter[tuple[str, str, float]]:
    """Incidents per (metric, quarter, value in hours) the plain way: the milestones read into
    Python, each value rounded down to the minute."""
    start = datetime.combine(scope.span.start, datetime.min.time(), tzinfo=UTC)
    end = datetime.combine(scope.span.end + timedelta(days=1), datetime.min.time(), tzinfo=UTC)
    metrics = list(DurationMetric.objects.select_related("start", "end"))
    counts: Counter[tuple[str, str, float]] = Counter()
    for incident in Incident.objects.prefetch_related("milestones__kind", "teams"):
        if scope.team is not None and scope.team not in incident.teams.all():
            continue
        at = {m.kind.code: m.at for m in incident.milestones.all()}
        began = min(at.values(), default=incident.created_at)
        if not start <= began < end:
            continue
        quarter = services.quarter_of_month(began.strftime("%Y-%m"))
        for metric in metrics:
            if metric.start.code in at and metric.end.code in at:
                whole = (at[metric.end.code] - at[metric.start.code]) // timedelta(minutes=1)
                counts[(metric.code, quarter, whole / 60)] += 1
    return counts


def fast(scope: Scope) -> Counter[tuple[str, str, float]]:
    return Counter(
        {
            (metric, quarter, hours): n
            for metric, by_quarter in durations.counted_values(scope).items()
            for quarter, values in by_quarter.items()
            for hours, n in values.items()
        }
    )


def kept_counts() -> dict[tuple[int, str, int], int]:
    rows = DurationCount.objects.exclude(n=0).values_list("metric_id", "month", "minutes", "n")
    return {(m, month, minutes): n for m, month, minutes, n in rows}


def recounted() -> dict[tuple[int, str, int], int]:
    """The counts from scratch: every kept value in the month its incident began."""
    began = dict(IncidentStart.objects.values_list("incident_id", "began"))
    counts: Counter[tuple[int, str, int]] = Counter()
    for incident, metric, minutes_ in DurationValue.objects.values_list(
        "incident_id", "metric_id", "minutes"
    ):
        if incident in began:
            counts[(metric, began[incident].astimezone(UTC).strftime("%Y-%m"), minutes_)] += 1
    return dict(counts)


WHOLE_JANUARY = DateRange(date(2025, 12, 10), date(2026, 2, 20))  # partial ends, one whole month


@pytest.mark.django_db
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(more_steps)
def test_kept_durations_equal_a_fresh_computation_after_any_writes(
    payments: Team, writes: list[tuple[object, ...]]
) -> None:
    team = payments
    today = date(2026, 3, 1)
    scopes = [
        Scope(WHOLE_JANUARY, today),
        Scope(DateRange(date(2025, 11, 1), date(2026, 3, 31)), today),
        Scope(DateRange(date(2026, 1, 5), date(2026, 1, 6)), today),
        Scope(WHOLE_JANUARY, today, team=team),
    ]
    try:
        with transaction.atomic(), timezone.override(UTC):
            n = 0
            for step in writes:
                n = _write(step, n)
                durations.refresh()  # a changed definition: what a page does before reading
                assert kept_counts() == recounted(), step
            for scope in scopes:
                assert fast(scope) == reference(scope), scope
            raise Rollback
    except Rollback:
        pass


@pytest.mark.django_db
def test_a_changed_metric_definition_refills_the_values() -> None:
    with timezone.override(UTC):
        n = _apply(("incident", 0), 0)
        for k in range(5):
            n = _apply(("milestone", 0, k, 10 * k), n)
        metric = DurationMetric.objects.order_by("pk").first()
        assert metric is not None
        before = DurationValue.objects.get(metric_id=metric.pk).minutes
        other = MilestoneKind.objects.exclude(pk__in=[metric.start_id, metric.end_id]).first()
        DurationMetric.objects.filter(pk=metric.pk).update(end=other)
        assert durations.refresh() is True
        after = DurationValue.objects.get(metric_id=metric.pk).minutes
        assert after != before
        assert durations.refresh() is False  # nothing changed since


def test_whole_months_of_a_range() -> None:
    def at(*args: int) -> datetime:
        return datetime(*args, tzinfo=UTC)

    assert whole_months(at(2025, 12, 10), at(2026, 2, 21)) == (at(2026, 1, 1), at(2026, 2, 1))
    assert whole_months(at(2026, 1, 1), at(2026, 3, 1)) == (at(2026, 1, 1), at(2026, 3, 1))
    assert whole_months(at(2026, 1, 5), at(2026, 2, 3)) is None
    assert whole_months(at(2025, 12, 1), at(2026, 1, 1)) == (at(2025, 12, 1), at(2026, 1, 1))


@pytest.mark.django_db(transaction=True)
def test_the_refill_recomputes_what_the_triggers_keep() -> None:
    # The copy of the metric definitions as a page makes it before reading: a test database
    # flushed by an earlier transactional test gets its default metrics back without the copy.
    durations.refresh()
    with timezone.override(UTC):
        n = _apply(("incident", 0), 0)
        for k in range(5):
            n = _apply(("milestone", 0, k, 7 * k * k), n)
    kept = (kept_counts(), sorted(DurationValue.objects.values_list("incident_id", "minutes")))
    with transaction.atomic():
        duration_triggers.refill(connection)
    again = (kept_counts(), sorted(DurationValue.objects.values_list("incident_id", "minutes")))
    assert again == kept and kept[0]
    assert DurationValue.objects.aggregate(n=Count("pk"))["n"] == 5  # the default metrics


@pytest.mark.django_db(transaction=True)
def test_a_missing_duration_trigger_comes_back_with_everything_recomputed() -> None:
    with timezone.override(UTC):
        n = _apply(("incident", 0), 0)
        n = _apply(("milestone", 0, 0, 0), n)
    wanted = duration_triggers.duration_triggers(connection.vendor)
    name, table = next(k for k in wanted if k[1] == "incidents_milestone")
    _drop(name, table)
    with timezone.override(UTC):
        for k in range(1, 5):
            n = _apply(("milestone", 0, k, 60 * k), n)  # unrecorded meanwhile
    assert DurationValue.objects.count() == 0

    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")

    assert set(wanted) <= triggers.existing(connection)
    assert DurationValue.objects.count() == 5
    assert kept_counts() == recounted() and sum(kept_counts().values()) == 5
