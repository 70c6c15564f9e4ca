"""The worker's periodic insights job: compute the figures before the first reader asks.

A figure is cached per state of the data (``freshness``), so the first reader after a change
waits for it to be computed. The worker computes, every interval, the default pages (the
organisation, each team and each service over the last 365 days) and today's learning-health
checks; when nothing changed since the last run, every one of them is already cached and
the job reads nothing else.

``keep_history``, the worker's last job, keeps every whole month of the history
(``monthly``) for the organisation, each team and each service, so that a page over any
range, never asked before, computes only the days outside its whole months: the first run
over a large history takes minutes, later runs only the months written to since.
"""

from __future__ import annotations

import logging
import time
from datetime import date

from django.db.models import Min
from django.utils import timezone

from secondstory.accounts.models import Team
from secondstory.core.insights.periods import DateRange
from secondstory.incidents.models import Service
from secondstory.insights import health_data, monthly, pages
from secondstory.insights.models import IncidentStart
from secondstory.insights.scope import Scope, date_range

logger = logging.getLogger(__name__)


def _default_scopes(today: date) -> list[Scope]:
    """The organisation, each team and each service over the default range."""
    span = date_range({}, today)
    scopes = [Scope(span, today)]
    scopes += [Scope(span, today, team=team) for team in Team.objects.order_by("slug")]
    scopes += [Scope(span, today, service=s) for s in Service.objects.order_by("slug")]
    return scopes


def compute_insights() -> int:
    """Compute and cache the default insights pages and today's health checks; how many."""
    started = time.perf_counter()
    today = timezone.localdate()
    scopes = _default_scopes(today)
    health_data.checks(today)  # first: it may store review findings, a change of the data
    for scope in scopes:
        pages.compute_figures(scope)
    logger.info(
        "insights: %d pages and the health checks ready in %.1f s",
        len(scopes),
        time.perf_counter() - started,
    )
    return len(scopes) + 1


def keep_history() -> int:
    """Keep every whole month of the history of the organisation, each team and each service
    (a job of its own, the last of the worker's: its first run over a large history takes
    minutes, and the other jobs do not wait for it); how many months."""
    today = timezone.localdate()
    return keep_months(_default_scopes(today), today)


def keep_months(scopes: list[Scope], today: date) -> int:
    """Keep every whole month since the first incident for each of ``scopes``' team or
    service (those kept already and unchanged are only looked up); how many months."""
    first = IncidentStart.objects.aggregate(first=Min("began"))["first"]
    if first is None:
        return 0
    started = time.perf_counter()
    history = DateRange(timezone.localtime(first).date().replace(day=1), today)
    months = monthly.whole_months(history)
    for scope in scopes:
        monthly.kept(Scope(history, today, team=scope.team, service=scope.service), months)
    logger.info(
        "insights: %d months of %d scopes kept in %.1f s",
        len(months),
        len(scopes),
        time.perf_counter() - started,
    )
    return len(months) * len(scopes)
