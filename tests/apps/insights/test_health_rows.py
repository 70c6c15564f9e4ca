"""The learning-health checks' rows, read by grouped SQL over the kept postmortems, equal a
plain computation over the records in Python, after random writes of every kind the rows
depend on (times, texts, exercises, deletions, milestones, items, findings, bulk updates).

The plain computation below follows docs/insights.md ("As of a date") directly: one object
at a time, no SQL beyond fetching the records.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from django.db import connection
from django.db.models import F

from secondstory.accounts.models import Team
from secondstory.actions.models import ActionItem
from secondstory.cli.main import cli
from secondstory.core import taxonomy
from secondstory.core.insights.health import Thresholds, evaluate, sums
from secondstory.core.insights.health.classify import describes_a_person
from secondstory.core.insights.health.common import end_of
from secondstory.incidents.models import Incident, Milestone, Service
from secondstory.insights import consistency, health_data, health_facts, health_queries
from secondstory.insights.models import IncidentStart, KeptPostmortem
from secondstory.postmortems.models import (
    ContributingFactor,
    FactorCategory,
    Postmortem,
    ReviewCache,
)

FIXTURES = Path(__file__).parents[2] / "fixtures" / "health"
AS_OF = date(2026, 6, 30)
TEXTS = ["", "one", "two words", "a\nb c\n\nd", "  spaced  out ", "line\n", "x " * 40]


def _load(name: str) -> None:
    result = CliRunner().invoke(cli, ["load", str(FIXTURES / name)], catch_exceptions=False)
    assert result.exit_code == 0 and "0 refused" in result.stdout, result.output


def _words(pm: Postmortem) -> int:
    texts = [getattr(pm, field) for field in taxonomy.SECTION_FIELDS]
    return sum(t.count(" ") + t.count("\n") + (1 if t else 0) for t in texts)


def _random_writes(rng: random.Random) -> None:
    """Writes of every kind the rows depend on, through the ORM one by one and in bulk."""
    end = end_of(AS_OF)
    pms = list(Postmortem.objects.order_by("id"))
    for pm in rng.sample(pms, len(pms) // 3):
        choice = rng.randrange(6)
        if choice == 0:
            pm.created_at = end - timedelta(days=rng.uniform(-5, 500))
        elif choice == 1:
            pm.published_at = rng.choice([None, end - timedelta(days=rng.uniform(-10, 400))])
        elif choice == 2:
            pm.not_required_at = rng.choice([None, end - timedelta(days=rng.uniform(-10, 400))])
        elif choice == 3:
            for field in rng.sample(taxonomy.SECTION_FIELDS, 3):
                setattr(pm, field, rng.choice(TEXTS))
        elif choice == 4:
            pm.is_exercise = not pm.is_exercise
        else:
            pm.delete()
            continue
        pm.save()
    # a bulk update (one statement for many rows) and a bulk text change
    Postmortem.objects.filter(id__in=[p.id for p in rng.sample(pms, 5)]).update(
        published_at=end - timedelta(days=3)
    )
    Postmortem.objects.filter(id__in=[p.id for p in rng.sample(pms, 5)]).update(summary="a b c")
    incidents = list(Incident.objects.order_by("id"))
    for incident in rng.sample(incidents, len(incidents) // 5):
        choice = rng.randrange(4)
        if choice == 0:
            incident.milestones.filter(id__in=incident.milestones.values("id")[:1]).delete()
        elif choice == 1:
            first = incident.milestones.order_by("at").first()
            if first is not None:
                Milestone.objects.filter(pk=first.pk).update(
                    at=first.at - timedelta(days=rng.uniform(0, 60))
                )
        elif choice == 2:
            incident.is_exercise = not incident.is_exercise
            incident.save()
        else:
            incident.visibility = "restricted"
            incident.save()
    items = list(ActionItem.objects.order_by("id"))
    for item in rng.sample(items, len(items) // 4):
        choice = rng.randrange(3)
        if choice == 0:
            item.status, item.completed_at = "done", end - timedelta(days=rng.uniform(-20, 300))
        elif choice == 1:
            item.status, item.completed_at = rng.choice(["open", "not_doing"]), None
            item.reason = "superseded" if item.status == "not_doing" else ""
        else:
            item.due = AS_OF - timedelta(days=rng.randrange(-30, 300))
        item.save()
    caches = list(ReviewCache.objects.order_by("id"))
    for cache in rng.sample(caches, len(caches) // 3):
        severities = rng.choices(["blame", "hindsight", "blame", "note"], k=rng.randrange(4))
        cache.findings = [{"severity": s, "rule": "x"} for s in severities]
        cache.save()


def _plain(as_of: date, t: Thresholds) -> dict[str, Any]:
    """The rows of the checks computed in Python from the records."""
    end = end_of(as_of)
    since = end - timedelta(days=health_queries.HISTORY_DAYS)

    def unpublished(pm: Postmortem) -> bool:
        published = pm.published_at is None or pm.published_at >= end
        return published and (pm.not_required_at is None or pm.not_required_at >= end)

    def before(at: datetime | None) -> datetime | None:
        return at if at is not None and at < end else None

    selected = [
        pm
        for pm in Postmortem.objects.all()
        if not pm.is_exercise
        and pm.created_at < end
        and (pm.created_at >= since or unpublished(pm))
    ]
    postmortems, factors, items = {}, {}, {}
    for pm in selected:
        incidents = list(pm.incidents.all())
        milestones = [m for i in incidents for m in i.milestones.all() if m.at < end]
        resolved = [m.at for m in milestones if m.kind.code == "resolved"]
        started = min((m.at for m in milestones), default=None)
        blame = 0
        if pm.created_at >= since:
            for cache in ReviewCache.objects.filter(postmortem=pm):
                blame += sum(1 for f in cache.findings if f.get("severity") == "blame")
        own = list(pm.factors.all())
        services = tuple(sorted({s.slug for i in incidents for s in i.services.all()}))
        postmortems[pm.key] = (
            tuple(sorted({t.slug for i in incidents for t in i.teams.all()})),
            services,
            pm.created_at,
            started,
            max(resolved or [m.at for m in milestones], default=None),
            before(pm.published_at),
            before(pm.not_required_at),
            any(i.visibility == "restricted" for i in incidents),
            _words(pm),
            blame,
            len(own),
            sum(describes_a_person(f.description) for f in own),
        )
        for f in own:
            factors[f.id] = (pm.key, f.category.code, services, started or pm.created_at)
        for item in pm.action_items.all():
            done = before(item.completed_at)
            status = "open" if item.status == "done" and done is None else item.status
            items[item.id] = (
                pm.key,
                postmortems[pm.key][0],
                item.priority,
                item.due,
                status,
                pm.created_at,
                done,
                item.title,
                tuple(sorted(f.id for f in item.factors.all())),
            )
    months = t.backlog_months + 1
    first = end - timedelta(days=30 * months)
    bounds = [first + timedelta(days=30 * i) for i in range(months + 1)]

    def month_of(at: datetime) -> int | None:
        found = [i for i in range(months) if bounds[i] <= at < bounds[i + 1]]
        return found[0] if found else None

    began: Counter[int | None] = Counter()
    for incident in Incident.objects.filter(is_exercise=False):
        ats = [m.at for m in incident.milestones.all()]
        if ats:
            began[month_of(min(ats))] += 1
    real_items = [a for a in ActionItem.objects.all() if not a.postmortem.is_exercise]
    closed = Counter(month_of(a.completed_at) for a in real_items if a.completed_at is not None)
    backlog = [
        sum(
            1
            for a in real_items
            if a.status != "not_doing"
            and a.postmortem.created_at < bound
            and (a.completed_at is None or a.completed_at >= bound)
        )
        for bound in bounds[1:]
    ]
    return {
        "postmortems": postmortems,
        "factors": factors,
        "items": items,
        "months": [(began[i], closed[i], backlog[i]) for i in range(months)],
    }


def _built(as_of: date, t: Thresholds) -> dict[str, Any]:
    data = health_data.rows(as_of, known=t)
    return {
        "postmortems": {
            r.key: (
                r.teams,
                r.services,
                r.created,
                r.started,
                r.resolved,
                r.published,
                r.not_required,
                r.restricted,
                r.words,
                r.blame_findings,
                r.factors,
                r.person_factors,
            )
            for r in data.postmortems
        },
        "factors": {f.id: (f.postmortem, f.category, f.services, f.at) for f in data.factors},
        "items": {
            i.id: (
                i.postmortem,
                i.teams,
                i.priority,
                i.due,
                i.status,
                i.created,
                i.completed,
                i.title,
                tuple(sorted(i.factors)),
            )
            for i in data.items
        },
        "months": [(m.incidents, m.closed, m.backlog) for m in data.months],
    }


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [1, 2])
def test_rows_equal_a_plain_computation_after_random_writes(seed: int) -> None:
    _load("follow-through" if seed == 1 else "slow-publication")
    t = Thresholds()
    health_data.build(AS_OF, known=t)  # reviews the postmortems never reviewed
    _random_writes(random.Random(seed))
    built = _built(AS_OF, t)
    plain = _plain(AS_OF, t)
    for part in ("postmortems", "factors", "items", "months"):
        assert built[part] == plain[part], part
    # the writes reached every part the rows depend on
    rows = plain["postmortems"].values()
    assert any(r[7] for r in rows) and any(r[9] for r in rows)
    assert len({r[8] for r in rows}) > 5
    assert sum(m[2] for m in plain["months"]) > 0 and sum(m[1] for m in plain["months"]) > 0


@pytest.mark.django_db
def test_kept_postmortems_follow_every_write() -> None:
    _load("blame-drift")
    _random_writes(random.Random(3))
    kept = {
        k.postmortem_id: (k.created_at, k.published_at, k.not_required_at, k.is_exercise, k.words)
        for k in KeptPostmortem.objects.all()
    }
    plain = {
        pm.id: (pm.created_at, pm.published_at, pm.not_required_at, pm.is_exercise, _words(pm))
        for pm in Postmortem.objects.all()
    }
    assert kept == plain
    assert consistency.inspect(connection).consistent


@pytest.mark.django_db
def test_a_damaged_kept_table_is_found_and_repaired() -> None:
    _load("healthy")
    KeptPostmortem.objects.filter(postmortem_id__in=Postmortem.objects.values("id")[:3]).update(
        words=0
    )
    report = consistency.inspect(connection)
    assert [d.table for d in report.differences] == ["insights_keptpostmortem"]
    assert report.differences[0].wrong == 3
    consistency.repair(connection)
    assert consistency.inspect(connection).consistent


def _link_writes(rng: random.Random) -> None:
    """Writes to what the kept facts hold beyond ``_random_writes``: links between items and
    factors (some across postmortems), factor categories, incidents' teams and services, and
    the incidents a postmortem covers (some then span several months)."""
    items = list(ActionItem.objects.order_by("id"))
    factors = list(ContributingFactor.objects.order_by("id"))
    for item in rng.sample(items, len(items) // 4):
        own = [f for f in factors if f.postmortem_id == item.postmortem_id]
        if rng.random() < 0.5 and own:
            item.factors.add(rng.choice(own))
        elif rng.random() < 0.15:
            item.factors.add(rng.choice(factors))  # another postmortem's factor
        else:
            item.factors.clear()
    categories = list(FactorCategory.objects.all())
    for factor in rng.sample(factors, len(factors) // 5):
        factor.category = rng.choice(categories)
        factor.save()
    teams, services = list(Team.objects.all()), list(Service.objects.all())
    incidents = list(Incident.objects.order_by("id"))
    for incident in rng.sample(incidents, len(incidents) // 5):
        incident.teams.set(rng.sample(teams, rng.randrange(1, 3)))
        incident.services.set(rng.sample(services, rng.randrange(0, 3)))
    for pm in rng.sample(list(Postmortem.objects.order_by("id")), 6):
        if rng.random() < 0.3:
            pm.incidents.clear()
        else:
            pm.incidents.add(rng.choice(incidents))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("organisation", "seed", "today"),
    [
        ("recurring-factor", 4, AS_OF),
        ("follow-through", 5, AS_OF - timedelta(days=75)),
        ("person-targeted-actions", 6, date(2027, 1, 1)),
    ],
)
def test_kept_facts_equal_the_rows_after_writes_of_every_kind(
    organisation: str, seed: int, today: date, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rows, item sums and pairs summed from the facts kept per week (``build``) equal
    the rows read by plain queries and counted in Python (``rows``), and so do the results,
    as of two dates, after the facts were kept and random writes of every kind followed;
    the parts of the date that is today are kept too, and read again where written to."""
    monkeypatch.setattr(health_facts, "_today", lambda: today)
    _load(organisation)
    t = Thresholds()
    rng = random.Random(seed)
    health_data.build(AS_OF, known=t)  # reviews the postmortems never reviewed
    before = [health_data.build(as_of, known=t) for as_of in (AS_OF, AS_OF - timedelta(days=75))]
    _random_writes(rng)
    _link_writes(rng)
    judge = health_data.person_predicate()
    for as_of in (AS_OF, AS_OF - timedelta(days=75)):
        summed = health_data.build(as_of, known=t)
        plain = health_data.rows(as_of, known=t)
        assert summed.item_sums == sums.item_sums(plain, t, judge)
        assert summed.pairs == sums.pairs(plain, t)
        assert summed.postmortems == plain.postmortems
        assert evaluate(summed, t, targets_people=judge) == evaluate(plain, t, targets_people=judge)
    # what the sums count was reached: due, on time, overdue, aimed, failed and evidence
    counted = [s for data in (*before, summed) for s in data.item_sums or ()]
    for part in ("due", "on_time", "overdue", "items", "aimed"):
        assert any(getattr(s, part) for s in counted), part
    pairs = [p for data in (*before, summed) for p in data.pairs or ()]
    assert any(p.failed for p in pairs) and any(p.items > p.failed for p in pairs)
    assert any(len(p.evidence) > 2 for p in pairs)


