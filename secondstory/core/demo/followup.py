"""Contributing factors and the action items that address them."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from secondstory.core.demo import organisation as org
from secondstory.core.demo.narrative import NOT_DOING_REASONS
from secondstory.core.demo.theme import Theme
from secondstory.core.record import ActionItemRecord, FactorRecord

FACTOR_COUNTS: dict[str, tuple[int, int]] = {
    "SEV1": (3, 5),
    "SEV2": (3, 5),
    "SEV3": (2, 4),
    "SEV4": (2, 3),
}
ITEM_COUNTS: dict[str, tuple[int, int]] = {
    "SEV1": (3, 5),
    "SEV2": (2, 5),
    "SEV3": (1, 4),
    "SEV4": (1, 2),
}
_UP = {"P0": "P0", "P1": "P0", "P2": "P1"}
_DOWN = {"P0": "P1", "P1": "P2", "P2": "P2"}


def build_factors(
    rng: random.Random,
    theme: Theme,
    facts: dict[str, str],
    tag_refs: dict[str, str],
    severity: str,
    *,
    sparse: bool,
) -> tuple[list[FactorRecord], dict[str, str]]:
    """2–5 factors (core ones first) and ``template code -> factor key``."""
    lo, hi = FACTOR_COUNTS[severity]
    count = min(len(theme.factors), rng.randint(lo, hi))
    core = [f for f in theme.factors if f.core]
    rest = [f for f in theme.factors if not f.core]
    chosen = core + rng.sample(rest, max(0, count - len(core)))
    factors: list[FactorRecord] = []
    keys: dict[str, str] = {}
    for i, template in enumerate(chosen, start=1):
        key = f"F{i}"
        keys[template.code] = key
        description = (
            template.descriptions[0]
            if len(template.descriptions) == 1
            else rng.choice(template.descriptions)
        )
        evidence = "" if sparse and rng.random() < 0.5 else rng.choice(template.evidence)
        events = [tag_refs[t] for t in template.tags if t in tag_refs]
        factors.append(
            FactorRecord(
                key=key,
                category=template.category,
                description=description.format_map(facts),
                evidence=evidence.format_map(facts),
                events=events,
            )
        )
    return factors, keys


def due_days(severity: str, priority: str) -> int:
    """The follow-up SLO: SEV1 or P0 15 days, SEV2 or P1 30 days, else 60 days."""
    if severity == "SEV1" or priority == "P0":
        return 15
    if severity == "SEV2" or priority == "P1":
        return 30
    return 60


def _at(day: date, rng: random.Random, offset: int) -> datetime:
    return datetime.combine(day, time(rng.randrange(8, 19), rng.randrange(60)), org.zone(offset))


def _status(
    rng: random.Random, pm_status: str, created: date, due: date, today: date
) -> tuple[str, date | None]:
    """An action item's status and, when done, the local date it was completed."""
    last = today - timedelta(days=2)  # a completion date safely in the past
    roll = rng.random()
    if pm_status in ("draft", "in_review"):
        return ("open" if roll < 0.7 else "in_progress"), None
    # Cumulative chances of open, in progress and done; the rest is not doing.
    weights = (0.35, 0.7, 0.9) if pm_status == "approved" else (0.2, 0.32, 0.82)
    if roll < weights[0]:
        return "open", None
    if roll < weights[1]:
        return "in_progress", None
    if roll < weights[2]:
        if created + timedelta(days=1) > last:
            return "in_progress", None
        late = due < last and rng.random() < 0.35
        if late:
            span = (min(last, due + timedelta(days=90)) - due).days
            return "done", due + timedelta(days=rng.randint(1, span))
        span = (min(last, due) - created).days
        return "done", created + timedelta(days=rng.randint(1, max(1, span)))
    return "not_doing", None


def build_items(
    rng: random.Random,
    theme: Theme,
    facts: dict[str, str],
    factor_keys: dict[str, str],
    *,
    severity: str,
    pm_status: str,
    created: datetime,
    owner_team: str,
    today: date,
    counter: int,
) -> list[ActionItemRecord]:
    """1–5 action items, each linked to the factors it addresses."""
    lo, hi = ITEM_COUNTS[severity]
    relevant = [a for a in theme.actions if any(code in factor_keys for code in a.factors)]
    if not relevant:
        relevant = list(theme.actions)
    count = min(len(relevant), rng.randint(lo, hi))
    created_day = created.date()
    items: list[ActionItemRecord] = []
    fallback = next(iter(factor_keys.values()), "")
    for i, template in enumerate(rng.sample(relevant, count), start=1):
        priority = template.priority
        if severity == "SEV1" and rng.random() < 0.6:
            priority = _UP[priority]
        elif severity == "SEV4":
            priority = _DOWN[priority]
        due = created_day + timedelta(days=due_days(severity, priority))
        team = template.team or owner_team
        owner = rng.choice(org.TEAM_MEMBERS[team])
        status, done_on = _status(rng, pm_status, created_day, due, today)
        linked = [factor_keys[c] for c in template.factors if c in factor_keys]
        if not linked and fallback:
            linked = [fallback]
        title = template.titles[0] if len(template.titles) == 1 else rng.choice(template.titles)
        tracker = (
            f"https://tracker.example.com/browse/REL-{counter * 7 + i}"
            if rng.random() < 0.8
            else ""
        )
        items.append(
            ActionItemRecord(
                key=f"A{i}",
                title=title.format_map(facts),
                type=template.type,
                priority=priority,
                owner=owner.username,
                due=due,
                status=status,
                reason=rng.choice(NOT_DOING_REASONS) if status == "not_doing" else "",
                done_criterion=template.done.format_map(facts),
                tracker_url=tracker,
                factors=linked,
                completed_at=_at(done_on, rng, owner.offset) if done_on else None,
            )
        )
    return items
