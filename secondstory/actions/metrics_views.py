"""``/metrics``: action item figures in the Prometheus text format, for operators.

The endpoint is off (404) until ``SECONDSTORY_METRICS_TOKEN`` is set; then every request
must send ``Authorization: Bearer <token>``. It counts every action item, restricted
postmortems included, because its readers are the people who run the system.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterator

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from secondstory.actions.figures import Figures, compute_figures
from secondstory.actions.models import ActionItem


class ActionItemCollector(Collector):
    """Turns one ``Figures`` snapshot into gauges."""

    def __init__(self, figures: Figures) -> None:
        self.figures = figures

    def collect(self) -> Iterator[Metric]:
        pairs = self.figures.by_team_priority
        items = GaugeMetricFamily(
            "secondstory_action_items",
            "Action items by the team of their incident, priority and status.",
            labels=["team", "priority", "status"],
        )
        overdue = GaugeMetricFamily(
            "secondstory_action_items_overdue",
            "Open or in-progress action items past their due date.",
            labels=["team", "priority"],
        )
        within = GaugeMetricFamily(
            "secondstory_action_items_completed_within_slo_ratio",
            "Share of done action items completed on or before their due date.",
            labels=["team", "priority"],
        )
        median = GaugeMetricFamily(
            "secondstory_action_items_median_days_to_close",
            "Median days from an action item's creation to its completion.",
            labels=["team", "priority"],
        )
        for figure in pairs:
            labels = [figure.team or "", figure.priority or ""]
            for status, count in figure.by_status.items():
                items.add_metric([*labels, status], count)
            overdue.add_metric(labels, figure.overdue)
            if figure.within_slo_ratio is not None:
                within.add_metric(labels, figure.within_slo_ratio)
            if figure.median_days_to_close is not None:
                median.add_metric(labels, figure.median_days_to_close)
        oldest = GaugeMetricFamily(
            "secondstory_action_items_oldest_overdue_days",
            "Days the oldest overdue action item of a team is past its due date (0: none).",
            labels=["team"],
        )
        for figure in self.figures.by_team:
            oldest.add_metric([figure.team or ""], figure.oldest_overdue_days)
        yield from (items, overdue, within, median, oldest)


def _authorised(request: HttpRequest, token: str) -> bool:
    header = request.headers.get("Authorization", "")
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode(), token.encode())


@login_not_required
@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    token = getattr(settings, "SECONDSTORY_METRICS_TOKEN", "") or ""
    if not token:
        raise Http404("metrics are turned off")
    if not _authorised(request, token):
        response = HttpResponse("a valid bearer token is required\n", status=401)
        response["WWW-Authenticate"] = 'Bearer realm="secondstory metrics"'
        response["Content-Type"] = "text/plain; charset=utf-8"
        return response
    registry = CollectorRegistry(auto_describe=False)
    figures = compute_figures(ActionItem.objects.all(), timezone.localdate())
    registry.register(ActionItemCollector(figures))
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