@pytest.mark.django_db
def test_only_the_weeks_written_to_are_read_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """The facts of a week are kept until one of its postmortems changes: a write to an
    item, or to a link between an item and a factor, reads the week of its postmortem's
    first incident again and no other."""
    _load("recurring-factor")
    t = Thresholds()
    health_data.build(AS_OF, known=t)
    read: list[int] = []
    blocks = health_facts.blocks

    def counting(sql: Any, weeks: list[int], targets_people: Any) -> Any:
        read.extend(weeks)
        return blocks(sql, weeks, targets_people)

    monkeypatch.setattr(health_facts, "blocks", counting)
    health_data.build(AS_OF, known=t)
    assert read == []  # every month kept
    recent = end_of(AS_OF) - timedelta(days=300)
    item = (
        ActionItem.objects.filter(factors__isnull=False, postmortem__created_at__gte=recent)
        .order_by("id")
        .first()
    )
    assert item is not None
    first = IncidentStart.objects.filter(incident__postmortems=item.postmortem_id).earliest("began")
    week = health_facts.weeks(first.began, first.began)
    for write in (
        lambda: item.factors.clear(),
        lambda: ActionItem.objects.filter(pk=item.pk).update(
            status="not_doing", reason="superseded"
        ),
    ):
        read.clear()
        write()
        health_data.build(AS_OF, known=t)
        assert read == week, read
    judge = health_data.person_predicate()
    plain = health_data.rows(AS_OF, known=t)
    assert health_data.build(AS_OF, known=t).item_sums == sums.item_sums(plain, t, judge)


