"""Many people starting a postmortem (or an incident) at once each get their own key."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connections
from django.utils import timezone

from secondstory.accounts.models import User
from secondstory.incidents.editing import IncidentFields, create_incident
from secondstory.incidents.models import Incident, Severity
from secondstory.postmortems import writing_services
from secondstory.postmortems.models import Postmortem
from secondstory.postmortems.writing_services import start_postmortem

RACERS = 8


def race(work: Callable[[], object]) -> list[BaseException]:
    """Run ``work`` in RACERS threads released together; the errors they raised."""
    gate = threading.Barrier(RACERS)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            gate.wait()
            work()
        except BaseException as exc:  # collected for the assertion, not swallowed
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def fields(title: str) -> IncidentFields:
    return IncidentFields(
        title=title,
        severity=Severity.objects.get(code="SEV2"),
        visibility="internal",
        services=[],
        teams=[],
        tags=[],
        external_references=[],
        milestones={},
        milestone_order_note="",
    )


@pytest.mark.django_db(transaction=True)
def test_simultaneous_starts_each_get_a_postmortem(alice: User) -> None:
    incident = Incident.objects.create(
        key="INC-1", title="Checkout errors", severity=Severity.objects.get(code="SEV2")
    )
    errors = race(lambda: start_postmortem(incident, owner=alice, template=None))
    assert errors == []
    keys = sorted(Postmortem.objects.values_list("key", flat=True))
    assert keys == [f"PM-{n:04d}" for n in range(1, RACERS + 1)]


@pytest.mark.django_db(transaction=True)
def test_simultaneous_incidents_each_get_a_key(alice: User) -> None:
    errors = race(lambda: create_incident(fields("Checkout errors"), by=alice))
    assert errors == []
    keys = sorted(Incident.objects.values_list("key", flat=True))
    assert keys == [f"INC-{n:04d}" for n in range(1, RACERS + 1)]


@pytest.mark.django_db
def test_a_key_taken_by_other_means_is_skipped(
    alice: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A load may take the key between the look and the insert: the next key is used."""
    incident = Incident.objects.create(
        key="INC-1", title="Checkout errors", severity=Severity.objects.get(code="SEV2")
    )
    Postmortem.objects.create(key="PM-0001", title="Loaded", owner=alice, created_at=timezone.now())
    looks = iter(["PM-0001", "PM-0002"])  # the first look is stale, as in a race
    monkeypatch.setattr(writing_services, "next_postmortem_key", lambda: next(looks))
    started = start_postmortem(incident, owner=alice, template=None)
    assert started.key == "PM-0002"
    assert started.revisions.count() == 1
