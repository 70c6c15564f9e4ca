"""The worker's periodic insights job: compute the figures before the first reader asks.

A figure is cached per state of the data (``freshness``), so the first reader after a change
waits for it to be computed. The worker computes, every interval, the default pages (the
organisation, each team and each service over the last 365 days) and today's learning-health
checks; when nothing changed since the last run, every one of them is already cached and
the job reads nothing else.
"""

from __future__ import annotations

import logging
import time

from django.utils import timezone

from secondstory.accounts.models import Team
from secondstory.incidents.models import Service
from secondstory.insights import health_data, pages
from secondstory.insights.scope import Scope, date_range

logger = logging.getLogger(__name__)


def compute_insights() -> int:
    """Compute and cache the default insights pages and today's health checks; how many."""
    started = time.perf_counter()
    today = timezone.localdate()
    span = date_range({}, today)
    scopes = [Scope(span, today)]
    scopes += [Scope(span, today, team=team) for team in Team.objects.order_by("slug")]
    scopes += [Scope(span, today, service=s) for s in Service.objects.order_by("slug")]
    health_data.checks(today)  # first: it may store review findings, a change of the data
    for scope in scopes:
        pages.compute_figures(scope)
    logger.info(
        "insights: %d pages and the health checks ready in %.1f s",
        len(scopes),
        time.perf_counter() - started,
    )
    return len(scopes) + 1
