"""``recurring-factor`` (per service and factor category): a factor category on a service
comes back 3 or more times in 6 months while the action items addressing it are
not done, not doing, or recurred after fix.

Judged against the rest of the organisation so that broad categories recurring
by chance stay quiet: with ``n`` postmortems on the service in the window and
``k`` of them with a factor of the category, and ``p`` the share of postmortems
on *other* services with that category over the whole history the data holds
(a year; add-one smoothed, so a category rare by chance in six months does
not make every occurrence look remarkable), the pair is
suspicious when ``k >= recurring_min``, ``k / (n p) >= recurring_min_ratio`` and
the binomial tail ``P(X >= k | n, p)``, multiplied by the number of pairs judged
(Bonferroni: with many services and categories some pair is always unusual by
chance), is at most ``recurring_warn_p`` (warn) or ``recurring_alarm_p`` (alarm);
an alarm also needs the category to have come back three times after its first
occurrence (``recurring_min + 1`` postmortems), so three chance occurrences of
a rare category warn at most. Only a pair whose action items failed is judged:
at least one item linked to its factors is "not doing", still open after its
due date, or was done before a later occurrence of the pair (recurred after
fix). Factors with no action item at all do not make a pair fail on their own.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from secondstory.core.insights.health.common import keys, window_start
from secondstory.core.insights.health.config import Thresholds
from secondstory.core.insights.health.model import (
    CheckResult,
    FactorRow,
    HealthData,
    ItemRow,
    Status,
)
from secondstory.core.insights.health.stats import binomial_tail

ID = "recurring-factor"


def _failed(item: ItemRow, last: datetime, data: HealthData) -> bool:
    """Not doing, overdue, or done before a later occurrence (recurred after fix)."""
    if item.status == "not_doing":
        return True
    if item.completed is None:
        return item.due < data.as_of
    return item.completed < last


def check(data: HealthData, t: Thresholds) -> list[CheckResult]:
    start = window_start(data, t.window_days)
    in_window = [pm for pm in data.postmortems if (pm.started or pm.created) >= start]
    on_service: dict[str, set[str]] = defaultdict(set)
    ever_on_service: dict[str, set[str]] = defaultdict(set)
    for pm in data.postmortems:
        for service in pm.services:
            ever_on_service[service].add(pm.key)
    for pm in in_window:
        for service in pm.services:
            on_service[service].add(pm.key)
    keys_in_window = {pm.key for pm in in_window}
    pairs: dict[tuple[str, str], list[FactorRow]] = defaultdict(list)
    with_category: dict[str, set[str]] = defaultdict(set)
    for factor in data.factors:
        with_category[factor.category].add(factor.postmortem)
        if factor.postmortem not in keys_in_window:
            continue
        for service in factor.services:
            pairs[(service, factor.category)].append(factor)
    addressing: dict[int, list[ItemRow]] = defaultdict(list)
    for item in data.items:
        for factor_id in item.factors:
            addressing[factor_id].append(item)
    everyone = {pm.key for pm in data.postmortems}
    # Postmortems on other services with the category: those of the organisation with it,
    # less those on the service with it (counted, not built as a set per pair).
    known_with = {category: pms & everyone for category, pms in with_category.items()}
    candidates = [
        (pair, fs)
        for pair, fs in sorted(pairs.items())
        if len({f.postmortem for f in fs}) >= t.recurring_min
    ]
    results = []
    for (service, category), factors in candidates:
        k = len({f.postmortem for f in factors})
        n = len(on_service[service])
        ever = ever_on_service[service]
        others = len(everyone) - len(ever)
        other_hits = len(known_with[category]) - len(known_with[category] & ever)
        p = (other_hits + 1) / (others + 2)
        expected = n * p
        tail = min(1.0, binomial_tail(k, n, p) * len(candidates))
        items = [item for f in factors for item in addressing.get(f.id, ())]
        last = max(f.at for f in factors)
        failed = [item for item in items if _failed(item, last, data)]
        status: Status = "ok"
        if failed and k / expected >= t.recurring_min_ratio:
            if tail <= t.recurring_alarm_p and k > t.recurring_min:
                status = "alarm"
            elif tail <= t.recurring_warn_p:
                status = "warn"
        ordered = sorted(factors, key=lambda f: f.at, reverse=True)
        results.append(
            CheckResult(
                id=ID,
                status=status,
                scope={"service": service, "category": category},
                value=float(k),
                threshold=float(t.recurring_min),
                evidence=keys(f.postmortem for f in ordered) if status != "ok" else [],
                suggestion=(
                    f"Look at the {category} factors of {service} together: the fixes so far "
                    "have not stopped them; plan one change that addresses what they share."
                ),
                detail=(
                    f"{k} of {n} postmortems on {service} in {t.window_days} days "
                    f"(expected {expected:.1f} from the rest of the organisation, "
                    f"adjusted p={tail:.4f}); {len(failed)} of {len(items)} items addressing "
                    "them not done, not doing or recurred after fix"
                ),
            )
        )
    return results
