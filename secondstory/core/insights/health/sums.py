"""What the checks read of action items and factors: sums per postmortem and per (service,
category) pair, not one row per item or factor.

A large organisation has hundreds of thousands of items and factors; the checks only ever
count them. The data layer (``secondstory.insights.health_data``) sums each postmortem's
kept facts (``facts.part`` and ``facts.combine``) and fills ``HealthData.item_sums`` and
``HealthData.pairs``; given rows instead (the tests, a hand-made organisation), the same
sums are computed here from ``HealthData.items`` and ``HealthData.factors``. Both give the
same numbers and the same evidence, in the same order, which the tests compare on both
databases.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from heapq import nlargest
from itertools import product
from operator import itemgetter
from typing import NamedTuple

from secondstory.core.insights.health.common import EVIDENCE_LIMIT, by_team, end_of, window_start
from secondstory.core.insights.health.config import Thresholds
from secondstory.core.insights.health.model import HealthData, ItemRow


class ItemSums(NamedTuple):
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
    their first item comes; those whose items count for nothing left out)."""
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
        if not (due or overdue or recent):
            continue  # counts nothing: left out, as the kept facts leave it out
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


class PairCounter:
    """What ``recurring-factor`` counts of the postmortems, given one at a time with the
    services and factor categories of each: per service and category over all of them, and
    the (service, category) pairs of those begun in the window with their postmortems. The
    links of the pairs' factors to action items are counted apart (from rows in ``pairs``,
    from the kept facts in ``facts.combine``) and given to ``sums``.

    Counters of parts of the postmortems add up (``merge``): each keeps, per pair, how many
    of its postmortems began in the window and the ``EVIDENCE_LIMIT`` that began last, which
    are all the evidence the whole can name.
    """

    def __init__(self, start: datetime) -> None:
        self.start = start
        self.everyone = 0
        # Every postmortem's services, categories and (service, category) pairs, counted
        # at once when asked (``_compact``): counting them one postmortem at a time was most
        # of the checks' time at 100,000 postmortems.
        self._services: list[str] = []
        self._recent_services: list[str] = []
        self._categories: list[str] = []
        self._pairs: list[tuple[str, str]] = []
        self._newest: dict[tuple[str, str], list[tuple[datetime, str]]] = defaultdict(list)
        # (on each service, on each service in the window, with each category, per pair)
        self._counted: tuple[Counter[str], Counter[str], Counter[str], Counter[tuple[str, str]]]
        self._counted = (Counter(), Counter(), Counter(), Counter())
        self._k: Counter[tuple[str, str]] = Counter()  # per pair, begun in the window
        self._top: dict[tuple[str, str], list[tuple[datetime, str]]] = {}

    def add(
        self,
        key: str,
        begun: datetime,
        services: Iterable[str],
        categories: Iterable[str],
        *,
        distinct: bool = False,
    ) -> bool:
        """Count one postmortem (``begun``: when its first incident began, else its creation;
        ``distinct``: no service or category is given twice); whether it began in the window.
        """
        recent = begun >= self.start
        if distinct:
            services, categories = tuple(services), tuple(categories)
        else:
            services, categories = tuple(dict.fromkeys(services)), tuple(dict.fromkeys(categories))
        self.everyone += 1
        self._services.extend(services)
        self._categories.extend(categories)
        self._pairs.extend(product(services, categories))
        if recent:
            self._recent_services.extend(services)
            newest = self._newest
            for pair in product(services, categories):
                newest[pair].append((begun, key))
        return recent

    def _compact(self) -> None:
        """Count what ``add`` gathered."""
        on, recently_on, with_category, with_pair = self._counted
        on.update(self._services)
        recently_on.update(self._recent_services)
        with_category.update(self._categories)
        with_pair.update(self._pairs)
        for names in (self._services, self._recent_services, self._categories):
            names.clear()
        self._pairs.clear()
        for pair, begun in self._newest.items():
            self._k[pair] += len(begun)
            self._top[pair] = _latest(self._top.get(pair, []) + begun)
        self._newest.clear()

    def merge(self, other: PairCounter) -> None:
        """Count ``other``'s postmortems too (counted with the same window)."""
        other._compact()
        self.everyone += other.everyone
        on, recently_on, with_category, with_pair = self._counted
        on.update(other._counted[0])
        recently_on.update(other._counted[1])
        with_category.update(other._counted[2])
        with_pair.update(other._counted[3])
        self._k.update(other._k)
        top = self._top
        for pair, begun in other._top.items():
            top[pair] = _latest(top[pair] + begun) if pair in top else begun

    def __getstate__(self) -> dict[str, object]:
        self._compact()  # kept counted: smaller, and read back faster
        return self.__dict__

    def candidates(self, minimum: int) -> dict[tuple[str, str], datetime]:
        """The pairs with at least ``minimum`` postmortems in the window, and when the last
        of them began."""
        self._compact()
        return {pair: top[0][0] for pair, top in self._top.items() if self._k[pair] >= minimum}

    def sums(
        self,
        candidates: Iterable[tuple[str, str]],
        linked: dict[tuple[str, str], tuple[int, int]],
    ) -> tuple[PairSums, ...]:
        """The ``candidates`` pairs, in order, with their links and failed links (``linked``)."""
        self._compact()
        ever_on, on_service, with_category, ever_with = self._counted
        found = []
        for pair in sorted(candidates):
            service, category = pair
            items, n_failed = linked.get(pair, (0, 0))
            found.append(
                PairSums(
                    service=service,
                    category=category,
                    k=self._k[pair],
                    n=on_service[service],
                    others=self.everyone - ever_on[service],
                    other_hits=with_category[category] - ever_with[pair],
                    items=items,
                    failed=n_failed,
                    evidence=tuple(key for _, key in self._top[pair]),
                )
            )
        return tuple(found)


