"""Did it work? Recurrence of a factor after the action item that addressed it was done."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from secondstory.accounts.models import Team, User
from secondstory.actions.kind import generic_terms, shared_terms, terms
from secondstory.actions.models import ActionItem, Recurrence
from secondstory.actions.recurrence import _Factor, _Incident, _Item, _pair, find_matches
from secondstory.actions.recurrence_checks import check_recurrences
from secondstory.actions.recurrence_evidence import factor_recurrences, item_evidence
from secondstory.actions.services import status_fingerprint
from secondstory.core.record import FactorRecord, Milestone, PostmortemRecord
from secondstory.notify.models import Delivery
from secondstory.notify.services import retry_failed
from secondstory.postmortems.models import Postmortem
from secondstory.postmortems.records import load_record
from tests.apps.conftest import client_for
from tests.apps.factories import START, postmortem_record
from tests.apps.notify.conftest import free_port

DONE = datetime(2026, 4, 1, 12, 0, tzinfo=UTC)
SAME_KIND = "The config tool accepted a pool size of 0 for the payments pool."


def earlier(key: str = "PM-1", *, done: datetime | None = DONE, **kw: Any) -> PostmortemRecord:
    """A postmortem on checkout whose A1 (addressing F1, tooling) is done at ``done``."""
    record = postmortem_record(key, **kw)
    if done is not None:
        record.action_items[0] = replace(record.action_items[0], status="done", completed_at=done)
    return record


def later(
    key: str,
    start: datetime,
    *,
    category: str = "tooling",
    service: str = "checkout",
    visibility: str = "internal",
    title: str = "Checkout errors again",
    description: str = SAME_KIND,
) -> PostmortemRecord:
    """A postmortem whose incident started at ``start`` with factor F1 of ``category``.

    By default F1 is the same kind of failure as F1 of ``earlier()`` ("The config tool
    accepted a pool size of 1."): they share "config", "accept", "pool" and "size".
    """
    record = postmortem_record(key, visibility=visibility)
    record.title = title
    record.action_items = []
    record.factors = [FactorRecord("F1", category, description)]
    incident = record.incidents[0]
    shift = start - START
    incident.services = [service]
    incident.timeline = []
    incident.milestones = [Milestone(m.kind, m.at + shift) for m in incident.milestones]
    return record


def load(record: PostmortemRecord) -> Postmortem:
    return load_record(record)


def page(user: User, key: str) -> str:
    response = client_for(user).get(f"/postmortems/{key}/")
    assert response.status_code == 200
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def people(alice: User, bob: User, charlie: User, payments: Team) -> None:
    return None


def matches_of(postmortem: Postmortem) -> list[tuple[str, str, int]]:
    items = ActionItem.objects.filter(postmortem=postmortem)
    return [(m.item_key, m.factor_postmortem_key, m.days) for m in find_matches(items)]


@pytest.mark.usefixtures("people")
class TestDetection:
    def test_same_category_same_service_inside_window_recurs(self) -> None:
        first = load(earlier())
        load(later("PM-2", DONE + timedelta(days=34, hours=2)))
        assert matches_of(first) == [("A1", "PM-2", 34)]

    def test_broad_category_on_the_same_service_with_an_unrelated_factor_does_not_recur(
        self, alice: User
    ) -> None:
        first = load(earlier())
        unrelated = "The tool's dashboard took two minutes to load during the incident."
        second = load(later("PM-2", DONE + timedelta(days=34), description=unrelated))
        assert matches_of(first) == []
        assert factor_recurrences(second, alice) == {}

    def test_two_shared_words_are_not_enough(self) -> None:
        # "config" and "pool" alone: a different failure that mentions the same things.
        first = load(earlier())
        other = "Nobody owned the config of the reporting pool after the reorganisation."
        load(later("PM-2", DONE + timedelta(days=34), description=other))
        assert matches_of(first) == []

    def test_the_category_and_service_names_do_not_count_as_shared_terms(self) -> None:
        first = load(earlier())
        generic = "Checkout tooling: the tools people used to see the checkout system were slow."
        load(later("PM-2", DONE + timedelta(days=34), description=generic))
        assert matches_of(first) == []

    def test_other_category_does_not_recur(self) -> None:
        first = load(earlier())
        load(later("PM-2", DONE + timedelta(days=34), category="detection"))
        assert matches_of(first) == []

    def test_other_service_does_not_recur(self, alice: User) -> None:
        first = load(earlier())
        second = load(later("PM-2", DONE + timedelta(days=34), service="search"))
        assert matches_of(first) == []
        assert factor_recurrences(second, alice) == {}

    def test_after_the_window_does_not_recur(self, settings: Any) -> None:
        first = load(earlier())
        load(later("PM-2", DONE + timedelta(days=181)))
        assert matches_of(first) == []
        settings.SECONDSTORY_RECURRENCE_DAYS = 200
        assert matches_of(first) == [("A1", "PM-2", 181)]

    def test_incident_before_completion_is_not_a_recurrence(self) -> None:
        first = load(earlier())
        load(later("PM-2", DONE - timedelta(days=5)))
        assert matches_of(first) == []

    def test_items_not_done_are_not_watched(self) -> None:
        first = load(earlier(done=None))
        load(later("PM-2", DONE + timedelta(days=34)))
        assert matches_of(first) == []
        assert item_evidence(first, None) == {}

    def test_the_other_direction_finds_the_same_pair(self, alice: User) -> None:
        load(earlier())
        second = load(later("PM-2", DONE + timedelta(days=10)))
        shown = factor_recurrences(second, alice)
        (factor_id,) = shown
        (entry,) = shown[factor_id]
        assert (entry.key, entry.other_key, entry.days) == ("PM-1", "A1", 10)
        assert entry.url == "/postmortems/PM-1/#action-A1"

    def test_queries_do_not_grow_with_items_and_recurrences(self, alice: User) -> None:
        first = load(earlier())
        load(later("PM-2", DONE + timedelta(days=3)))
        with CaptureQueriesContext(connection) as small:
            item_evidence(first, alice)
            factor_recurrences(first, alice)
        for n in range(3, 7):
            load(later(f"PM-{n}", DONE + timedelta(days=n)))
        record = earlier("PM-9")
        record.action_items.append(
            replace(record.action_items[0], key="A2", completed_at=DONE, factors=["F1", "F2"])
        )
        ninth = load(record)
        with CaptureQueriesContext(connection) as big:
            evidence = item_evidence(ninth, alice)
            factor_recurrences(ninth, alice)
        assert sum(len(e.recurrences) for e in evidence.values()) == 10
        assert len(big.captured_queries) == len(small.captured_queries)

    def test_evidence_of_done_items_reads_them_once(self, alice: User) -> None:
        """The done items are read once (not once to list them and again to load them)."""
        first = load(earlier())
        load(later("PM-2", DONE + timedelta(days=3)))
        with CaptureQueriesContext(connection) as queries:
            evidence = item_evidence(first, alice)
        assert sum(len(e.recurrences) for e in evidence.values()) == 1
        # One to read the done items, three for what they watch, three for the candidate
        # factors, one for who may read their postmortems, one for the service names.
        assert len(queries.captured_queries) == 9, len(queries.captured_queries)


@pytest.mark.usefixtures("people")
class TestPages:
    def test_item_and_later_factor_show_the_links(self, alice: User) -> None:
        load(earlier())
        load(later("PM-2", DONE + timedelta(days=34, hours=1)))
        html = page(alice, "PM-1")
        assert (
            'Recurred after fix:</strong> <a href="/postmortems/PM-2/#factor-F1" '
            'title="Checkout errors again">PM-2</a> '
            "(factor F1, tooling on Checkout, 34 days after it was done)"
        ) in html
        assert "Same kind of failure: the factors share <em>accept, config, pool, size</em>" in html
        html = page(alice, "PM-2")
        assert (
            'Recurred after</strong> <a href="/postmortems/PM-1/#action-A1">A1 of PM-1</a> '
            "was done (34 days earlier)"
        ) in html
        assert "the factors share <em>accept, config, pool, size</em>" in html

    def test_no_recurrence_shows_days_since_done(self, alice: User) -> None:
        load(earlier(done=timezone.now() - timedelta(days=120, hours=1)))
        html = page(alice, "PM-1")
        assert "No recurrence in 120 days" in html
        assert "Recurred after" not in html

    def test_marking_done_shows_the_watch_in_the_returned_section(self, alice: User) -> None:
        load(earlier(done=None))
        item = ActionItem.objects.get(postmortem__key="PM-1", key="A1")
        response = client_for(alice).post(
            "/postmortems/PM-1/actions/A1/status/",
            {"status": "done", "reason": "", "base": status_fingerprint(item)},
            HTTP_HX_REQUEST="true",
        )
        assert response.status_code == 200
        html = re.sub(r"\s+", " ", response.content.decode())
        assert "No recurrence yet" in html and "watched for 180 days" in html

    def test_item_that_addresses_no_factor_is_not_watched(self, alice: User) -> None:
        record = earlier(done=timezone.now() - timedelta(days=20))
        record.action_items[0] = replace(record.action_items[0], factors=[])
        load(record)
        load(later("PM-2", timezone.now() - timedelta(days=10)))
        html = page(alice, "PM-1")
        assert "Not watched for recurrence" in html
        assert "No recurrence in" not in html and "Recurred after" not in html

    def test_no_recurrence_after_the_window_names_the_window(self, alice: User) -> None:
        load(earlier(done=timezone.now() - timedelta(days=300)))
        assert "No recurrence in the 180-day window" in page(alice, "PM-1")

    def test_item_not_done_shows_nothing(self, alice: User) -> None:
        load(earlier(done=None))
        load(later("PM-2", DONE + timedelta(days=34)))
        html = page(alice, "PM-1")
        assert 'class="recurrence' not in html
        assert "No recurrence" not in html and "Recurred after" not in html
        assert "Recurred after" not in page(alice, "PM-2")

    def test_restricted_later_postmortem_is_not_named_to_an_outsider(
        self, alice: User, charlie: User
    ) -> None:
        load(earlier())
        load(
            later(
                "PM-2",
                DONE + timedelta(days=34, hours=1),
                visibility="restricted",
                title="Secret vault outage",
            )
        )
        html = page(charlie, "PM-1")
        assert (
            "Recurred after fix:</strong> an incident in a restricted postmortem "
            "(34 days after it was done)"
        ) in html
        assert "Secret vault" not in html
        assert "PM-2" not in html
        assert "Secret vault outage" in page(alice, "PM-1")

    def test_restricted_earlier_postmortem_is_not_named_on_the_later_one(
        self, charlie: User
    ) -> None:
        load(earlier(visibility="restricted"))
        load(later("PM-2", DONE + timedelta(days=2, hours=1)))
        html = page(charlie, "PM-2")
        assert (
            "Recurred after</strong> an action item in a restricted postmortem was done "
            "(2 days earlier)"
        ) in html
        assert "PM-1" not in html


class Spy:
    def __init__(self, fail: bool = False) -> None:
        self.calls: list[dict[str, Any]] = []
        self.fail = fail

    def __call__(self, user: User, **kw: Any) -> list[Any]:
        self.calls.append({"user": user, **kw})
        if self.fail:
            raise RuntimeError("channel down")
        return []


@pytest.mark.usefixtures("people")
class TestCheck:
    def test_records_once_and_notifies_once(self, alice: User, monkeypatch: Any) -> None:
        import secondstory.notify.services

        spy = Spy()
        monkeypatch.setattr(secondstory.notify.services, "send", spy)
        load(earlier())
        load(later("PM-2", DONE + timedelta(days=34, hours=1)))
        load(later("PM-3", DONE + timedelta(days=60), category="detection"))
        created = check_recurrences()
        assert len(created) == 1
        recurrence = Recurrence.objects.get()
        assert (recurrence.item.key, recurrence.factor.postmortem.key) == ("A1", "PM-2")
        assert recurrence.notified_at is not None
        (call,) = spy.calls
        assert call["user"] == alice
        assert call["kind"] == "recurrence"
        assert call["item"] == recurrence.item
        assert call["key"] == f"recurrence:{recurrence.pk}"
        assert "PM-1" in call["subject"]
        assert "34 days later" in call["text"] and "F1 of PM-2" in call["text"]
        assert "in common with what the item addressed: accept, config, pool, size" in call["text"]
        assert check_recurrences() == []
        assert Recurrence.objects.count() == 1
        assert len(spy.calls) == 1

    def test_a_failed_notification_is_retried(self, monkeypatch: Any) -> None:
        import secondstory.notify.services

        failing = Spy(fail=True)
        monkeypatch.setattr(secondstory.notify.services, "send", failing)
        load(earlier())
        load(later("PM-2", DONE + timedelta(days=5)))
        check_recurrences()
        assert Recurrence.objects.get().notified_at is None
        working = Spy()
        monkeypatch.setattr(secondstory.notify.services, "send", working)
        assert check_recurrences() == []
        assert len(working.calls) == 1
        assert Recurrence.objects.get().notified_at is not None

    def test_today_ignores_incidents_that_started_later(self, monkeypatch: Any) -> None:
        import secondstory.notify.services

        monkeypatch.setattr(secondstory.notify.services, "send", Spy())
        load(earlier())
        load(later("PM-2", DONE + timedelta(days=20)))
        assert check_recurrences(today=(DONE + timedelta(days=10)).date()) == []
        assert len(check_recurrences(today=(DONE + timedelta(days=30)).date())) == 1

    def test_restricted_postmortem_is_not_named_to_an_owner_who_cannot_read_it(
        self, charlie: User, monkeypatch: Any
    ) -> None:
        import secondstory.notify.services

        spy = Spy()
        monkeypatch.setattr(secondstory.notify.services, "send", spy)
        record = earlier()
        record.action_items[0] = replace(record.action_items[0], owner="charlie")
        record.people["charlie"] = replace(record.people["alice"], username="charlie")
        load(record)
        load(later("PM-2", DONE + timedelta(days=3), visibility="restricted", title="Secret"))
        check_recurrences()
        (call,) = spy.calls
        assert call["user"] == charlie
        assert "restricted postmortem" in call["text"]
        assert "PM-2" not in call["text"] and "Secret" not in call["text"]
        assert "in common" not in call["text"]

    def test_a_dead_channel_costs_three_tries_per_run_and_each_notice_three_in_all(
        self, settings: Any
    ) -> None:
        settings.EMAIL_HOST = settings.SECONDSTORY_SLACK_WEBHOOK_URL = ""
        settings.SECONDSTORY_NOTIFY_WEBHOOK_URL = f"http://127.0.0.1:{free_port()}/hook"
        load(earlier())
        for number in range(6):
            load(later(f"PM-{number + 2}", DONE + timedelta(days=5 + number)))

        def tries() -> int:
            return sum(Delivery.objects.values_list("attempts", flat=True))

        assert len(check_recurrences()) == 6
        assert tries() == 3
        for _ in range(6):
            retry_failed()
            check_recurrences()
        assert tries() == 18
        assert set(Delivery.objects.values_list("status", "attempts")) == {("failed", 3)}
        assert not Recurrence.objects.filter(notified_at__isnull=True).exists()

    def test_real_notify_service_accepts_the_call(self) -> None:
        load(earlier())
        load(later("PM-2", DONE + timedelta(days=3)))
        assert len(check_recurrences()) == 1
        assert Recurrence.objects.get().notified_at is not None


@pytest.mark.django_db
def test_demo_organisation_has_recurrences(monkeypatch: Any) -> None:
    import secondstory.notify.services
    from secondstory.postmortems.demo import load_demo

    load_demo(login=False)
    # A recurrence is the same kind of failure on the same service, not a broad category
    # appearing again: the demo's recurring themes, not every later factor of the category.
    matches = find_matches(ActionItem.objects.all())
    done = ActionItem.objects.filter(status="done").count()
    assert matches and len(matches) < 2 * done
    assert all(len(m.shared) >= 3 for m in matches)
    spy = Spy()
    monkeypatch.setattr(secondstory.notify.services, "send", spy)
    created = check_recurrences()
    assert created
    assert len(spy.calls) == len(created)
    assert check_recurrences() == []
    sample = min(created, key=lambda r: (r.item.postmortem.key, r.item.key))
    reader = User.objects.create_superuser("root", "root@example.com", "x")
    html = page(reader, sample.item.postmortem.key)
    later_key = sample.factor.postmortem.key
    assert f'<a href="/postmortems/{later_key}/#factor-{sample.factor.key}"' in html
    html = page(reader, later_key)
    assert f"{sample.item.key} of {sample.item.postmortem.key}</a> was done" in html


# Coarse steps, so that incidents often start exactly at a completion or a window's end.
_moments = st.integers(min_value=0, max_value=24).map(lambda n: DONE + timedelta(hours=84 * n))
_incidents = st.builds(
    _Incident, _moments, st.frozensets(st.integers(min_value=1, max_value=2), max_size=2)
)


# Factor descriptions as their specific terms, from a small vocabulary so that they often meet.
_terms = st.frozensets(st.sampled_from(["pool", "size", "config", "alert", "lag"]), max_size=4)


@st.composite
def _item(draw: st.DrawFn, n: int) -> _Item:
    categories = draw(st.sets(st.integers(1, 2), max_size=2))
    return _Item(
        n,
        f"A{n}",
        draw(st.integers(1, 4)),
        "PM",
        draw(_moments),
        categories,
        draw(st.sets(st.integers(1, 2), max_size=2)),
        {c: draw(st.lists(_terms, min_size=1, max_size=2)) for c in categories},
    )


@st.composite
def _cases(draw: st.DrawFn) -> tuple[list[_Item], list[_Factor], int]:
    items = [draw(_item(n)) for n in range(draw(st.integers(0, 4)))]
    factors = [
        _Factor(
            n,
            f"F{n}",
            draw(st.integers(1, 4)),
            "PM",
            "title",
            draw(st.integers(1, 2)),
            "c",
            draw(st.lists(_incidents, max_size=3)),
            draw(_terms),
        )
        for n in range(draw(st.integers(0, 6)))
    ]
    return items, factors, draw(st.integers(0, 90) | st.integers(0, 12).map(lambda n: 7 * n))


# Generating the cases can be slow on a busy machine; the property is what is tested.
@hypothesis_settings(suppress_health_check=[HealthCheck.too_slow])
@given(_cases())
def test_pairing_agrees_with_the_definition(case: tuple[list[_Item], list[_Factor], int]) -> None:
    items, factors, window = case
    expected = set()
    for item in items:
        for factor in factors:
            if factor.postmortem_id == item.postmortem_id:
                continue
            if factor.category_id not in item.categories:
                continue
            kinds = [shared_terms(a, factor.terms) for a in item.addressed[factor.category_id]]
            if not any(kinds):
                continue
            hits = [
                i
                for i in factor.incidents
                if item.completed_at < i.start <= item.completed_at + timedelta(days=window)
                and i.services & item.services
            ]
            if hits:
                first = min(hits, key=lambda i: i.start)
                days = (first.start - item.completed_at).days
                expected.add((item.id, factor.id, days, first.start, max(kinds, key=len)))
    found = {
        (m.item_id, m.factor_id, m.days, m.started_at, m.shared)
        for m in _pair(items, factors, window)
    }
    assert found == expected


def test_kind_examples_stay_true() -> None:
    import doctest

    import secondstory.actions.kind

    assert doctest.testmod(secondstory.actions.kind).failed == 0


def test_kind_folds_word_forms_and_drops_the_generic_words() -> None:
    generic = generic_terms(["Detection", "How and how fast the problem was noticed.", "edge"])
    assert terms("Alerts were noticed late on the edge proxies", generic) == frozenset(
        {"alert", "late", "proxy"}
    )


def test_kind_needs_three_shared_terms_or_all_of_a_two_term_description() -> None:
    long_a = terms("The replica lag alert fires after the pool is exhausted")
    long_b = terms("The replica lag alert stayed silent while the queue grew")
    assert shared_terms(long_a, long_b) == ("alert", "lag", "replica")
    assert shared_terms(long_a, terms("The replica lag grew while the queue drained")) == ()
    assert shared_terms(terms("Replica lag"), long_b) == ("lag", "replica")
    assert shared_terms(terms("Lag"), long_b) == ()
