"""The charts of an insights page, built from the services' figures and the pure core."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TypeVar

from secondstory.accounts.models import User
from secondstory.core.followup import policy_rule
from secondstory.core.insights.durations import summarise_counted
from secondstory.core.insights.factors import co_occurrence
from secondstory.core.insights.followthrough import (
    aging_bins,
    aimed_at_people,
    not_doing_share,
    on_time_share,
)
from secondstory.core.insights.periods import months, quarters
from secondstory.core.insights.stats import DURATION_EDGES_HOURS, Distribution
from secondstory.core.insights.tables import count_table
from secondstory.core.insights.writing import writing_rates
from secondstory.insights import charts, durations, factor_figures, freshness, monthly, services
from secondstory.insights.charts import Chart
from secondstory.insights.leading import near_miss_charts
from secondstory.insights.learning import learning_check_charts
from secondstory.insights.monthly import Figures
from secondstory.insights.scope import Scope

DRAFT_AGE_DAYS = 30
T = TypeVar("T")


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{round(value * 100)} %"


def _box_rows(label: str, box: Distribution | None) -> list[charts.Cell]:
    if box is None:
        return [label, 0, None, None, None, None, None, None]
    return [
        label,
        box.count,
        _r(box.minimum),
        _r(box.q1),
        _r(box.median),
        _r(box.q3),
        _r(box.p90),
        _r(box.maximum),
    ]


BOX_HEADER = ["count", "min", "q1", "median", "q3", "p90", "max"]


def incidents_charts(scope: Scope) -> list[Chart]:
    labels = months(scope.span)
    codes = services.severities()
    table = count_table(services.severity_by_month(scope), labels, codes)
    chart = Chart(
        "incidents-by-severity",
        "Incidents by severity per month",
        "Incidents counted in the month they began (their earliest milestone), by severity.",
        ["month", *codes, "total"],
        [[m, *row, sum(row)] for m, row in zip(labels, table.cells, strict=True)],
    )
    chart.svg = charts.stacked_bars(
        chart.id, chart.title, f"{table.total} incidents", labels, codes, table.cells
    )
    return [chart]


def duration_charts(scope: Scope) -> list[Chart]:
    metrics = services.metric_definitions()
    counted = durations.counted_values(scope)
    periods = quarters(scope.span)
    result = []
    for metric in metrics:
        values = counted.get(metric.code, {})
        summary = summarise_counted(metric.code, values, periods, DURATION_EDGES_HOURS)
        chart = Chart(
            f"duration-{metric.code}",
            f"{metric.name.capitalize()} per quarter (hours)",
            f"{metric.definition}, in hours, per incident that has both milestones.",
            ["quarter", *BOX_HEADER],
            [_box_rows(p, box) for p, box in summary.by_period]
            + [_box_rows("whole range", summary.overall)],
        )
        if summary.negative:
            chart.notes.append(
                f"{summary.negative} incidents with the end before the start are left out."
            )
        chart.svg = charts.boxes(
            chart.id,
            chart.title,
            "Boxes from q1 to q3, a thick line at the median, whiskers from the minimum to p90.",
            [p for p, _ in summary.by_period],
            [box for _, box in summary.by_period],
        )
        bins = Chart(
            f"duration-{metric.code}-histogram",
            f"{metric.name.capitalize()}: histogram (hours)",
            f"{metric.definition}; incidents per bin of hours over the whole range.",
            ["hours", "incidents"],
            [[b.label, b.count] for b in summary.bins],
        )
        bins.svg = charts.bars(
            bins.id,
            bins.title,
            bins.definition,
            [b.label for b in summary.bins],
            [b.count for b in summary.bins],
        )
        result += [chart, bins]
    return result


def _pipeline(scope: Scope, figures: Figures) -> tuple[Chart, dict[str, object], list[int]]:
    coverage = figures.coverage
    policy = services.policy_severities()
    delays = figures.stages.delays()
    chart = Chart(
        "review-delays",
        "Days from resolution to draft, review and publication",
        "From the last resolved milestone of a postmortem's incidents to the postmortem's "
        "creation (draft), submission for review and publication; postmortems that have not "
        "reached a stage are not in it.",
        ["stage", *BOX_HEADER],
        [_box_rows(d.label, d.summary) for d in delays],
    )
    chart.svg = charts.boxes(
        chart.id,
        chart.title,
        "Boxes q1–q3, median line, whiskers minimum to p90.",
        [d.label for d in delays],
        [d.summary for d in delays],
    )
    facts = {
        "coverage": coverage,
        "coverage_share": _percent(coverage.share),
        "published_share": _percent(coverage.published_share),
        "policy": ", ".join(policy) or "none",
        "policy_rule": policy_rule(policy),
        "draft_age_days": DRAFT_AGE_DAYS,
    }
    return chart, facts, services.old_draft_ids(scope, DRAFT_AGE_DAYS)


def follow_through_charts(scope: Scope, figures: Figures) -> tuple[list[Chart], dict[str, object]]:
    counts, ages = figures.items.as_of(scope.today)
    people = aimed_at_people(figures.title_counts, services.people_predicate())
    bins = aging_bins(ages)
    chart = Chart(
        "open-item-age",
        "Open action items by age (days)",
        "Open and in-progress items, by days since they were created, as of the range's end.",
        ["days", "items"],
        [[b.label, b.count] for b in bins],
    )
    chart.svg = charts.bars(
        chart.id, chart.title, chart.definition, [b.label for b in bins], [b.count for b in bins]
    )
    summary = Chart(
        "follow-through",
        "Follow-through of action items",
        "Items of the postmortems of the incidents in scope.",
        ["figure", "items", "share"],
        [
            ["all items", counts.total, None],
            ["done", counts.done, None],
            ["done by the due date", counts.done_on_time, _percent(on_time_share(counts))],
            ["not doing", counts.not_doing, _percent(not_doing_share(counts))],
            ["open or in progress", counts.open, None],
            ["overdue", counts.overdue, None],
            ["recurred after fix", counts.recurred, None],
            ["aimed at people", people, _percent(people / counts.total if counts.total else None)],
        ],
    )
    summary.svg = charts.bars(
        summary.id,
        summary.title,
        summary.definition,
        [str(r[0]) for r in summary.rows],
        [float(r[1] or 0) for r in summary.rows],  # type: ignore[arg-type]
    )
    return [summary, chart], {}


def _factors(scope: Scope, figures: Figures) -> tuple[list[Chart], list[factor_figures.Candidate]]:
    cats = factor_figures.categories()
    codes = [c for c, _ in cats]
    periods = quarters(scope.span)
    table = count_table(figures.quarter_counts, periods, codes)
    by_quarter = Chart(
        "factors-by-quarter",
        "Contributing factors by category per quarter",
        "Factors counted in the quarter their postmortem was created.",
        ["quarter", *codes],
        [[p, *row] for p, row in zip(periods, table.cells, strict=True)],
    )
    by_quarter.svg = charts.stacked_bars(
        by_quarter.id, by_quarter.title, by_quarter.definition, periods, codes, table.cells
    )
    pairs = co_occurrence(factor_figures.pairs_of(figures.category_sets), codes)
    heat = Chart(
        "factor-co-occurrence",
        "Co-occurrence of factor categories",
        "Postmortems that have factors of both categories (the diagonal: of the category at all).",
        ["category", *codes],
        [[c, *row] for c, row in zip(codes, pairs.cells, strict=True)],
    )
    heat.svg = charts.heat_map(heat.id, heat.title, heat.definition, codes, pairs.cells)
    per_service, candidates = factor_figures.candidates_of(figures.pairs)
    service_names = sorted({g.row for g in per_service})
    by_service = count_table(per_service, service_names, codes)
    service_chart = Chart(
        "factors-by-service",
        "Contributing factors by service and category",
        "Postmortems per service (of their incidents) with a factor of the category.",
        ["service", *codes],
        [[s, *row] for s, row in zip(service_names, by_service.cells, strict=True)],
    )
    service_chart.svg = charts.stacked_bars(
        service_chart.id,
        service_chart.title,
        service_chart.definition,
        service_names,
        codes,
        by_service.cells,
    )
    return [by_quarter, service_chart, heat], candidates


def writing_charts(scope: Scope, figures: Figures) -> tuple[list[Chart], dict[str, object]]:
    samples = figures.writing
    total, reviewed, dismissed = figures.in_scope, figures.reviewed, figures.dismissed
    periods = quarters(scope.span)
    team_names = sorted({s.team for s in samples})
    rates = [r for r in writing_rates(samples, team_names, periods) if r.postmortems]
    chart = Chart(
        "review-findings-rate",
        "Blameless-review findings per 1,000 words, by team and quarter",
        "Findings the reviewer stored for the postmortems' saved sections, per 1,000 words of "
        "those postmortems (words: whitespace-separated), summed per team and quarter of the "
        "postmortem's creation.",
        ["team", "quarter", "postmortems", "words", "findings", "per 1,000 words"],
        [
            [r.team, r.period, r.postmortems, r.words, r.findings, _r(r.per_thousand_words)]
            for r in rates
        ],
    )
    chart.svg = charts.bars(
        chart.id,
        chart.title,
        chart.definition,
        [f"{r.team} {r.period}" for r in rates],
        [r.per_thousand_words or 0.0 for r in rates],
    )
    chart.notes.append(
        f"{reviewed} of {total} postmortems have stored review findings; the others have not "
        f"been opened since their last change. {dismissed} findings were dismissed by authors."
    )
    return [chart], {}


Section = tuple[str, str, list[Chart], dict[str, object]]


def _cached(name: str, scope: Scope, version: str, build: Callable[[Scope], T]) -> T:
    """``build(scope)`` once per state of the data (figures the same for every reader)."""
    parts = scope.cache_parts
    return freshness.cached(f"insights-{name}", parts, lambda: build(scope), version)


class _Postmortems:
    """The postmortems' figures of a scope, computed at most once, when a section needs them."""

    def __init__(self) -> None:
        self._figures: Figures | None = None

    def __call__(self, scope: Scope) -> Figures:
        if self._figures is None:
            self._figures = monthly.figures(scope)
        return self._figures

    def of(self, build: Callable[[Scope, Figures], T]) -> Callable[[Scope], T]:
        return lambda scope: build(scope, self(scope))


