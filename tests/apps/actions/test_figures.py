"""Team figures on a crafted dataset, and the token-protected Prometheus /metrics view."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.test import Client
from django.urls import include, path
from prometheus_client.parser import text_string_to_metric_families

from secondstory.accounts.models import Team, User
from secondstory.actions.figures import NO_TEAM, Figure, Figures, compute_figures
from secondstory.actions.filters import visible_items
from secondstory.actions.metrics_views import metrics
from secondstory.actions.models import ActionItem
from tests.apps.actions.test_list_view import item, load_postmortem

# This module doubles as the URL configuration of the metrics tests: the project's own
# routes plus /metrics, as secondstory/urls.py mounts it.
urlpatterns = [path("metrics", metrics), path("", include("secondstory.urls"))]

CREATED = datetime(2026, 4, 1, 12, 0, tzinfo=UTC)
TODAY = date(2026, 5, 1)


def at(day: int, month: int = 4, hour: int = 12) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=UTC)


@pytest.fixture
def crafted(alice: User, bob: User, charlie: User, payments: Team) -> Iterator[None]:
    """Payments: three done (4, 14 and 10 days; one late), two overdue (10 and 61 days), one
    open. Search: one done after 12 days counted from its postmortem (imported done), one
    overdue by 6 days; it is restricted. One overdue item of an incident without a team."""
    with time_machine.travel(CREATED, tick=False):
        load_postmortem(
            "PM-A",
            [
                item("A1", "alice", date(2026, 4, 10), status="done", completed_at=at(5)),
                item("A2", "alice", date(2026, 4, 10), status="done", completed_at=at(15)),
                item(
                    "A3",
                    "bob",
                    date(2026, 4, 20),
                    priority="P0",
                    status="done",
                    completed_at=at(11),
                ),
                item("A4", "bob", date(2026, 4, 21), priority="P0"),
                item("A5", "alice", date(2026, 3, 1), priority="P2", status="in_progress"),
                item("A6", "alice", date(2026, 6, 1), priority="P2"),
            ],
        )
        load_postmortem(
            "PM-B",
            [
                item(
                    "A1",
                    "bob",
                    date(2026, 4, 30),
                    priority="P0",
                    status="done",
                    completed_at=at(17, month=3, hour=9),
                ),
                item("A2", "bob", date(2026, 4, 25)),
            ],
            team="search",
            visibility="restricted",
        )
        pm = load_postmortem("PM-C", [item("A1", "charlie", date(2026, 4, 28), priority="P2")])
        pm.incidents.get().teams.clear()
        yield


def by(groups: list[Figure], name: str) -> Figure:
    return next(f for f in groups if (f.team or f.priority) == name)


def everything(since: date | None = None, until: date | None = None) -> Figures:
    return compute_figures(ActionItem.objects.all(), TODAY, since, until)


def test_figures_by_team(crafted: None) -> None:
    figures = everything()
    assert [f.team for f in figures.by_team] == ["payments", "search", NO_TEAM]
    payments = by(figures.by_team, "payments")
    assert payments.total == 6
    assert payments.by_status == {"open": 2, "in_progress": 1, "done": 3, "not_doing": 0}
    assert (payments.done_in_range, payments.done_within_slo) == (3, 2)
    assert payments.within_slo_ratio == pytest.approx(2 / 3)
    assert payments.within_slo_percent == 67
    assert payments.median_days_to_close == 10.0
    assert (payments.overdue, payments.oldest_overdue_days) == (2, 61)
    search = by(figures.by_team, "search")
    assert (search.within_slo_ratio, search.median_days_to_close) == (1.0, 12.0)
    assert (search.overdue, search.oldest_overdue_days) == (1, 6)
    no_team = by(figures.by_team, NO_TEAM)
    assert (no_team.total, no_team.overdue, no_team.oldest_overdue_days) == (1, 1, 3)
    assert no_team.within_slo_ratio is None and no_team.median_days_to_close is None
    assert figures.overall.total == 9 and figures.overall.overdue == 4


def test_figures_by_priority_and_by_both(crafted: None) -> None:
    figures = everything()
    p0, p1, p2 = (by(figures.by_priority, p) for p in ("P0", "P1", "P2"))
    assert (p0.done_in_range, p0.within_slo_ratio, p0.median_days_to_close) == (2, 1.0, 11.0)
    assert (p0.overdue, p0.oldest_overdue_days) == (1, 10)
    assert (p1.within_slo_ratio, p1.median_days_to_close, p1.overdue) == (0.5, 9.0, 1)
    assert (p2.done_in_range, p2.overdue, p2.oldest_overdue_days) == (0, 2, 61)
    pair = next(f for f in figures.by_team_priority if (f.team, f.priority) == ("payments", "P1"))
    assert (pair.total, pair.within_slo_ratio, pair.median_days_to_close) == (2, 0.5, 9.0)


def test_the_date_range_selects_done_items_not_overdue_ones(crafted: None) -> None:
    figures = everything(date(2026, 4, 10), date(2026, 4, 30))
    payments = by(figures.by_team, "payments")
    assert (payments.done_in_range, payments.within_slo_ratio) == (2, 0.5)
    assert payments.median_days_to_close == 12.0
    assert payments.overdue == 2
    search = by(figures.by_team, "search")
    assert search.done_in_range == 0 and search.within_slo_ratio is None


def test_figures_respect_visibility(crafted: None, charlie: User, bob: User) -> None:
    outsider = compute_figures(visible_items(charlie), TODAY)
    assert "search" not in [f.team for f in outsider.by_team]
    assert outsider.overall.total == 7
    member = compute_figures(visible_items(bob), TODAY)
    assert member.overall.total == 9


def test_an_item_counts_for_every_team_of_its_incident(crafted: None) -> None:
    with time_machine.travel(CREATED, tick=False):
        pm = load_postmortem("PM-D", [item("A1", "alice", date(2026, 4, 2))])
    pm.incidents.get().teams.add(Team.objects.get(slug="search"))
    figures = everything()
    assert by(figures.by_team, "payments").total == 7
    assert by(figures.by_team, "search").total == 3
    assert figures.overall.total == 10


def test_figures_need_a_fixed_number_of_queries(
    crafted: None, django_assert_num_queries: object
) -> None:
    with django_assert_num_queries(2):  # type: ignore[operator]
        everything()


def _metrics(token: str | None) -> Client:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token is not None else {}
    return Client(**headers)


@pytest.mark.urls(__name__)
def test_metrics_are_off_without_a_token(crafted: None, settings: object) -> None:
    settings.SECONDSTORY_METRICS_TOKEN = ""  # type: ignore[attr-defined]
    assert _metrics("anything").get("/metrics").status_code == 404


@pytest.mark.urls(__name__)
@pytest.mark.parametrize("token", [None, "wrong", "s3cret-token-x", ""])
def test_metrics_refuse_a_missing_or_wrong_token(
    crafted: None, settings: object, token: str | None
) -> None:
    settings.SECONDSTORY_METRICS_TOKEN = "s3cret-token"  # type: ignore[attr-defined]
    response = _metrics(token).get("/metrics")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert b"secondstory_action_items" not in response.content


@pytest.mark.urls(__name__)
def test_metrics_report_every_item_to_operators(crafted: None, settings: object) -> None:
    settings.SECONDSTORY_METRICS_TOKEN = "s3cret-token"  # type: ignore[attr-defined]
    with time_machine.travel(datetime(2026, 5, 1, 12, tzinfo=UTC), tick=False):
        response = _metrics("s3cret-token").get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(response.content.decode())
        for s in family.samples
    }

    def value(name: str, **labels: str) -> float:
        return samples[(name, tuple(sorted(labels.items())))]

    assert value("secondstory_action_items", team="payments", priority="P1", status="done") == 2
    assert value("secondstory_action_items", team="search", priority="P1", status="open") == 1
    assert value("secondstory_action_items_overdue", team="payments", priority="P2") == 1
    assert value(
        "secondstory_action_items_completed_within_slo_ratio", team="payments", priority="P1"
    ) == pytest.approx(0.5)
    assert value(
        "secondstory_action_items_median_days_to_close", team="search", priority="P0"
    ) == pytest.approx(12.0)
    assert value("secondstory_action_items_oldest_overdue_days", team="payments") == 61
    assert value("secondstory_action_items_oldest_overdue_days", team=NO_TEAM) == 3
    no_done = ("secondstory_action_items_completed_within_slo_ratio", "search", "P1")
    assert not any(
        k[0] == no_done[0] and ("team", "search") in k[1] and ("priority", "P1") in k[1]
        for k in samples
    )
