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

from secondstory.core.insights.health.config import Thresholds
from secondstory.core.insights.health.model import CheckResult, HealthData, Status
from secondstory.core.insights.health.stats import binomial_tail
from secondstory.core.insights.health.sums import pairs

ID = "recurring-factor"


def check(data: HealthData, t: Thresholds) -> list[CheckResult]:
    candidates = pairs(data, t)
    results = []
    for pair in candidates:
        service, category, k, n = pair.service, pair.category, pair.k, pair.n
        p = (pair.other_hits + 1) / (pair.others + 2)
        expected = n * p
        tail = min(1.0, binomial_tail(k, n, p) * len(candidates))
        status: Status = "ok"
        if pair.failed and k / expected >= t.recurring_min_ratio:
            if tail <= t.recurring_alarm_p and k > t.recurring_min:
                status = "alarm"
            elif tail <= t.recurring_warn_p:
                status = "warn"
        results.append(
            CheckResult(
                id=ID,
                status=status,
                scope={"service": service, "category": category},
                value=float(k),
                threshold=float(t.recurring_min),
                evidence=list(pair.evidence) if status != "ok" else [],
                suggestion=(
                    f"Look at the {category} factors of {service} together: the fixes so far "
                    "have not stopped them; plan one change that addresses what they share."
                ),
                detail=(
                    f"{k} of {n} postmortems on {service} in {t.window_days} days "
                    f"(expected {expected:.1f} from the rest of the organisation, "
                    f"adjusted p={tail:.4f}); {pair.failed} of {pair.items} items addressing "
                    "them not done, not doing or recurred after fix"
                ),
            )
        )
    return results
