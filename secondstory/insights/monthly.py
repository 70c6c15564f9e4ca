"""The figures of the postmortems in scope, kept per whole month and summed per page.

The review pipeline, follow-through, factors and writing sections count the postmortems of
the incidents in scope. Over a range, those postmortems split into two sets that never
overlap (docs/insights.md, "Speed"):

- for each calendar month the range covers whole, the postmortems all of whose incidents of
  the scope began in that month: their figures depend on nothing but the month, so they are
  computed once and kept (in the insights cache) under the versions of the months they read
  (``month_triggers``), which every write to their data moves;
- the rest: the postmortems with an incident of the scope in the part of the range outside
  its whole months, and those whose incidents began in more than one month (each kept month
  names them): computed on every request.

Every figure of the sections is a sum over postmortems (counts, per-value counts, lists of
per-postmortem values, the newest postmortems of each pair), so the page's figures are the
sums of the parts', exactly as if computed over the range at once. The incidents' coverage by
the postmortem policy is a sum over incidents, split by the month the incident began.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import UTC, date, timedelta

from django.db import connection
from django.utils import timezone

from secondstory.core.insights.followthrough import OpenItems, TitleCount
from secondstory.core.insights.periods import DateRange
from secondstory.core.insights.pipeline import PolicyCoverage, StageValues
from secondstory.core.insights.stats import DAY_EDGES
from secondstory.core.insights.tables import GroupedCount
from secondstory.core.insights.writing import WritingSample
from secondstory.insights import factor_figures, freshness, month_triggers, services, writing
from secondstory.insights.scope import Listed, Scope, bounds

#: Part of a kept month's cache key: change it when ``Figures`` changes shape, so that an
#: upgrade never reads months kept by an earlier version.
FORMAT = 2


@dataclass(slots=True)
class Figures:
    """What the postmortem sections are drawn from; ``add`` sums two disjoint sets."""

    coverage: PolicyCoverage = field(default_factory=lambda: PolicyCoverage(0, 0, 0))
    stages: StageValues = field(default_factory=lambda: StageValues(DAY_EDGES))
    items: OpenItems = field(default_factory=OpenItems)
    titles: Counter[str] = field(default_factory=Counter)
    by_quarter: Counter[tuple[str, str]] = field(default_factory=Counter)
    category_sets: Counter[tuple[int, ...]] = field(default_factory=Counter)
    pairs: factor_figures.Newest = field(default_factory=dict)
    writing: list[WritingSample] = field(default_factory=list)
    in_scope: int = 0
    reviewed: int = 0
    dismissed: int = 0
    straddling: list[int] = field(default_factory=list)

    def add(self, other: Figures) -> None:
        c, o = self.coverage, other.coverage
        self.coverage = PolicyCoverage(
            c.covered + o.covered,
            c.with_postmortem + o.with_postmortem,
            c.published + o.published,
        )
        self.stages.add(other.stages)
        self.items.add(other.items)
        self.titles.update(other.titles)
        self.by_quarter.update(other.by_quarter)
        self.category_sets.update(other.category_sets)
        for pair, (n, ids) in other.pairs.items():
            had, newest = self.pairs.get(pair, (0, []))
            merged = sorted({*newest, *ids}, reverse=True)[: services.KEYS_SHOWN]
            self.pairs[pair] = (had + n, merged)
        self.writing += other.writing
        self.in_scope += other.in_scope
        self.reviewed += other.reviewed
        self.dismissed += other.dismissed

    @property
    def title_counts(self) -> list[TitleCount]:
        return [TitleCount(title, n) for title, n in self.titles.items()]

    @property
    def quarter_counts(self) -> list[GroupedCount]:
        return [GroupedCount(q, c, n) for (q, c), n in self.by_quarter.items()]


def collect(scope: Scope, coverage_of: tuple[DateRange, ...] | None = None) -> Figures:
    """The figures of the postmortems of ``scope`` (narrowed by ``scope.only``) and the
    policy coverage of the incidents of ``coverage_of`` (default: the scope's range)."""
    figures = Figures()
    for span in (scope.span,) if coverage_of is None else coverage_of:
        part = services.policy_coverage(replace(scope, span=span, only=None))
        figures.add(Figures(coverage=part))
    if isinstance(scope.only, Listed) and not scope.only.ids:
        return figures  # no postmortem (and an empty list cannot be written as SQL)
    samples, in_scope, reviewed, dismissed = writing.writing_samples(scope)
    by_quarter: Counter[tuple[str, str]] = Counter()
    for counted in factor_figures.factors_by_quarter(scope):  # a row per month: summed per quarter
        by_quarter[(counted.row, counted.column)] += counted.count
    titles: Counter[str] = Counter()
    for title in services.item_titles(scope):
        titles[title.title] += title.count
    figures.add(
        Figures(
            stages=StageValues.of(services.stage_times(scope), DAY_EDGES),
            items=services.follow_through_raw(scope),
            titles=titles,
            by_quarter=by_quarter,
            category_sets=factor_figures.category_sets(scope),
            pairs=factor_figures.newest_by_pair(scope),
            writing=samples,
            in_scope=in_scope,
            reviewed=reviewed,
            dismissed=dismissed,
        )
    )
    return figures


def whole_months(span: DateRange) -> list[DateRange]:
    """The calendar months the range covers from their first day to their last."""
    months: list[DateRange] = []
    first = span.start if span.start.day == 1 else _next_month(span.start)
    while True:
        following = _next_month(first)
        if following - timedelta(days=1) > span.end:
            return months
        months.append(DateRange(first, following - timedelta(days=1)))
        first = following


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def utc_months(span: DateRange) -> list[str]:
    """The UTC months (``YYYY-MM``) that the range's instants, in the current time zone,
    fall in: the months whose versions the range's figures depend on."""
    start, end = (at.astimezone(UTC) for at in bounds(span))
    last = end - timedelta(microseconds=1)
    months = []
    day = date(start.year, start.month, 1)
    while day <= last.date():
        months.append(f"{day.year:04d}-{day.month:02d}")
        day = _next_month(day)
    return months


def month_figures(scope: Scope, month: DateRange, versions: dict[str, str]) -> Figures:
    """The kept figures of one whole month of the scope, computed when its data changed;
    ``versions`` holds the versions of the month's UTC months, read before computing."""
    read = [month_triggers.EVERY_MONTH, *utc_months(month)]
    version = ";".join(f"{m}={versions[m]}" for m in read)

    def compute() -> Figures:
        # Named once (a month's postmortems): each figure then starts from these ids.
        of_month = replace(scope, span=month, today=month.end, only=None)
        within, straddling = services.within_and_straddling(of_month)
        figures = collect(replace(of_month, only=Listed(within)), coverage_of=(month,))
        figures.straddling = list(straddling)
        return figures

    team = None if scope.team is None else scope.team.pk
    service = None if scope.service is None else scope.service.pk
    parts = (FORMAT, month.start, team, service, timezone.get_current_timezone_name())
    return freshness.cached("insights-month", parts, compute, version)


def kept(scope: Scope, months: list[DateRange]) -> list[Figures]:
    """The kept figures of the scope's whole ``months``, those whose data changed computed
    again (the versions are read once, before computing anything)."""
    read = [m for month in months for m in utc_months(month)]
    versions = month_triggers.versions(connection, read)
    return [month_figures(scope, month, versions) for month in months]


def figures(scope: Scope) -> Figures:
    """The figures of every postmortem of the scope: its whole months' kept figures plus the
    rest computed now."""
    months = whole_months(scope.span)
    if not months:
        return collect(scope)
    total = Figures()
    straddling: set[int] = set()
    for part in kept(scope, months):
        total.add(part)
        straddling.update(part.straddling)
    ends = []
    if scope.span.start < months[0].start:
        ends.append(DateRange(scope.span.start, months[0].start - timedelta(days=1)))
    if months[-1].end < scope.span.end:
        ends.append(DateRange(months[-1].end + timedelta(days=1), scope.span.end))
    # The rest: named once (a few thousand at most), each figure then starts from these ids.
    rest = set(straddling)
    for end in ends:
        rest.update(_ids(replace(scope, span=end, only=None)))
    if rest or ends:
        listed = replace(scope, only=Listed(tuple(sorted(rest))))
        total.add(collect(listed, coverage_of=tuple(ends)))
    return total


def _ids(scope: Scope) -> tuple[int, ...]:
    return tuple(
        sorted(set(services.postmortem_ids(scope).values_list("postmortem_id", flat=True)))
    )
