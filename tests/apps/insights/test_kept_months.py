"""The kept months: a page's postmortem figures summed from whole months kept under their
versions plus the rest computed now equal the figures computed over the range at once, after
any sequence of writes, for the organisation, a team and a service; and a write recomputes
only the months it touched."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from secondstory.accounts.models import Team, User
from secondstory.actions.models import ActionItem, Recurrence
from secondstory.core.insights.periods import DateRange
from secondstory.core.record import ActionItemRecord, FactorRecord, Milestone
from secondstory.incidents.models import Incident, Service, Severity
from secondstory.incidents.models import Milestone as MilestoneRow
from secondstory.insights import month_triggers, monthly
from secondstory.insights.scope import Scope
from secondstory.postmortems.models import (
    ContributingFactor,
    FactorCategory,
    Postmortem,
    ReviewCache,
)
from secondstory.postmortems.records import load_record
from tests.apps.factories import incident_record, postmortem_record

TODAY = date(2026, 7, 20)
RANGES = [
    DateRange(date(2026, 1, 1), date(2026, 6, 30)),  # whole months only
    DateRange(date(2026, 1, 15), date(2026, 6, 10)),  # partial months at both ends
    DateRange(date(2026, 2, 3), date(2026, 2, 20)),  # no whole month
]
CATEGORIES = ["tooling", "detection", "process", "technical"]


def _at(month: int, day: int) -> datetime:
    return datetime(2026, month, day, 10, 0, tzinfo=UTC)


def _record(key: str, rng: random.Random, months: list[int], team: str, service: str) -> Any:
    record = postmortem_record(key, status=rng.choice(["draft", "in_review", "published"]))
    incidents = []
    for n, month in enumerate(months):
        start = _at(month, rng.randint(1, 27))
        incident = incident_record(f"INC-{key}-{n}", team=team)
        incident.services = [service]
        incident.severity = rng.choice(["SEV1", "SEV2", "SEV3"])
        incident.milestones = [
            Milestone("impact_started", start),
            Milestone("detected", start + timedelta(minutes=rng.randint(1, 90))),
            Milestone("resolved", start + timedelta(hours=rng.randint(1, 60))),
        ]
        incidents.append(incident)
    record.incidents = incidents
    record.created_at = _at(max(months), 28)
    record.factors = [
        FactorRecord(f"F{n}", rng.choice(CATEGORIES), f"Condition {n} of {key}.")
        for n in range(1, rng.randint(2, 4))
    ]
    record.action_items = [
        ActionItemRecord(
            f"A{n}",
            rng.choice(["Validate pool sizes", "Remind the on-call to check", "Add an alert"]),
            "prevent",
            "P1",
            "alice",
            date(2026, rng.randint(1, 8), rng.randint(1, 28)),
            status=rng.choice(["open", "in_progress", "done", "not_doing"]),
            factors=["F1"],
        )
        for n in range(1, rng.randint(1, 4))
    ]
    for item in record.action_items:
        if item.status == "not_doing":
            item.reason = "Superseded by the new pool."
        if item.status == "done":
            item.completed_at = _at(rng.randint(2, 7), rng.randint(1, 28))
    return record


@pytest.fixture
def organisation(alice: User, bob: User, charlie: User, payments: Team) -> random.Random:
    Team.objects.get_or_create(slug="search", defaults={"name": "Search"})
    rng = random.Random(7)
    shapes = [[1], [2], [3], [3], [4], [5], [6], [1, 2], [3, 5], [6, 7], [12], [7]]
    for n, months in enumerate(shapes):
        team = "payments" if n % 3 else "search"
        service = "checkout" if n % 2 else "search-api"
        load_record(_record(f"PM-{n}", rng, months, team, service))
    return rng


def _normal(figures: monthly.Figures) -> dict[str, object]:
    writing: Counter[tuple[str, str]] = Counter()
    for sample in figures.writing:
        writing[(sample.team, sample.period, "n")] += sample.postmortems  # type: ignore[index]
        writing[(sample.team, sample.period, "w")] += sample.words  # type: ignore[index]
        writing[(sample.team, sample.period, "f")] += sample.findings  # type: ignore[index]
    return {
        "coverage": figures.coverage,
        "stages": {
            stage: (sorted(figures.stages.values[stage]), figures.stages.bins[stage])
            for stage in figures.stages.values
        },
        "counts": {k: v for k, v in figures.items.counts.items()},
        "created": +figures.items.created,
        "due": +figures.items.due,
        "titles": +figures.titles,
        "by_quarter": +figures.by_quarter,
        "sets": +figures.category_sets,
        "pairs": figures.pairs,
        "writing": +writing,
        "in_scope": figures.in_scope,
        "reviewed": figures.reviewed,
        "dismissed": figures.dismissed,
    }


def _scopes() -> list[Scope]:
    scopes = []
    for span in RANGES:
        scopes.append(Scope(span, TODAY))
        scopes.append(Scope(span, TODAY, team=Team.objects.get(slug="payments")))
        scopes.append(Scope(span, TODAY, service=Service.objects.get(slug="checkout")))
    return scopes


def _assert_same(scopes: list[Scope], step: str) -> None:
    for scope in scopes:
        kept = _normal(monthly.figures(scope))
        plain = _normal(monthly.collect(scope))
        assert kept == plain, f"after {step}: {scope.label} {scope.span}"


def _pick(model: Any, rng: random.Random) -> Any:
    ids = list(model.objects.values_list("pk", flat=True))
    return model.objects.get(pk=rng.choice(ids)) if ids else None


def _move_milestones(rng: random.Random) -> None:
    incident = _pick(Incident, rng)
    shift = timedelta(days=rng.choice([-40, -3, 3, 35]))
    for milestone in MilestoneRow.objects.filter(incident=incident):
        milestone.at += shift
        milestone.save()


def _link(rng: random.Random) -> None:
    _pick(Postmortem, rng).incidents.add(_pick(Incident, rng))


def _unlink(rng: random.Random) -> None:
    postmortem = _pick(Postmortem, rng)
    first = postmortem.incidents.first()
    if first is not None and postmortem.incidents.count() > 1:
        postmortem.incidents.remove(first)


def _status(rng: random.Random) -> None:
    Postmortem.objects.filter(pk=_pick(Postmortem, rng).pk).update(
        status="published", published_at=_at(rng.randint(1, 7), 10)
    )


def _factor(rng: random.Random) -> None:
    postmortem = _pick(Postmortem, rng)
    ContributingFactor.objects.create(
        postmortem=postmortem,
        key=f"F{rng.randint(100, 10**6)}",
        position=50,
        category=FactorCategory.objects.get(code=rng.choice(CATEGORIES)),
        description="Added later.",
    )


def _drop_factor(rng: random.Random) -> None:
    factor = _pick(ContributingFactor, rng)
    if factor is not None:
        factor.delete()


def _item(rng: random.Random) -> None:
    item = _pick(ActionItem, rng)
    if item is not None:
        ActionItem.objects.filter(pk=item.pk).update(
            status="done", completed_at=_at(rng.randint(1, 7), 5)
        )


def _recur(rng: random.Random) -> None:
    item = ActionItem.objects.filter(status="done").order_by("?").first()
    factor = _pick(ContributingFactor, rng)
    if item is not None and factor is not None:
        Recurrence.objects.create(item=item, factor=factor, found_at=_at(6, 1))


def _team(rng: random.Random) -> None:
    _pick(Incident, rng).teams.add(Team.objects.get(slug=rng.choice(["payments", "search"])))


def _service(rng: random.Random) -> None:
    _pick(Incident, rng).services.set([Service.objects.get(slug="checkout")])


def _severity(rng: random.Random) -> None:
    Incident.objects.filter(pk=_pick(Incident, rng).pk).update(
        severity=Severity.objects.get(code=rng.choice(["SEV1", "SEV3"]))
    )


def _exercise(rng: random.Random) -> None:
    incident = _pick(Incident, rng)
    Incident.objects.filter(pk=incident.pk).update(is_exercise=not incident.is_exercise)


def _findings(rng: random.Random) -> None:
    postmortem = _pick(Postmortem, rng)
    ReviewCache.objects.filter(postmortem=postmortem).delete()
    with connection.cursor() as cursor:  # a raw write is recorded too
        cursor.execute(
            "UPDATE postmortems_postmortem SET summary = %s WHERE id = %s",
            ["The engineer should have checked.", postmortem.pk],
        )
    from secondstory.postmortems.blameless import postmortem_findings

    postmortem.refresh_from_db()
    postmortem_findings(postmortem)


def _new_postmortem(rng: random.Random) -> None:
    key = f"PM-N{rng.randint(100, 10**6)}"
    months = rng.choice([[2], [4], [5, 6], [6]])
    load_record(_record(key, rng, months, "payments", "checkout"))


def _delete(rng: random.Random) -> None:
    _pick(Postmortem, rng).delete()


def _delete_incident(rng: random.Random) -> None:
    _pick(Incident, rng).delete()


def _category_code(rng: random.Random) -> None:
    FactorCategory.objects.filter(code="process").update(name=f"Process {rng.randint(1, 99)}")


WRITES = [
    _move_milestones,
    _link,
    _unlink,
    _status,
    _factor,
    _drop_factor,
    _item,
    _recur,
    _team,
    _service,
    _severity,
    _exercise,
    _findings,
    _new_postmortem,
    _delete,
    _delete_incident,
    _category_code,
]


@pytest.mark.django_db(transaction=True)
def test_kept_months_equal_the_figures_over_the_range_after_random_writes(
    organisation: random.Random,
) -> None:
    scopes = _scopes()
    _assert_same(scopes, "loading")
    rng = random.Random(11)
    for step in range(30):
        write = WRITES[step % len(WRITES)] if step < len(WRITES) else rng.choice(WRITES)
        write(rng)
        _assert_same(scopes, f"step {step}: {write.__name__}")


def _computed_months(monkeypatch: pytest.MonkeyPatch) -> list[date]:
    """The first days of the months computed afresh (each asks once for its postmortems)."""
    from secondstory.insights import services

    computed: list[date] = []
    split = services.within_and_straddling

    def counting(scope: Scope) -> tuple[tuple[int, ...], tuple[int, ...]]:
        computed.append(scope.span.start)
        return split(scope)

    monkeypatch.setattr(services, "within_and_straddling", counting)
    return computed


def test_a_write_recomputes_only_the_months_it_touched(
    organisation: random.Random, monkeypatch: pytest.MonkeyPatch
) -> None:
    computed = _computed_months(monkeypatch)
    scope = Scope(RANGES[0], TODAY)
    monthly.figures(scope)
    assert sorted(computed) == [date(2026, m, 1) for m in range(1, 7)]
    computed.clear()
    monthly.figures(scope)
    assert computed == []  # nothing changed: every month kept
    # A factor of PM-4 (its incident began in April) moves April only.
    ContributingFactor.objects.create(
        postmortem=Postmortem.objects.get(key="PM-4"),
        key="F77",
        position=77,
        category=FactorCategory.objects.get(code="process"),
        description="Added later.",
    )
    monthly.figures(scope)
    assert computed == [date(2026, 4, 1)]
    computed.clear()
    # Moving PM-1's incident from February to April moves both months.
    incident = Incident.objects.get(key="INC-PM-1-0")
    for n, milestone in enumerate(MilestoneRow.objects.filter(incident=incident)):
        milestone.at = _at(4, 10) + timedelta(hours=n)
        milestone.save()
    monthly.figures(scope)
    assert sorted(computed) == [date(2026, 2, 1), date(2026, 4, 1)]
    computed.clear()
    # A category every figure names moves every month.
    FactorCategory.objects.filter(code="process").update(code="process-x")
    monthly.figures(scope)
    assert len(computed) == 6


def test_versions_start_afresh_in_an_emptied_table(organisation: random.Random) -> None:
    from secondstory.insights.models import MonthVersion

    before = month_triggers.versions(connection, ["2026-03"])
    MonthVersion.objects.all().delete()
    after = month_triggers.versions(connection, ["2026-03"])
    assert after[month_triggers.EVERY_MONTH] != before[month_triggers.EVERY_MONTH]
    assert after["2026-03"] == ""


def test_a_team_page_keeps_its_own_months(
    organisation: random.Random, monkeypatch: pytest.MonkeyPatch
) -> None:
    computed = _computed_months(monkeypatch)
    team = Scope(RANGES[0], TODAY, team=Team.objects.get(slug="payments"))
    whole = Scope(RANGES[0], TODAY)
    monthly.figures(team)
    monthly.figures(whole)
    assert len(computed) == 12  # the team's six months are not the organisation's
    assert _normal(monthly.figures(team)) == _normal(monthly.collect(team))
    assert _normal(monthly.figures(replace(whole))) == _normal(monthly.collect(whole))


def test_the_worker_keeps_every_month_of_the_history(
    organisation: random.Random, monkeypatch: pytest.MonkeyPatch
) -> None:
    from secondstory.insights.jobs import keep_history, keep_months
    from secondstory.notify.jobs import periodic_job_paths

    assert periodic_job_paths()[-1] == "secondstory.insights.jobs.keep_history"
    team = Team.objects.get(slug="payments")
    computed = _computed_months(monkeypatch)
    monkeypatch.setattr(timezone, "localdate", lambda: TODAY)
    assert keep_history()  # the organisation, each team and each service
    assert date(2026, 1, 1) in computed and date(2026, 6, 1) in computed
    computed.clear()
    # A page over any range, never asked before, computes none of its whole months.
    for span in [*RANGES, DateRange(date(2026, 1, 1), TODAY)]:
        for scope in (Scope(span, TODAY), Scope(span, TODAY, team=team)):
            assert _normal(monthly.figures(scope)) == _normal(monthly.collect(scope))
    assert computed == []
    # The job again: every month is looked up, none computed.
    keep_months([Scope(RANGES[0], TODAY)], TODAY)
    assert computed == []
