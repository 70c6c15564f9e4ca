"""The learning-health diagnostic's data, as the organisation stood on a date: the
postmortems' facts kept per incident month (``health_facts``) summed for the date, the
organisation's months counted by the database (``health_queries``), the checks computed once
per state of the data.

"As of" uses the timestamps the records carry (see docs/insights.md):

- an incident happened when its first milestone did, and was resolved at its
  ``resolved`` milestone (or its last milestone); milestones after the date are ignored;
- a postmortem exists from ``created_at``, is published from ``published_at`` and
  not required from ``not_required_at``;
- an action item exists from its postmortem's ``created_at`` (its own creation time is
  when it was loaded, not when it was written) and is done from ``completed_at``;
  "not doing" has no timestamp, so an item not being done counts as such all along;
- texts, factors and blame findings are the current ones.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import lru_cache
from heapq import nlargest

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from secondstory.accounts.models import Team
from secondstory.core.insights.health import (
    CheckResult,
    FactorRow,
    HealthData,
    ItemRow,
    PostmortemRow,
    Thresholds,
    evaluate,
)
from secondstory.core.insights.health.classify import describes_a_person
from secondstory.core.insights.health.common import cyclic_gc_paused, end_of
from secondstory.core.insights.health.sums import ItemSums, PairSums
from secondstory.incidents.models import Service
from secondstory.insights import freshness, health_facts, health_queries
from secondstory.insights.health_queries import KEPT, MONTH_DAYS, HealthSql
from secondstory.learningcheck.figures import health_rows
from secondstory.postmortems.models import Postmortem

REVIEW_BATCH = 500  # never-reviewed postmortems read at once (their texts are long)


def thresholds() -> Thresholds:
    """The organisation's thresholds: the defaults overridden by ``SECONDSTORY_HEALTH``."""
    return Thresholds.from_mapping(dict(getattr(settings, "SECONDSTORY_HEALTH", {})))


def person_predicate() -> Callable[[str], bool]:
    """The reviewer's person-targeted rule (the same judgement the action-item form shows)."""
    from secondstory.core.review.person_targeted import targets_people

    return lru_cache(maxsize=4096)(targets_people)  # titles repeat across items


def team_services(team: str) -> set[str]:
    """The services the team owns or has had incidents on."""
    owned = Q(team__slug=team) | Q(incidents__teams__slug=team)
    return set(Service.objects.filter(owned).values_list("slug", flat=True).distinct())


def checks(
    as_of: date, team: str | None = None, *, known: Thresholds | None = None
) -> list[CheckResult]:
    """Every check's result as the organisation stood at the end of ``as_of`` (only the
    team's, with ``team``), computed once per state of the data and reused until it changes.

    The results name every postmortem of their evidence; the page and the digest show a
    reader only those they may read.
    """
    t = known or thresholds()
    zone = timezone.get_current_timezone_name()
    version = _reviewed(as_of, zone)  # before computing: these writes are not a change

    def compute() -> list[CheckResult]:
        data = build(as_of, team, known=t)
        services = team_services(team) if team is not None else None
        return evaluate(data, t, targets_people=person_predicate(), services=services)

    return freshness.cached("health", (as_of, team, repr(t), zone), compute, version)


def _reviewed(as_of: date, zone: str) -> str:
    """Review the postmortems never reviewed (``review_unreviewed``) at most once per state of
    the data, and return the data-change token after it: looking for them costs a query over
    the last year's postmortems, which an unchanged state need not run again. Storing findings
    changes the token, so the state after a review is looked at once more."""
    version = freshness.data_version()
    while freshness.cached(
        "health-reviewed", (as_of, zone), lambda: review_unreviewed(as_of), version
    ):
        newer = freshness.data_version()
        if newer == version:  # nothing stored: looking again would find the same
            break
        version = newer
    return version


def review_unreviewed(as_of: date) -> int:
    """Review once the postmortems of the last year before ``as_of`` that the blameless
    reviewer has never seen (an imported history), storing their findings; how many. Those
    without a word have nothing to review and store nothing: they are not looked at."""
    from secondstory.postmortems.blameless import postmortem_findings

    end = end_of(as_of)
    sql = HealthSql(end)
    unseen = [
        pm
        for (pm,) in sql.rows(
            f"SELECT k.postmortem_id FROM {KEPT} k WHERE k.created_at >= %s "
            "AND k.created_at < %s AND k.words > 0 AND NOT EXISTS (SELECT 1 FROM "
            "postmortems_reviewcache c WHERE c.postmortem_id = k.postmortem_id) "
            "ORDER BY k.created_at DESC",
            [sql.at(sql.since), sql.at(end)],
        )
    ]
    for start in range(0, len(unseen), REVIEW_BATCH):
        for postmortem in Postmortem.objects.filter(pk__in=unseen[start : start + REVIEW_BATCH]):
            postmortem_findings(postmortem)
    return len(unseen)