def sections(scope: Scope, user: User) -> Iterator[Section]:
    """(id, heading, charts, facts) per section, in page order, each built when asked for
    (a CSV of one chart stops at the section that holds it). The figures are computed once
    per state of the data; the keys a reader may see are chosen per reader."""
    version = freshness.data_version()  # once, before any figure is computed
    postmortems = _Postmortems()
    yield "incidents", "Incidents", _cached("incidents", scope, version, incidents_charts), {}
    yield "durations", "Durations", _cached("durations", scope, version, duration_charts), {}
    chart, facts, drafts = _cached("pipeline", scope, version, postmortems.of(_pipeline))
    keyed = services.KeyedCount(len(drafts), services.readable_keys(user, drafts))
    yield "pipeline", "Review pipeline", [chart], {**facts, "drafts": keyed}
    follow = _cached("follow", scope, version, postmortems.of(follow_through_charts))
    yield "follow-through", "Follow-through", *follow
    figures, candidates = _cached("factors", scope, version, postmortems.of(_factors))
    recurring = factor_figures.readable_pairs(user, candidates)
    minimum = services.RECURRING_MINIMUM
    facts = {"recurring": recurring, "recurring_minimum": minimum}
    yield "factors", "Contributing factors", figures, facts
    writing_section = _cached("writing", scope, version, postmortems.of(writing_charts))
    yield "writing", "Blameless writing", *writing_section
    yield "near-misses", "Near misses (a leading indicator)", near_miss_charts(scope), {}
    yield "learning-check", "Learning check", learning_check_charts(scope), {}


def compute_figures(scope: Scope) -> None:
    """Compute and cache every figure of the scope that is the same for every reader (what
    the worker does ahead of the first reader; see ``insights.jobs``)."""
    version = freshness.data_version()
    postmortems = _Postmortems()
    _cached("incidents", scope, version, incidents_charts)
    _cached("durations", scope, version, duration_charts)
    _cached("pipeline", scope, version, postmortems.of(_pipeline))
    _cached("follow", scope, version, postmortems.of(follow_through_charts))
    _cached("factors", scope, version, postmortems.of(_factors))
    _cached("writing", scope, version, postmortems.of(writing_charts))


def page(scope: Scope, user: User) -> dict[str, object]:
    """Every section's charts and facts, in page order."""
    return {"sections": list(sections(scope, user))}


def find_chart(scope: Scope, user: User, chart_id: str) -> Chart | None:
    for _, _, charts_of_section, _ in sections(scope, user):
        for chart in charts_of_section:
            if chart.id == chart_id:
                return chart
    return None
