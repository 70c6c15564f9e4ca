"""``secondstory check`` compares the insights' kept rows with the data, names what is off and
how to repair it, and ``check --repair`` recomputes them; on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from click.testing import CliRunner
from django.db import connection, transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings

from secondstory.accounts.models import Team
from secondstory.cli.main import cli
from secondstory.incidents.models import DurationMetric, MilestoneKind
from secondstory.insights import consistency, duration_triggers, durations
from secondstory.insights.models import DurationCount, DurationValue, IncidentStart
from secondstory.lib.health import kept_insights
from tests.apps.insights.test_kept_durations import _write, more_steps
from tests.apps.insights.test_starts import Rollback, _apply, _drop


def _history() -> None:
    """Three incidents with every milestone, a fourth with none."""
    durations.refresh()  # the copy of the definitions, as a page makes it
    with timezone.override(UTC):
        n = 0
        for i in range(4):
            n = _apply(("incident", 1000 * i), n)
        for i in range(3):
            for k in range(6):
                n = _apply(("milestone", i, k, 1000 * i + 17 * k * k), n)


def _lines() -> list[tuple[str, str]]:
    return list(kept_insights())


@pytest.mark.django_db
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(more_steps)
def test_the_check_finds_nothing_after_any_writes(
    payments: Team, writes: list[tuple[object, ...]]
) -> None:
    try:
        with transaction.atomic(), timezone.override(UTC):
            n = 0
            for step in writes:
                n = _write(step, n)
            durations.refresh()
            report = consistency.inspect(connection)
            assert report.consistent, consistency.problems(report)
            raise Rollback
    except Rollback:
        pass


@pytest.mark.django_db
def test_each_kind_of_damage_is_named_with_the_repair() -> None:
    _history()
    assert _lines() == [("ok", "insights: kept starts, durations and copies agree with the data")]
    first = IncidentStart.objects.exclude(first_milestone=None).order_by("pk")[0]
    IncidentStart.objects.filter(pk=first.pk).update(began=first.began + timedelta(days=40))
    with connection.cursor() as cursor:
        cursor.execute(  # left over: a start of no incident
            "INSERT INTO insights_incidentstart (incident_id, recorded, first_milestone, began) "
            "SELECT 999999, recorded, first_milestone, began FROM insights_incidentstart "
            "WHERE incident_id = %s",
            [first.pk],
        )
    with connection.cursor() as cursor:  # a value gone missing (its count follows it)
        cursor.execute(
            "DELETE FROM insights_durationvalue WHERE id = %s",
            [DurationValue.objects.order_by("pk")[0].pk],
        )
    duration_triggers.drop(connection)  # so that the damage below moves nothing else
    count = DurationCount.objects.exclude(n=0).order_by("pk")[0]
    DurationCount.objects.filter(pk=count.pk).update(n=count.n + 2)
    duration_triggers.create(connection)
    with connection.cursor() as cursor:  # a copied link of no postmortem
        cursor.execute(
            "INSERT INTO insights_postmortemincident (postmortem_id, incident_id) "
            "VALUES (999999, 999999)"
        )
    name, table = next(
        iter(sorted(consistency.wanted_triggers(connection, {"incidents_incident"})))
    )
    _drop(name, table)

    assert _lines() == [
        ("fail", f"insights: 1 trigger missing ({name} on {table}); {consistency.REPAIR}"),
        (
            "fail",
            "insights: incident starts (insights_incidentstart): 1 left over, 1 wrong; "
            + consistency.REPAIR,
        ),
        (
            "fail",
            "insights: incident duration values (insights_durationvalue): 1 missing; "
            + consistency.REPAIR,
        ),
        (
            "fail",
            "insights: duration counts per month (insights_durationcount): 1 wrong; "
            + consistency.REPAIR,
        ),
        (
            "fail",
            "insights: copied links between postmortems and incidents "
            "(insights_postmortemincident): 1 left over; " + consistency.REPAIR,
        ),
    ]

    [repaired, agreed] = list(kept_insights(repair=True))
    assert repaired[0] == "ok" and repaired[1].startswith("insights: repaired the kept rows (")
    assert "1 trigger missing" in repaired[1] and "1 left over, 1 wrong" in repaired[1]
    assert agreed == ("ok", "insights: kept starts, durations and copies agree with the data")
    assert not IncidentStart.objects.filter(incident_id=999999).exists()
    assert IncidentStart.objects.get(pk=first.pk).began == first.began


@pytest.mark.django_db
def test_a_changed_metric_definition_is_not_damage() -> None:
    _history()
    metric = DurationMetric.objects.order_by("pk")[0]
    other = MilestoneKind.objects.exclude(pk__in=[metric.start_id, metric.end_id])[0]
    DurationMetric.objects.filter(pk=metric.pk).update(end=other)
    assert _lines() == [
        (
            "ok",
            "insights: kept starts, durations and copies agree with the data (the duration metrics "
            "changed since: the next page recomputes them)",
        )
    ]


@pytest.mark.django_db
def test_the_command_fails_on_damage_and_repairs_it() -> None:
    _history()
    DurationValue.objects.all().delete()  # the triggers move the counts with them
    result = CliRunner().invoke(cli, ["check", "--quick"], catch_exceptions=False)
    assert result.exit_code == 1
    assert (
        "FAIL  insights: incident duration values (insights_durationvalue): 15 missing; "
        "run `secondstory check --repair`" in result.output
    )
    result = CliRunner().invoke(cli, ["check", "--quick", "--repair"], catch_exceptions=False)
    assert "ok    insights: repaired the kept rows (incident duration values" in result.output
    assert "ok    insights: kept starts, durations and copies agree with the data" in result.output
    assert "FAIL  insights" not in result.output
    assert DurationValue.objects.count() == 15
