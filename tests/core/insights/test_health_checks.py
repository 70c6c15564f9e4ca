"""The learning-health checks on hand-made plain data: each rule, its minimum counts and its
statistics, with no database."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

from secondstory.core.insights.health import (
    CHECK_IDS,
    FactorRow,
    HealthData,
    ItemRow,
    MonthRow,
    PostmortemRow,
    Thresholds,
    evaluate,
)
from secondstory.core.insights.health.classify import describes_a_person
from secondstory.core.insights.health.render import as_html, as_json, as_markdown
from secondstory.core.insights.health.stats import binomial_tail
from secondstory.core.review.person_targeted import targets_people

AS_OF = date(2026, 6, 30)
NOW = datetime(2026, 6, 30, 12, tzinfo=UTC)


def ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def pm(key: str, team: str = "platform", days: float = 20, **fields: object) -> PostmortemRow:
    values: dict[str, object] = {
        "teams": (team,),
        "services": ("edge",),
        "created": ago(days),
        "started": ago(days + 1),
        "resolved": ago(days + 1),
        "published": ago(days - 5),
        "words": 500,
        "factors": 2,
    }
    values.update(fields)
    return PostmortemRow(key=key, **values)  # type: ignore[arg-type]


def of(results: list, check: str, **scope: object) -> list:
    return [
        r for r in results if r.id == check and all(r.scope.get(k) == v for k, v in scope.items())
    ]


def data(**fields: object) -> HealthData:
    values: dict[str, object] = {"as_of": AS_OF, "teams": ("platform",)}
    values.update(fields)
    return HealthData(**values)  # type: ignore[arg-type]


def test_every_check_reports_on_every_team_and_the_organisation() -> None:
    results = evaluate(data(teams=("platform", "data")))
    ids = {r.id for r in results}
    assert ids == set(CHECK_IDS) - {"recurring-factor"}
    assert of(results, "failure-outpacing-learning")[0].scope == {"organisation": True}
    assert {r.scope["team"] for r in of(results, "slow-publication")} == {"platform", "data"}
    assert all(r.status == "ok" for r in results)


def test_slow_publication_alarms_on_the_median_and_on_old_drafts() -> None:
    slow = [pm(f"PM-{i}", published=ago(1), resolved=ago(25)) for i in range(4)]
    result = of(evaluate(data(postmortems=tuple(slow))), "slow-publication")[0]
    assert (result.status, result.value) == ("alarm", 24.0)
    assert result.evidence == [f"PM-{i}" for i in range(4)]

    quick = [pm(f"PM-{i}", published=ago(10), resolved=ago(12)) for i in range(4)]
    drafts = [pm(f"D-{i}", days=45, published=None) for i in range(2)]
    result = of(evaluate(data(postmortems=tuple(quick + drafts))), "slow-publication")[0]
    assert result.status == "alarm" and result.evidence == ["D-0", "D-1"]
    one = of(evaluate(data(postmortems=tuple(quick + drafts[:1]))), "slow-publication")[0]
    assert one.status == "warn"


def test_slow_publication_needs_enough_postmortems_before_judging_the_median() -> None:
    slow = [pm(f"PM-{i}", published=ago(1), resolved=ago(25)) for i in range(2)]
    assert of(evaluate(data(postmortems=tuple(slow))), "slow-publication")[0].status == "ok"


def item(i: int, due_days_ago: float, done_days_ago: float | None, **fields: object) -> ItemRow:
    values: dict[str, object] = {
        "id": i,
        "postmortem": f"PM-{i}",
        "teams": ("platform",),
        "priority": "P2",
        "due": (NOW - timedelta(days=due_days_ago)).date(),
        "status": "done" if done_days_ago is not None else "open",
        "created": ago(due_days_ago + 30),
        "completed": ago(done_days_ago) if done_days_ago is not None else None,
        "title": "Add an alert on queue depth",
    }
    values.update(fields)
    return ItemRow(**values)  # type: ignore[arg-type]


def test_follow_through_counts_items_done_by_their_due_date() -> None:
    items = [item(i, 20, 25 if i < 2 else 10) for i in range(6)]  # 2 of 6 on time
    result = of(evaluate(data(items=tuple(items))), "follow-through")[0]
    assert result.status == "alarm" and result.value == round(2 / 6, 3)
    assert result.evidence == ["PM-2", "PM-3", "PM-4", "PM-5"]
    on_time = [item(i, 20, 25) for i in range(6)]
    assert of(evaluate(data(items=tuple(on_time))), "follow-through")[0].status == "ok"


def test_follow_through_alarms_on_overdue_urgent_items_and_ignores_not_doing() -> None:
    urgent = [item(i, 10, None, priority="P1") for i in range(2)]
    assert of(evaluate(data(items=tuple(urgent))), "follow-through")[0].status == "alarm"
    dropped = [item(i, 10, None, status="not_doing") for i in range(8)]
    result = of(evaluate(data(items=tuple(dropped))), "follow-through")[0]
    assert (result.status, result.value) == ("ok", None)


def test_person_targeted_actions_uses_the_predicate_it_is_given() -> None:
    titles = ["Retrain the on-call engineers"] * 2 + ["Add a guard to the deploy tool"] * 4
    items = tuple(item(i, -10, None, title=t) for i, t in enumerate(titles))
    result = of(evaluate(data(items=items)), "person-targeted-actions")[0]
    assert result.status == "alarm" and result.value == round(2 / 6, 3)
    never = evaluate(data(items=items), targets_people=lambda text: False)
    assert of(never, "person-targeted-actions")[0].status == "ok"


def test_blame_drift_alarms_on_the_level_and_on_a_rising_trend() -> None:
    heavy = tuple(pm(f"PM-{i}", days=10 + 20 * i, blame_findings=2) for i in range(6))
    assert of(evaluate(data(postmortems=heavy)), "blame-drift")[0].status == "alarm"

    def quarters(findings: list[list[int]]) -> HealthData:
        rows = tuple(
            pm(f"PM-{q}-{i}", days=320 - 91 * q + i, blame_findings=n, words=1000)
            for q, counts in enumerate(findings)
            for i, n in enumerate(counts)
        )
        return data(postmortems=rows)

    rising = of(evaluate(quarters([[0, 0], [1, 0], [1, 1], [2, 1]])), "blame-drift")[0]
    assert rising.status == "alarm" and rising.value == 1.25
    assert rising.evidence == ["PM-3-0", "PM-2-0", "PM-2-1", "PM-3-1"]
    flat = of(evaluate(quarters([[1, 0], [0, 1], [1, 0], [0, 1]])), "blame-drift")[0]
    assert flat.status == "ok"


def test_shallow_analysis_alarms_when_most_postmortems_have_one_factor_or_blame_a_person() -> None:
    rows = tuple(
        pm(f"PM-{i}", factors=1 if i < 3 else 2, person_factors=int(i == 3)) for i in range(5)
    )
    result = of(evaluate(data(postmortems=rows)), "shallow-analysis")[0]
    assert result.status == "alarm" and result.value == 0.8
    deep = tuple(pm(f"PM-{i}", factors=3) for i in range(5))
    assert of(evaluate(data(postmortems=deep)), "shallow-analysis")[0].status == "ok"


def organisation(target_hits: int, other_rate: float, failed: bool) -> HealthData:
    """Fifty postmortems on other services, eight on ``api``; ``target_hits`` of those with
    the category ``tooling``."""
    rows, factors, items = [], [], []
    for i in range(50):
        rows.append(pm(f"O-{i}", days=3 * i + 1, services=("other",)))
        category = "tooling" if i < other_rate * 50 else "technical"
        factors.append(FactorRow(i, f"O-{i}", category, ("other",), ago(3 * i + 2)))
    for i in range(8):
        rows.append(pm(f"A-{i}", days=15 * i + 1, services=("api",)))
        category = "tooling" if i < target_hits else "technical"
        factors.append(FactorRow(100 + i, f"A-{i}", category, ("api",), ago(15 * i + 2)))
        if failed or i == 0:  # without failures only the latest occurrence has a (done) fix
            status = "not_doing" if failed else "done"
            done = None if failed else ago(1)
            items.append(
                ItemRow(
                    100 + i,
                    f"A-{i}",
                    ("platform",),
                    "P2",
                    AS_OF,
                    status,
                    ago(15 * i),
                    done,
                    "Fix",
                    (100 + i,),
                )
            )
    return data(postmortems=tuple(rows), factors=tuple(factors), items=tuple(items))


def test_recurring_factor_alarms_on_a_category_unusual_for_the_service_whose_fixes_failed() -> None:
    result = of(
        evaluate(organisation(6, 0.1, failed=True)),
        "recurring-factor",
        service="api",
        category="tooling",
    )
    assert result[0].status == "alarm"
    assert result[0].evidence == [f"A-{i}" for i in range(6)]


def test_recurring_factor_stays_quiet_on_a_broad_category_that_repeats_everywhere() -> None:
    result = of(
        evaluate(organisation(6, 0.7, failed=True)),
        "recurring-factor",
        service="api",
        category="tooling",
    )
    assert result[0].status == "ok"


def test_recurring_factor_stays_quiet_when_no_fix_failed() -> None:
    healthy = organisation(6, 0.1, failed=False)
    result = of(evaluate(healthy), "recurring-factor", service="api", category="tooling")
    assert result[0].status == "ok"


def test_failure_outpacing_learning_alarms_when_incidents_rise_and_closures_do_not() -> None:
    start = date(2026, 1, 1)
    counts = [5, 5, 5, 5, 12, 12, 12]
    months = tuple(
        MonthRow(start + timedelta(days=30 * i), start + timedelta(days=30 * i + 30), n, 8, 20)
        for i, n in enumerate(counts)
    )
    result = of(evaluate(data(months=months, recent_keys=("PM-9",))), "failure-outpacing-learning")[
        0
    ]
    assert result.status == "alarm" and result.evidence == ["PM-9"]
    growing = tuple(MonthRow(start, start, 5, 8, 20 + 3 * i) for i in range(7))
    assert (
        of(evaluate(data(months=growing, recent_keys=("PM-9",))), "failure-outpacing-learning")[
            0
        ].status
        == "alarm"
    )
    steady = tuple(MonthRow(start, start, 5, 8, 20 + (i % 2)) for i in range(7))
    assert of(evaluate(data(months=steady)), "failure-outpacing-learning")[0].status == "ok"


def test_thresholds_come_from_a_mapping_and_refuse_unknown_names() -> None:
    assert Thresholds.from_mapping({"follow_alarm_share": 0.6}).follow_alarm_share == 0.6
    for bad in ({"nope": 1}, {"recurring_min": "three"}):
        try:
            Thresholds.from_mapping(bad)
        except ValueError as exc:
            assert "threshold" in str(exc)
        else:
            raise AssertionError(bad)


def test_classifiers() -> None:
    assert targets_people("Remind the team to re-read the deployment guidelines")
    assert not targets_people("Add a dry-run flag to the migration tool")
    assert describes_a_person("Operator error during the failover")
    assert not describes_a_person("The failover script had no dry-run mode")
    assert binomial_tail(9, 8, 0.5) == 0.0


def test_json_follows_the_contract_and_every_concern_has_evidence() -> None:
    slow = tuple(pm(f"PM-{i}", published=ago(1), resolved=ago(25)) for i in range(4))
    results = evaluate(data(postmortems=slow))
    body = json.loads(as_json(AS_OF, results))
    assert set(body) == {"as_of", "checks"} and body["as_of"] == "2026-06-30"
    for entry in body["checks"]:
        assert list(entry) == [
            "id",
            "status",
            "scope",
            "value",
            "threshold",
            "evidence",
            "suggestion",
        ]
        assert entry["status"] in ("ok", "warn", "alarm")
        if entry["status"] != "ok":
            assert entry["evidence"]
    page = as_html(AS_OF, results, link=lambda key: f"/p/{key}/")
    assert "<svg" in page and "http" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "[PM-0](/p/PM-0/)" in as_markdown(AS_OF, results, link=lambda key: f"/p/{key}/")
