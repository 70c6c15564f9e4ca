"""Similar past incidents: ranking, reasons, restrictions, the panel, and the demo's themes."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from secondstory.accounts.models import Team, User
from secondstory.core.demo.history import _base_plans
from secondstory.core.record import FactorRecord, PostmortemRecord
from secondstory.core.timeline.event import TimelineEvent
from secondstory.library import similar
from secondstory.library.similar import reason, similar_postmortems, tokens
from secondstory.postmortems.demo import load_demo
from secondstory.postmortems.models import Postmortem
from secondstory.postmortems.records import load_record
from tests.apps.conftest import client_for
from tests.apps.factories import START, postmortem_record

DAY = timedelta(days=1)
BASE = datetime(2026, 3, 5, 9, 0, tzinfo=UTC)


def record(
    key: str,
    *,
    days: int = 0,
    category: str = "tooling",
    service: str = "checkout",
    tags: tuple[str, ...] = ("config",),
    visibility: str = "internal",
    title: str = "Checkout errors after a configuration change",
    events: tuple[str, ...] = (),
) -> PostmortemRecord:
    """A postmortem ``days`` after BASE with one factor, one service and the given tags."""
    base = postmortem_record(key, visibility=visibility)
    incident = base.incidents[0]
    incident.services = [service]
    incident.tags = list(tags)
    if events:
        incident.timeline = [
            TimelineEvent(START + n * timedelta(minutes=5), "observation", "manual", f"e{n}", text)
            for n, text in enumerate(events)
        ]
    return replace(
        base,
        title=title,
        created_at=BASE + days * DAY,
        factors=[FactorRecord("F1", category, "The configuration tool accepted a bad value.")],
        action_items=[],
    )


def load(*records: PostmortemRecord) -> list[Postmortem]:
    return [load_record(r) for r in records]


def keys(postmortem: Postmortem, user: User) -> list[str]:
    return [s.key for s in similar_postmortems(postmortem, user)]


def page(user: User, key: str) -> str:
    """The similar-incidents panel of a postmortem's page, as the page fetches it (htmx)."""
    response = client_for(user).get(f"/library/similar/{key}/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def people(alice: User, bob: User, charlie: User, payments: Team) -> None:
    return None


@pytest.mark.usefixtures("people")
class TestRanking:
    def test_only_past_postmortems_are_listed(self, alice: User) -> None:
        earlier, subject, later = load(
            record("PM-A", days=-10), record("PM-B"), record("PM-C", days=10)
        )
        assert keys(subject, alice) == ["PM-A"]
        assert keys(earlier, alice) == []
        assert sorted(keys(later, alice)) == ["PM-A", "PM-B"]

    def test_only_the_newest_window_of_the_past_is_compared(
        self, alice: User, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        *_, subject = load(*(record(f"PM-{n}", days=-n) for n in (3, 2, 1)), record("PM-0"))
        monkeypatch.setattr(similar, "WINDOW", 2)
        assert sorted(keys(subject, alice)) == ["PM-1", "PM-2"]

    def test_nothing_in_common_lists_nothing(self, alice: User) -> None:
        _, subject = load(
            record("PM-A", days=-1),
            record("PM-B", category="process", service="search", tags=("dns",)),
        )
        assert keys(subject, alice) == []

    def test_more_shared_features_rank_higher(self, alice: User) -> None:
        *_, subject = load(
            record("PM-CAT", days=-3, service="search", tags=("other",)),
            record("PM-ALL", days=-30),
            record("PM-SVC", days=-2, category="process", tags=("other",)),
            record("PM-NONE", days=-1, category="process", service="search", tags=("x",)),
            record("PM-NOW"),
        )
        found = keys(subject, alice)
        assert found[0] == "PM-ALL"
        assert set(found) == {"PM-ALL", "PM-CAT", "PM-SVC"}

    def test_shared_wording_breaks_a_structural_tie(self, alice: User) -> None:
        failover = ("Replica promotion stalled", "Failover to the standby region started")
        *_, subject = load(
            record("PM-X", days=-2, events=("Cache warmed", "Queue drained slowly")),
            record("PM-Y", days=-5, events=failover),
            record("PM-Z", events=failover),
        )
        found = similar_postmortems(subject, alice)
        assert [s.key for s in found] == ["PM-Y", "PM-X"]
        assert "similar timeline: " in found[0].reason
        assert set(found[0].terms) <= {
            "replica",
            "promotion",
            "stalled",
            "failover",
            "standby",
            "region",
        }
        assert "failover" in found[0].terms or "replica" in found[0].terms

    def test_at_most_five(self, alice: User) -> None:
        postmortems = load(*(record(f"PM-{n}", days=-n) for n in range(8, 0, -1)), record("PM-0"))
        assert len(keys(postmortems[-1], alice)) == 5

    def test_signed_out_reader_sees_nothing(self, alice: User) -> None:
        _, subject = load(record("PM-A", days=-1), record("PM-B"))
        assert similar_postmortems(subject, None) == []

    def test_queries_do_not_grow_with_the_library(self, alice: User) -> None:
        load(*(record(f"PM-{n}", days=-n) for n in range(3, 0, -1)))
        subject = load(record("PM-S1"))[0]
        with CaptureQueriesContext(connection) as few:
            similar_postmortems(subject, alice)
        load(*(record(f"PM-M{n}", days=-n - 10) for n in range(25)))
        subject = load(record("PM-S2", days=1))[0]
        with CaptureQueriesContext(connection) as many:
            assert len(similar_postmortems(subject, alice)) == 5
        assert len(many.captured_queries) == len(few.captured_queries)


@pytest.mark.usefixtures("people")
class TestReasons:
    def test_reason_names_categories_services_tags_and_terms(self, alice: User) -> None:
        events = ("Failover to the standby started",)
        _, subject = load(
            record("PM-A", days=-1, tags=("config", "dns"), events=events),
            record("PM-B", tags=("config", "dns"), events=events),
        )
        (found,) = similar_postmortems(subject, alice)
        assert found.reason.startswith("shares: tooling factor on Checkout; tags config, dns")
        assert "similar timeline: " in found.reason
        assert "failover" in found.terms and "standby" in found.terms

    def test_reason_text(self) -> None:
        assert (
            reason(["Config change"], ["checkout"], [], ["failover"])
            == "shares: config change factor on checkout; similar timeline: failover"
        )
        assert (
            reason(["Tooling", "Detection"], ["Checkout API", "Edge", "DNS"], ["tls"], [])
            == "shares: tooling and detection factors on Checkout API, Edge and DNS; tag tls"
        )
        assert reason([], ["Edge"], [], ["rollback"], timeline=False) == (
            "shares: service Edge; similar wording: rollback"
        )

    def test_tokens_drop_stop_words_numbers_and_short_words(self) -> None:
        assert tokens("The DB failover at 13:40 was to us-east-1, again") == [
            "failover",
            "us-east-1",
        ]

    def test_people_are_never_the_shared_terms(self, alice: User) -> None:
        events = ("Paged Morgana about the failover", "Morgana restarted the failover")
        first, second = record("PM-A", days=-1, events=events), record("PM-B", events=events)
        for r in (first, second):
            r.incidents[0].timeline = [
                replace(e, actor="Morgana Vale") for e in r.incidents[0].timeline
            ]
        _, subject = load(first, second)
        (found,) = similar_postmortems(subject, alice)
        assert "morgana" not in found.terms and "failover" in found.terms


@pytest.mark.usefixtures("people")
class TestRestricted:
    def test_restricted_postmortem_is_hidden_from_outsiders(
        self, alice: User, bob: User, charlie: User
    ) -> None:
        _, subject = load(record("PM-R", days=-1, visibility="restricted"), record("PM-B"))
        assert keys(subject, alice) == ["PM-R"]  # on the incident's team
        assert keys(subject, bob) == ["PM-R"]
        assert keys(subject, charlie) == []
        charlie.role = "admin"
        assert keys(subject, charlie) == ["PM-R"]

    def test_page_of_an_outsider_does_not_name_it(self, alice: User, charlie: User) -> None:
        load(record("PM-R", days=-1, visibility="restricted", title="Secret rotation failed"))
        load(record("PM-B"))
        assert "PM-R" not in page(charlie, "PM-B")
        assert "Secret rotation failed" not in page(charlie, "PM-B")
        assert "Secret rotation failed" in page(alice, "PM-B")


@pytest.mark.usefixtures("people")
class TestPanel:
    def test_draft_page_lists_similar_postmortems_with_reasons(self, alice: User) -> None:
        load(record("PM-A", days=-1, title="Checkout broke after a config push"))
        (draft,) = load(record("PM-B"))
        assert draft.status == "draft"
        html = page(alice, "PM-B")
        assert 'id="similar"' in html and "Similar past incidents" in html
        assert '<a href="/postmortems/PM-A/">' in html
        assert "Checkout broke after a config push" in html
        assert "shares: tooling factor on Checkout; tag config" in html
        assert "read them before you finish" in html

    def test_page_without_earlier_postmortems_says_so(self, alice: User) -> None:
        load(record("PM-A"))
        assert "No earlier postmortem shares" in page(alice, "PM-A")


def _siblings(plans: list, postmortems: dict[str, Postmortem]) -> dict[str, set[str]]:
    by_theme: dict[str, set[str]] = {}
    for plan in plans:
        by_theme.setdefault(plan.theme.code, set()).add(plan.key)
    return {
        plan.key: {
            key
            for key in by_theme[plan.theme.code]
            if postmortems[key].created_at < postmortems[plan.key].created_at
        }
        for plan in plans
    }


@pytest.mark.django_db
def test_each_demo_theme_finds_its_siblings() -> None:
    load_demo(login=False)
    staff = User.objects.create(username="librarian", role="admin")
    plans = _base_plans(7)
    postmortems = {p.key: p for p in Postmortem.objects.filter(key__in=[p.key for p in plans])}
    siblings = _siblings(plans, postmortems)
    found_any: Counter[str] = Counter()
    top_same: Counter[str] = Counter()
    asked: Counter[str] = Counter()
    for plan in plans:
        subject = postmortems[plan.key]
        similar = similar_postmortems(subject, staff)
        assert len(similar) <= 5
        for s in similar:
            assert postmortems[s.key].created_at < subject.created_at, (plan.key, s.key)
            assert s.reason.startswith("shares: ") or s.reason.startswith("tag")
        if not siblings[plan.key]:
            continue
        asked[plan.theme.code] += 1
        found = [s.key for s in similar]
        found_any[plan.theme.code] += bool(set(found) & siblings[plan.key])
        top_same[plan.theme.code] += bool(found) and found[0] in siblings[plan.key]
    assert len(asked) == 10  # every recurring theme had postmortems with earlier siblings
    for theme, n in asked.items():
        assert found_any[theme] == n, theme
        assert top_same[theme] * 4 >= n * 3, theme  # the top one is a sibling for most


@pytest.mark.django_db
def test_demo_restricted_theme_stays_hidden_from_outsiders() -> None:
    load_demo(login=False)
    outsider = User.objects.create(username="visitor")
    restricted = {p.key for p in _base_plans(7) if p.theme.visibility == "restricted"}
    assert restricted
    staff = User.objects.create(username="librarian", role="admin")
    seen_by_staff: set[str] = set()
    for subject in Postmortem.objects.all():
        assert not {s.key for s in similar_postmortems(subject, outsider)} & restricted
        seen_by_staff |= {s.key for s in similar_postmortems(subject, staff)} & restricted
    assert seen_by_staff
