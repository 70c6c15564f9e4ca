from __future__ import annotations

from datetime import timedelta

import pytest

from secondstory.accounts.models import User
from secondstory.actions.models import ActionItem
from secondstory.incidents.models import Incident, TimelineEvent
from secondstory.postmortems.models import ContributingFactor, Postmortem
from secondstory.postmortems.records import RecordInvalid, load_record, record_for
from tests.apps.factories import postmortem_record


def counts() -> tuple[int, ...]:
    return tuple(
        m.objects.count()
        for m in (User, Incident, TimelineEvent, Postmortem, ContributingFactor, ActionItem)
    )


@pytest.mark.django_db
def test_loading_a_record_creates_people_incident_and_everything() -> None:
    postmortem = load_record(postmortem_record())
    assert postmortem.owner.name == "Alice Owner"
    assert not postmortem.owner.has_usable_password()
    incident = postmortem.incidents.get()
    assert incident.timeline.count() == 4
    assert incident.milestones.count() == 5
    assert postmortem.factors.get(key="F1").events.get().source_ref == "deploy-881"
    assert postmortem.action_items.get().factors.get().key == "F1"


@pytest.mark.django_db
def test_loading_twice_updates_and_never_duplicates() -> None:
    load_record(postmortem_record())
    before = counts()
    record = postmortem_record()
    record.title = "A better title"
    record.incidents[0].timeline[0].text = "Deployed config change 881 (canary skipped)"
    load_record(record)
    assert counts() == before
    assert Postmortem.objects.get().title == "A better title"
    assert TimelineEvent.objects.get(source_ref="deploy-881").text.endswith("(canary skipped)")


@pytest.mark.django_db
def test_record_round_trips_through_the_database() -> None:
    original = postmortem_record()
    loaded = record_for(load_record(original))
    assert loaded.incidents[0].timeline == original.incidents[0].timeline
    assert [m.at.utcoffset() for m in loaded.incidents[0].milestones] == [timedelta(hours=1)] * 5
    assert loaded.factors == original.factors
    assert loaded.action_items == original.action_items
    assert loaded.sections == original.sections
    assert record_for(load_record(loaded)) == loaded


@pytest.mark.django_db
def test_an_invalid_record_leaves_the_database_unchanged() -> None:
    load_record(postmortem_record())
    before = counts()
    record = postmortem_record()
    record.title = "changed"
    record.action_items[0].status = "not_doing"
    with pytest.raises(RecordInvalid, match=r"action_items\[0\]\.reason"):
        load_record(record)
    assert counts() == before
    assert Postmortem.objects.get().title != "changed"


@pytest.mark.django_db
def test_removed_factors_and_items_are_removed_on_reload() -> None:
    load_record(postmortem_record())
    record = postmortem_record()
    record.factors = record.factors[1:]
    record.action_items = []
    load_record(record)
    assert list(ContributingFactor.objects.values_list("key", flat=True)) == ["F2"]
    assert ActionItem.objects.count() == 0
