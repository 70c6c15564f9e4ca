"""The learning-health diagnostic's data: narrow SQL aggregates into the plain rows of
``secondstory.core.insights.health`` as the organisation stood on a date.

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
from functools import lru_cache, reduce
from operator import add
from typing import Any

from django.conf import settings
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.expressions import Combinable
from django.db.models.functions import Length, Replace
from django.utils import timezone

from secondstory.accounts.models import Team
from secondstory.actions.models import ActionItem
from secondstory.core import taxonomy
from secondstory.core.insights.health import (
    CheckResult,
    FactorRow,
    HealthData,
    ItemRow,
    MonthRow,
    PostmortemRow,
    Thresholds,
    evaluate,
)
from secondstory.core.insights.health.classify import describes_a_person
from secondstory.core.insights.health.common import end_of
from secondstory.incidents.models import Incident, Milestone, Service
from secondstory.insights import freshness
from secondstory.learningcheck.figures import health_rows
from secondstory.postmortems.models import ContributingFactor, Postmortem, ReviewCache

HISTORY_DAYS = 366  # the longest window a check reads: four quarters for blame-drift
MONTH_DAYS = 30
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


def _words() -> Combinable:
    """Words of every section, counted in SQL as spaces and line breaks plus one per section
    (both taken out at once: one length fewer per section than counting them apart)."""
    parts = []
    for field, _heading in taxonomy.SECTIONS:
        text = F(field)
        squeezed = Replace(Replace(text, Value(" "), Value("")), Value("\n"), Value(""))
        parts.append(Length(text) - Length(squeezed) + _one_if(field))
    return reduce(add, parts)


def _one_if(field: str) -> Combinable:
    return Case(
        When(**{f"{field}__gt": ""}, then=Value(1)), default=Value(0), output_field=IntegerField()
    )


def _selected(end: datetime) -> QuerySet[Postmortem]:
    """The postmortems the checks read: those started in the last year before ``end`` and
    older ones still unpublished then (game days' exercises left out)."""
    since = end - timedelta(days=HISTORY_DAYS)
    unpublished = (Q(published_at__isnull=True) | Q(published_at__gte=end)) & (
        Q(not_required_at__isnull=True) | Q(not_required_at__gte=end)
    )
    return Postmortem.objects.filter(
        Q(created_at__gte=since) | unpublished, created_at__lt=end, is_exercise=False
    )


def _postmortems(end: datetime, teams: set[str] | None) -> dict[int, dict[str, object]]:
    query = _selected(end)
    if teams is not None:
        query = query.filter(incidents__teams__slug__in=teams).distinct()
    rows = query.annotate(words=_words()).values(
        "id", "key", "created_at", "published_at", "not_required_at", "words"
    )
    restricted = set(
        Postmortem.incidents.through.objects.filter(incident__visibility="restricted").values_list(
            "postmortem_id", flat=True
        )
    )
    return {row["id"]: {**row, "restricted": row["id"] in restricted} for row in rows}


def _milestones(
    ids: QuerySet[Any], end: datetime
) -> dict[int, tuple[datetime | None, datetime | None]]:
    before = Q(incidents__milestones__at__lt=end)
    rows = (
        Postmortem.objects.filter(id__in=ids)
        .values("id")
        .annotate(
            started=Min("incidents__milestones__at", filter=before),
            resolved=Max(
                "incidents__milestones__at",
                filter=before & Q(incidents__milestones__kind__code="resolved"),
            ),
            last=Max("incidents__milestones__at", filter=before),
        )
    )
    return {r["id"]: (r["started"], r["resolved"] or r["last"]) for r in rows}


def _links(ids: QuerySet[Any]) -> tuple[dict[int, set[str]], dict[int, set[str]]]:
    teams: dict[int, set[str]] = defaultdict(set)
    services: dict[int, set[str]] = defaultdict(set)
    through = Postmortem.incidents.through.objects.filter(postmortem_id__in=ids)
    for pm, team in through.filter(incident__teams__isnull=False).values_list(
        "postmortem_id", "incident__teams__slug"
    ):
        teams[pm].add(team)
    for pm, service in through.filter(incident__services__isnull=False).values_list(
        "postmortem_id", "incident__services__slug"
    ):
        services[pm].add(service)
    return teams, services


def _blame(recent: QuerySet[Any]) -> dict[int, int]:
    """Blame findings per postmortem from the reviewer's cache, reviewing those never reviewed."""
    from secondstory.postmortems.blameless import postmortem_findings

    reviewed = ReviewCache.objects.filter(postmortem_id=OuterRef("pk"))
    for postmortem in Postmortem.objects.filter(id__in=recent).exclude(Exists(reviewed)):
        postmortem_findings(postmortem)
    counts: dict[int, int] = defaultdict(int)
    with_findings = ReviewCache.objects.filter(postmortem_id__in=recent).exclude(findings=[])
    for pm, findings in with_findings.values_list("postmortem_id", "findings"):
        counts[pm] += sum(1 for f in findings if f.get("severity") == "blame")
    return counts


def _months(end: datetime, months: int) -> list[MonthRow]:
    first = end - timedelta(days=MONTH_DAYS * months)
    bounds = [first + timedelta(days=MONTH_DAYS * i) for i in range(months + 1)]

    def bin_of(at: datetime) -> int:
        return min(int((at - first).total_seconds() // (86400 * MONTH_DAYS)), months - 1)

    incidents = [0] * months
    in_range = Milestone.objects.filter(incident=OuterRef("pk"), at__gte=first, at__lt=end)
    starts = (
        Incident.objects.filter(Exists(in_range), is_exercise=False)
        .annotate(start=Min("milestones__at"))
        .filter(start__gte=first, start__lt=end)
        .values_list("start", flat=True)
    )
    for at in starts:
        incidents[bin_of(at)] += 1
    closed = [0] * months
    # A game day's items are neither an incident's follow-up nor its backlog (docs/game-days.md).
    items = ActionItem.objects.filter(postmortem__is_exercise=False)
    for at in items.filter(completed_at__gte=first, completed_at__lt=end).values_list(
        "completed_at", flat=True
    ):
        closed[bin_of(at)] += 1
    open_at = {
        f"b{i}": Count(
            "id",
            filter=Q(postmortem__created_at__lt=bound)
            & (Q(completed_at__isnull=True) | Q(completed_at__gte=bound)),
        )
        for i, bound in enumerate(bounds[1:])
    }
    counted = items.exclude(status="not_doing").aggregate(**open_at)
    backlog = [counted[f"b{i}"] for i in range(months)]
    return [
        MonthRow(
            start=bounds[i].date(),
            end=bounds[i + 1].date(),
            incidents=incidents[i],
            closed=closed[i],
            backlog=backlog[i],
        )
        for i in range(months)
    ]


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
    reviewer has never seen (an imported history), storing their findings; how many."""
    from secondstory.postmortems.blameless import postmortem_findings

    end = end_of(as_of)
    reviewed = ReviewCache.objects.filter(postmortem_id=OuterRef("pk"))
    unseen = list(
        Postmortem.objects.filter(
            created_at__gte=end - timedelta(days=HISTORY_DAYS), created_at__lt=end
        )
        .exclude(Exists(reviewed))
        .values_list("pk", flat=True)
    )
    for start in range(0, len(unseen), REVIEW_BATCH):
        for postmortem in Postmortem.objects.filter(pk__in=unseen[start : start + REVIEW_BATCH]):
            postmortem_findings(postmortem)
    return len(unseen)


def build(as_of: date, team: str | None = None, *, known: Thresholds | None = None) -> HealthData:
    """The rows of every check as the organisation stood at the end of ``as_of``."""
    t = known or thresholds()
    end = end_of(as_of)
    all_teams = list(Team.objects.order_by("slug").values_list("slug", flat=True))
    teams = [team] if team is not None else all_teams
    pms = _postmortems(end, None)
    # The same selection as a subquery: the queries below name it instead of every id.
    ids = _selected(end).values("id")
    started_resolved = _milestones(ids, end)
    team_links, service_links = _links(ids)
    created = {pm: row["created_at"] for pm, row in pms.items()}
    blame = _blame(ids.filter(created_at__gte=end - timedelta(days=HISTORY_DAYS)))
    factor_rows = list(
        ContributingFactor.objects.filter(postmortem_id__in=ids).values_list(
            "id", "postmortem_id", "category__code", "description"
        )
    )
    factor_count: dict[int, int] = defaultdict(int)
    person_count: dict[int, int] = defaultdict(int)
    factors = []
    for fid, pm, category, description in factor_rows:
        factor_count[pm] += 1
        person_count[pm] += _about_a_person(description)
        started = started_resolved.get(pm, (None, None))[0] or created[pm]
        factors.append(
            FactorRow(fid, str(pms[pm]["key"]), category, tuple(sorted(service_links[pm])), started)  # type: ignore[arg-type]
        )
    postmortems = []
    for pm, row in pms.items():
        started, resolved = started_resolved.get(pm, (None, None))
        postmortems.append(
            PostmortemRow(
                key=str(row["key"]),
                teams=tuple(sorted(team_links[pm])),
                services=tuple(sorted(service_links[pm])),
                created=created[pm],  # type: ignore[arg-type]
                started=started,
                resolved=resolved,
                published=_before(row["published_at"], end),
                not_required=_before(row["not_required_at"], end),
                restricted=bool(row["restricted"]),
                words=int(row["words"] or 0),  # type: ignore[call-overload]
                blame_findings=blame.get(pm, 0),
                factors=factor_count[pm],
                person_factors=person_count[pm],
            )
        )
    items = _items(ids, pms, team_links, end)
    recent = sorted(postmortems, key=lambda pm: pm.started or pm.created, reverse=True)
    last_month = [
        pm.key for pm in recent if (pm.started or pm.created) >= end - timedelta(days=MONTH_DAYS)
    ]
    return HealthData(
        as_of=as_of,
        teams=tuple(teams),
        postmortems=tuple(postmortems),
        factors=tuple(factors),
        items=tuple(items),
        months=tuple(_months(end, t.backlog_months + 1)),
        recent_keys=tuple(last_month or [pm.key for pm in recent[:10]]),
        surveys=tuple(health_rows(end - timedelta(days=t.window_days), end)),
    )


_about_a_person = lru_cache(maxsize=4096)(describes_a_person)


def _before(at: datetime | None, end: datetime) -> datetime | None:
    return at if at is not None and at < end else None


def _items(
    ids: QuerySet[Any],
    pms: dict[int, dict[str, object]],
    team_links: dict[int, set[str]],
    end: datetime,
) -> list[ItemRow]:
    addressed: dict[int, list[int]] = defaultdict(list)
    for item, factor in ActionItem.factors.through.objects.filter(
        actionitem__postmortem_id__in=ids
    ).values_list("actionitem_id", "contributingfactor_id"):
        addressed[item].append(factor)
    rows = ActionItem.objects.filter(postmortem_id__in=ids).values_list(
        "id", "postmortem_id", "priority", "due", "status", "completed_at", "title"
    )
    items = []
    for iid, pm, priority, due, status, completed, title in rows:
        done = completed if completed is not None and completed < end else None
        if status == "done" and done is None:
            status = "open"  # done only after the date
        items.append(
            ItemRow(
                id=iid,
                postmortem=str(pms[pm]["key"]),
                teams=tuple(sorted(team_links[pm])),
                priority=priority,
                due=due,
                status=status,
                created=pms[pm]["created_at"],  # type: ignore[arg-type]
                completed=done,
                title=title,
                factors=tuple(addressed[iid]),
            )
        )
    return items
