"""Recurrence matches kept between page views: kept, and dropped whenever their data changes.

These tests run outside a wrapping transaction (nothing is kept inside one), on a real
database connection carrying the watching wrapper.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from secondstory.accounts.models import Team, User
from secondstory.actions import recurrence_cache
from secondstory.actions.models import ActionItem
from secondstory.actions.recurrence_evidence import factor_recurrences, item_evidence
from secondstory.incidents.models import Incident, Service, TimelineEvent
from secondstory.lib import kept
from secondstory.postmortems.models import ContributingFactor, Postmortem
from tests.apps.actions.test_recurrence import DONE, earlier, later, load

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("people")]


@pytest.fixture
def people(alice: User, bob: User, charlie: User, payments: Team) -> None:
    return None


@pytest.fixture(autouse=True)
def empty_cache() -> Any:
    recurrence_cache.KEPT.forget()
    yield
    recurrence_cache.KEPT.forget()


def recurred_items(postmortem: Postmortem, user: User) -> list[str]:
    evidence = item_evidence(postmortem, user)
    return sorted(s.key for e in evidence.values() for s in e.recurrences)


def queries(work: Any) -> int:
    with CaptureQueriesContext(connection) as captured:
        work()
    return len(captured)


def test_a_second_view_reads_only_what_depends_on_the_reader(alice: User) -> None:
    first = load(earlier())
    load(later("PM-2", DONE + timedelta(days=34)))
    cold = queries(lambda: item_evidence(first, alice))
    warm = queries(lambda: item_evidence(first, alice))
    assert len(recurrence_cache.KEPT) == 1
    assert warm == 1 < cold  # which of the other postmortems this reader may read
    assert recurred_items(first, alice) == ["PM-2"]


def test_a_new_factor_is_seen_at_once(alice: User) -> None:
    first = load(earlier())
    assert recurred_items(first, alice) == []
    load(later("PM-2", DONE + timedelta(days=34)))
    assert recurred_items(first, alice) == ["PM-2"]


def test_a_changed_factor_is_seen_at_once(alice: User) -> None:
    first = load(earlier())
    second = load(later("PM-2", DONE + timedelta(days=34)))
    assert recurred_items(first, alice) == ["PM-2"]
    factor = ContributingFactor.objects.get(postmortem=second)
    factor.description = "The tool's dashboard took two minutes to load."
    factor.save()
    assert recurred_items(first, alice) == []


def test_a_bulk_update_is_seen_at_once(alice: User) -> None:
    first = load(earlier())
    load(later("PM-2", DONE + timedelta(days=34)))
    assert recurred_items(first, alice) == ["PM-2"]
    ActionItem.objects.filter(postmortem=first).update(status="open", completed_at=None)
    assert item_evidence(first, alice) == {}


def test_a_changed_service_of_an_incident_is_seen_at_once(alice: User) -> None:
    first = load(earlier())
    second = load(later("PM-2", DONE + timedelta(days=34)))
    assert sorted(factor_recurrences(second, alice)) != []
    incident = Incident.objects.get(postmortems=second)
    incident.services.set([Service.objects.create(slug="elsewhere", name="Elsewhere")])
    assert factor_recurrences(second, alice) == {}
    assert recurred_items(first, alice) == []


def test_writes_elsewhere_keep_what_is_kept(alice: User) -> None:
    first = load(earlier())
    load(later("PM-2", DONE + timedelta(days=34)))
    item_evidence(first, alice)
    incident = Incident.objects.get(postmortems=first)
    TimelineEvent.objects.create(incident=incident, at=timezone.now(), text="A note.")
    Postmortem.objects.filter(pk=first.pk).update(summary="Edited.")
    assert len(recurrence_cache.KEPT) == 1


def test_entries_expire(alice: User, settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    first = load(earlier())
    item_evidence(first, alice)
    clock = kept.time.monotonic() + settings.SECONDSTORY_KEPT_ANSWERS_SECONDS
    monkeypatch.setattr(kept.time, "monotonic", lambda: clock + 1)
    assert queries(lambda: item_evidence(first, alice)) > 1


def test_nothing_is_kept_inside_a_transaction(alice: User) -> None:
    first = load(earlier())
    with transaction.atomic():
        item_evidence(first, alice)
    assert len(recurrence_cache.KEPT) == 0


def test_keeping_can_be_turned_off(alice: User, settings: Any) -> None:
    settings.SECONDSTORY_KEPT_ANSWERS_SECONDS = 0
    first = load(earlier())
    item_evidence(first, alice)
    assert len(recurrence_cache.KEPT) == 0
