"""What the checks read of action items and factors: sums per postmortem and per (service,
category) pair, not one row per item or factor.

A large organisation has hundreds of thousands of items and factors; the checks only ever
count them. The data layer (``secondstory.insights.health_data``) has the database count
them and fills ``HealthData.item_sums`` and ``HealthData.pairs``; given rows instead (the
tests, a hand-made organisation), the same sums are computed here from ``HealthData.items``
and ``HealthData.factors``. Both give the same numbers and the same evidence, in the same
order, which the tests compare on both databases.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from secondstory.core.insights.health.common import (
    EVIDENCE_LIMIT,
    by_team,
    end_of,
    keys,
    window_start,
)
from secondstory.core.insights.health.config import Thresholds
from secondstory.core.insights.health.model import FactorRow, HealthData, ItemRow


@dataclass(frozen=True, slots=True)
class ItemSums:
    """One postmortem's action items as of the date, counted for the team checks.

    ``due``: items due in the window before the date (``window_days``), not "not doing";
    ``on_time``: of those, done by the end of their due date; ``overdue``: P0/P1 items still
    open or in progress after their due date, the earliest due first in ``first_overdue``;
    ``items`` and ``aimed``: when the postmortem was created in the window, its items and
    those aimed at people (the reviewer's person-targeted rule).
    """

    postmortem: str
    teams: tuple[str, ...]
    due: int = 0
    on_time: int = 0
    overdue: int = 0
    first_overdue: date | None = None
    items: int = 0
    aimed: int = 0


@dataclass(frozen=True, slots=True)
class PairSums:
    """One (service, factor category) pair with at least ``recurring_min`` postmortems in
    the window, and what ``recurring-factor`` judges it against.

    ``k``: postmortems on the service in the window with a factor of the category; ``n``:
    postmortems on the service in the window; ``others``: postmortems of the data on other
    services; ``other_hits``: of those, with the category; ``items``: links from the pair's
    factors to action items; ``failed``: of those, to items not doing, overdue, or done
    before the pair's last occurrence; ``evidence``: the pair's postmortems, newest first
    (ties by key), at most ``EVIDENCE_LIMIT``.
    """

    service: str
    category: str
    k: int
    n: int
    others: int
    other_hits: int
    items: int
    failed: int
    evidence: tuple[str, ...]


def item_sums(
    data: HealthData, t: Thresholds, targets_people: Callable[[str], bool]
) -> tuple[ItemSums, ...]:
    """``data.item_sums``, or the same computed from ``data.items`` (postmortems in the order
    their first item comes)."""
    if data.item_sums is None:
        return _item_sums(data, t, targets_people)
    return data.item_sums


def _item_sums(
    data: HealthData, t: Thresholds, targets_people: Callable[[str], bool]
) -> tuple[ItemSums, ...]:
    first_due = data.as_of - timedelta(days=t.window_days)
    start = window_start(data, t.window_days)
    by_postmortem: dict[str, list[ItemRow]] = defaultdict(list)
    for item in data.items:
        by_postmortem[item.postmortem].append(item)
    sums = []
    for key, items in by_postmortem.items():
        due = [i for i in items if first_due < i.due < data.as_of and i.status != "not_doing"]
        urgent = [i for i in items if i.priority in ("P0", "P1") and i.due < data.as_of]
        overdue = [i.due for i in urgent if i.status in ("open", "in_progress")]
        recent = [i for i in items if i.created >= start]
        sums.append(
            ItemSums(
                postmortem=key,
                teams=items[0].teams,
                due=len(due),
                on_time=sum(1 for i in due if i.completed and i.completed < end_of(i.due)),
                overdue=len(overdue),
                first_overdue=min(overdue, default=None),
                items=len(recent),
                aimed=sum(1 for i in recent if targets_people(i.title)),
            )
        )
    return tuple(sums)


def team_item_sums(
    data: HealthData, t: Thresholds, team: str, targets_people: Callable[[str], bool]
) -> list[ItemSums]:
    """The sums of the team's postmortems, in their order."""
    if "item_sums" not in data.grouped:
        by_team(data, "item_sums", item_sums(data, t, targets_people))
    grouped: dict[str, list[ItemSums]] = data.grouped["item_sums"]
    return grouped.get(team, [])


def pairs(data: HealthData, t: Thresholds) -> tuple[PairSums, ...]:
    """``data.pairs``, or the same computed from ``data.factors`` and ``data.items``."""
    if data.pairs is not None:
        return data.pairs
    start = window_start(data, t.window_days)
    everyone = {pm.key for pm in data.postmortems}
    in_window = {pm.key for pm in data.postmortems if (pm.started or pm.created) >= start}
    on_service: dict[str, int] = defaultdict(int)
    ever_on_service: dict[str, set[str]] = defaultdict(set)
    for pm in data.postmortems:
        for service in dict.fromkeys(pm.services):
            ever_on_service[service].add(pm.key)
            on_service[service] += pm.key in in_window
    pair_factors: dict[tuple[str, str], list[FactorRow]] = defaultdict(list)
    with_category: dict[str, set[str]] = defaultdict(set)
    for factor in data.factors:
        if factor.postmortem in everyone:
            with_category[factor.category].add(factor.postmortem)
        if factor.postmortem in in_window:
            for service in dict.fromkeys(factor.services):
                pair_factors[(service, factor.category)].append(factor)
    addressing: dict[int, list[ItemRow]] = defaultdict(list)
    for item in data.items:
        for factor_id in item.factors:
            addressing[factor_id].append(item)
    found = []
    for (service, category), factors in sorted(pair_factors.items()):
        newest: dict[str, datetime] = {}
        for f in factors:
            newest[f.postmortem] = max(f.at, newest.get(f.postmortem, f.at))
        if len(newest) < t.recurring_min:
            continue
        last = max(newest.values())
        linked = [item for f in factors for item in addressing.get(f.id, ())]
        ever = ever_on_service[service]
        found.append(
            PairSums(
                service=service,
                category=category,
                k=len(newest),
                n=on_service[service],
                others=len(everyone) - len(ever),
                other_hits=len(with_category[category]) - len(with_category[category] & ever),
                items=len(linked),
                failed=sum(1 for item in linked if failed(item, last, data.as_of)),
                evidence=tuple(keys(_newest_first(newest.items()))),
            )
        )
    return tuple(found)


def failed(item: ItemRow, last: datetime, as_of: date) -> bool:
    """Not doing, overdue, or done before the pair's last occurrence (recurred after fix)."""
    if item.status == "not_doing":
        return True
    if item.completed is None:
        return item.due < as_of
    return item.completed < last


def _newest_first(pms: Iterable[tuple[str, datetime]]) -> list[str]:
    ordered = sorted(sorted(pms), key=lambda pair: pair[1], reverse=True)
    return [key for key, _ in ordered[:EVIDENCE_LIMIT]]
