"""``recurring-factor`` (per service and factor category): a factor category on a service
comes back 3 or more times in 6 months while the action items addressing it are
not done, not doing, or recurred after fix.

Judged against the rest of the organisation so that broad categories recurring
by chance stay quiet: with ``n`` postmortems on the service in the window and
``k`` of them with a factor of the category, and ``p`` the share of postmortems
on *other* services with that category (add-one smoothed), the pair is
suspicious when ``k >= recurring_min``, ``k / (n p) >= recurring_min_ratio`` and
the binomial tail ``P(X >= k | n, p)`` is at most ``recurring_warn_p`` (warn) or
``recurring_alarm_p`` (alarm). It is *addressed* (and ``ok``) when an action
item linked to one of the pair's factors was done after its last occurrence.
"""

from __future__ import annotations

from collections import defaultdict

from secondstory.core.insights.health.common import keys, window_start
from secondstory.core.insights.health.config import Thresholds
from secondstory.core.insights.health.model import CheckResult, FactorRow, HealthData, Status
from secondstory.core.insights.health.stats import binomial_tail

ID = "recurring-factor"


def check(data: HealthData, t: Thresholds) -> list[CheckResult]:
    start = window_start(data, t.window_days)
    in_window = [pm for pm in data.postmortems if (pm.started or pm.created) >= start]
    on_service: dict[str, set[str]] = defaultdict(set)
    for pm in in_window:
        for service in pm.services:
            on_service[service].add(pm.key)
    keys_in_window = {pm.key for pm in in_window}
    pairs: dict[tuple[str, str], list[FactorRow]] = defaultdict(list)
    with_category: dict[str, set[str]] = defaultdict(set)
    for factor in data.factors:
        if factor.postmortem not in keys_in_window:
            continue
        with_category[factor.category].add(factor.postmortem)
        for service in factor.services:
            pairs[(service, factor.category)].append(factor)
    fixes: dict[int, list[float]] = defaultdict(list)
    for item in data.items:
        if item.completed is not None:
            for factor_id in item.factors:
                fixes[factor_id].append(item.completed.timestamp())
    everyone = len(keys_in_window)
    results = []
    for (service, category), factors in sorted(pairs.items()):
        hits = {f.postmortem for f in factors}
        k = len(hits)
        if k < t.recurring_min:
            continue
        n = len(on_service[service])
        others = everyone - n
        other_hits = len(with_category[category] - on_service[service])
        p = (other_hits + 1) / (others + 2)
        expected = n * p
        tail = binomial_tail(k, n, p)
        last = max(f.at for f in factors).timestamp()
        fixed = any(done >= last for f in factors for done in fixes.get(f.id, ()))
        status: Status = "ok"
        if not fixed and k / expected >= t.recurring_min_ratio:
            if tail <= t.recurring_alarm_p:
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
                    f"tail p={tail:.4f}); "
                    + ("fixed after the last one" if fixed else "no fix done since the last one")
                ),
            )
        )
    return results