def build(as_of: date, team: str | None = None, *, known: Thresholds | None = None) -> HealthData:
    """What every check reads as the organisation stood at the end of ``as_of``: a row per
    postmortem, the action items and factors summed from the postmortems' kept facts
    (``health_facts``)."""
    _reviewed(as_of, timezone.get_current_timezone_name())  # in ``checks``: done already
    with cyclic_gc_paused():
        return _build(as_of, team, known=known, summed=True)


def rows(as_of: date, team: str | None = None, *, known: Thresholds | None = None) -> HealthData:
    """The same as ``build`` read by plain queries, with every action item and factor as a
    row from which the checks count them themselves (``secondstory.core.insights.health.sums``):
    what the tests compare the kept facts with."""
    _reviewed(as_of, timezone.get_current_timezone_name())
    with cyclic_gc_paused():
        return _build(as_of, team, known=known, summed=False)


def _build(as_of: date, team: str | None, *, known: Thresholds | None, summed: bool) -> HealthData:
    t = known or thresholds()
    end = end_of(as_of)
    sql = HealthSql(end)
    all_teams = list(Team.objects.order_by("slug").values_list("slug", flat=True))
    teams = [team] if team is not None else all_teams
    factors: tuple[FactorRow, ...] = ()
    items: tuple[ItemRow, ...] = ()
    item_sums: tuple[ItemSums, ...] | None = None
    pairs: tuple[PairSums, ...] | None = None
    if summed:
        summary = health_facts.summary(sql, as_of, t, person_predicate())
        postmortems, item_sums, pairs = summary
    else:
        postmortems, factors, items = _rows(sql)
    # The evidence that stands in when a check names none: the postmortems begun in the last
    # month, latest first, else the ten latest (only those are sorted).
    month_ago = end - timedelta(days=MONTH_DAYS)
    last_month = sorted(
        (pm for pm in postmortems if _begun(pm) >= month_ago),
        key=_begun,
        reverse=True,
    ) or nlargest(10, postmortems, key=_begun)
    return HealthData(
        as_of=as_of,
        teams=tuple(teams),
        postmortems=tuple(postmortems),
        factors=factors,
        items=items,
        months=tuple(health_queries.months(sql, t.backlog_months + 1)),
        recent_keys=tuple(pm.key for pm in last_month),
        surveys=tuple(health_rows(end - timedelta(days=t.window_days), end)),
        item_sums=item_sums,
        pairs=pairs,
    )


def _rows(
    sql: HealthSql,
) -> tuple[tuple[PostmortemRow, ...], tuple[FactorRow, ...], tuple[ItemRow, ...]]:
    """Every selected postmortem, factor and action item as a row, read by plain queries."""
    end = sql.end
    pms = health_queries.postmortems(sql)
    team_links, service_links = health_queries.links(sql)
    blame = health_queries.blame(sql)
    keys = {row[0]: str(row[1]) for row in pms}
    begun = {row[0]: row[7] or row[2] for row in pms}  # started, else created
    ids, params = sql.ids()
    factor_count: dict[int, int] = defaultdict(int)
    person_count: dict[int, int] = defaultdict(int)
    services_of = {pm: _ordered(service_links[pm]) for pm in keys}
    teams_of = {pm: _ordered(team_links[pm]) for pm in keys}
    factors = []
    for fid, pm, category, description in sql.rows(
        "SELECT f.id, f.postmortem_id, c.code, f.description FROM postmortems_contributingfactor f "
        "JOIN postmortems_factorcategory c ON c.id = f.category_id "
        f"WHERE f.postmortem_id IN ({ids}) ORDER BY f.position, f.id",
        params,
    ):
        factor_count[pm] += 1
        person_count[pm] += describes_a_person(description)
        factors.append(FactorRow(fid, keys[pm], category, services_of[pm], begun[pm]))
    postmortems = tuple(
        PostmortemRow(
            key=keys[pm],
            teams=teams_of[pm],
            services=services_of[pm],
            created=created,
            started=started,
            resolved=resolved,
            published=_before(published, end),
            not_required=_before(not_required, end),
            restricted=restricted,
            words=words,
            blame_findings=blame.get(pm, 0),
            factors=factor_count[pm],
            person_factors=person_count[pm],
        )
        for pm, _key, created, published, not_required, words, restricted, started, resolved in pms
    )
    created_of = {row[0]: row[2] for row in pms}
    items = health_queries.items(sql, keys, teams_of, created_of)
    return postmortems, tuple(factors), tuple(items)


def _begun(pm: PostmortemRow) -> datetime:
    return pm.started or pm.created


def _ordered(names: set[str]) -> tuple[str, ...]:
    """In order (most postmortems have one team and one service: nothing to sort)."""
    return tuple(names) if len(names) < 2 else tuple(sorted(names))


def _before(at: datetime | None, end: datetime) -> datetime | None:
    return at if at is not None and at < end else None