def _latest(begun: list[tuple[datetime, str]]) -> list[tuple[datetime, str]]:
    """The ``EVIDENCE_LIMIT`` postmortems that began last, latest first, ties by key: only
    those tied with the last one taken are sorted (a pair can have thousands)."""
    if len(begun) > EVIDENCE_LIMIT:
        cut = nlargest(EVIDENCE_LIMIT, begun)[-1][0]
        begun = [entry for entry in begun if entry[0] >= cut]
    ordered = sorted(sorted(begun, key=itemgetter(1)), key=itemgetter(0), reverse=True)
    return ordered[:EVIDENCE_LIMIT]


def pairs(data: HealthData, t: Thresholds) -> tuple[PairSums, ...]:
    """``data.pairs``, or the same counted from ``data.postmortems``, ``data.factors`` and
    ``data.items``."""
    if data.pairs is not None:
        return data.pairs
    counter = PairCounter(window_start(data, t.window_days))
    categories: dict[str, list[str]] = defaultdict(list)
    for factor in data.factors:
        categories[factor.postmortem].append(factor.category)
    recent = {
        pm.key: pm.services
        for pm in data.postmortems
        if counter.add(pm.key, pm.started or pm.created, pm.services, categories[pm.key])
    }
    candidates = counter.candidates(t.recurring_min)
    addressing: dict[int, list[ItemRow]] = defaultdict(list)
    for item in data.items:
        for factor_id in item.factors:
            addressing[factor_id].append(item)
    linked: dict[tuple[str, str], tuple[int, int]] = {}
    for factor in data.factors:
        for service in dict.fromkeys(recent.get(factor.postmortem, ())):
            pair = (service, factor.category)
            if pair in candidates:
                items = addressing.get(factor.id, [])
                n, n_failed = linked.get(pair, (0, 0))
                bad = sum(1 for item in items if failed(item, candidates[pair], data.as_of))
                linked[pair] = (n + len(items), n_failed + bad)
    return counter.sums(candidates, linked)


def failed(item: ItemRow, last: datetime, as_of: date) -> bool:
    """Not doing, overdue, or done before the pair's last occurrence (recurred after fix)."""
    if item.status == "not_doing":
        return True
    if item.completed is None:
        return item.due < as_of
    return item.completed < last