@pytest.mark.django_db
def test_older_drafts_asked_for_once_are_not_read_again_for_another_date(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each month keeps the older drafts asked for so far: a date asked for the first time
    reads only the drafts no date asked for before, and its figures are the plain ones."""
    _load("slow-publication")
    # drafts from well before the year, with their incidents, and two published between
    # the dates asked (asked for only as of the earlier date)
    shift = timedelta(days=450)
    drafts = list(Postmortem.objects.order_by("id").values_list("id", flat=True)[:8])
    Milestone.objects.filter(incident__postmortems__in=drafts).update(at=F("at") - shift)
    Postmortem.objects.filter(id__in=drafts).update(
        created_at=F("created_at") - shift, published_at=None, not_required_at=None
    )
    Postmortem.objects.filter(id__in=drafts[:2]).update(
        published_at=end_of(AS_OF - timedelta(days=20))
    )
    t = Thresholds()
    asked: list[set[int]] = []
    read: list[set[int]] = []
    older, split = health_facts.older, health_facts._split
    inside: list[bool] = []

    def asking(sql: Any, ids: list[int], targets_people: Any, steps: Any) -> Any:
        asked.append(set(ids))
        read.append(set())
        inside.append(True)
        try:
            return older(sql, ids, targets_people, steps)
        finally:
            inside.pop()

    def reading(sql: Any, months: list[str], month_of: dict[int, str], judge: Any) -> Any:
        if inside:
            read[-1].update(month_of)
        return split(sql, months, month_of, judge)

    monkeypatch.setattr(health_facts, "older", asking)
    monkeypatch.setattr(health_facts, "_split", reading)
    earlier = AS_OF - timedelta(days=45)
    for day in (AS_OF, earlier, AS_OF):
        health_data.build(day, known=t)
    first, second, _ = asked
    assert first and first & second  # older drafts, mostly the same at both dates
    assert read[0] and not read[1] & first  # nothing asked for before is read again
    assert read[1] == second - first and read[1]  # the drafts published in between
    assert read[2] == set()  # every draft of the first date is still kept
    for day in (AS_OF, earlier):
        built, plain = health_data.build(day, known=t), health_data.rows(day, known=t)
        assert built.postmortems == plain.postmortems
        judge = health_data.person_predicate()
        assert built.item_sums == sums.item_sums(plain, t, judge)


@pytest.mark.django_db
def test_a_write_to_a_later_incident_reads_the_block_of_the_first_again() -> None:
    """A postmortem is kept in the block of the week its first incident began, with the days
    of its other incidents: a write to an incident begun weeks later, which moves only that
    day's version, reads the block again."""
    _load("recurring-factor")
    t = Thresholds()
    end = end_of(AS_OF)
    starts = list(
        IncidentStart.objects.filter(
            began__gte=end - timedelta(days=200), began__lt=end - timedelta(days=20)
        ).order_by("began")
    )
    first, later = starts[0], starts[-1]
    assert (later.began - first.began).days > 21  # weeks apart
    pm = Postmortem.objects.filter(incidents=first.incident_id).order_by("id").first()
    assert pm is not None
    Postmortem.objects.get(pk=pm.pk).incidents.add(later.incident_id)
    resolved = Milestone.objects.filter(incident=later.incident_id, kind__code="resolved")
    assert resolved.exists()
    health_data.build(AS_OF, known=t)  # keeps the block with both incidents' days
    resolved.update(at=F("at") - timedelta(hours=3))  # moves the later incident's day only
    built, plain = health_data.build(AS_OF, known=t), health_data.rows(AS_OF, known=t)
    row = next(r for r in built.postmortems if r.key == pm.key)
    assert row == next(r for r in plain.postmortems if r.key == pm.key)
    assert built.postmortems == plain.postmortems
