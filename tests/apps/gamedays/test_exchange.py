"""A game day travels with its review through ``secondstory export`` and ``load``."""

from __future__ import annotations

from pathlib import Path

import pytest

from secondstory.accounts.models import User
from secondstory.actions.models import ActionItem
from secondstory.core.timeline.event import TimelineEvent as EventData
from secondstory.gamedays import services
from secondstory.gamedays.models import GameDay, Verification
from secondstory.incidents.models import Incident
from secondstory.incidents.services import add_timeline_event
from secondstory.postmortems.exchange import export_all, export_postmortem, load_paths, load_text
from secondstory.postmortems.models import Postmortem
from secondstory.postmortems.records import postmortems_for_export
from tests.apps.gamedays.conftest import SCHEDULED

pytestmark = pytest.mark.django_db


@pytest.fixture
def verified(game_day: GameDay, done_item: ActionItem, alice: User) -> GameDay:
    game_day = services.set_status(game_day, "running", at=SCHEDULED)
    event = add_timeline_event(
        game_day.postmortem.incidents.get(),
        EventData(SCHEDULED, "observation", "manual", "o1", "The config tool refused size 1"),
    )
    services.verify_action_item(
        done_item, game_day, note="Refused as designed.", by=alice, observation=event
    )
    return game_day


def _export(postmortem: Postmortem) -> str:
    return export_postmortem(postmortems_for_export().get(pk=postmortem.pk))


def test_the_review_file_carries_the_game_day(verified: GameDay) -> None:
    text = _export(verified.postmortem)
    assert text.startswith("---\nsecondstory: 2\n")
    assert "game_day:\n  key: GD-0001\n  status: running\n" in text
    assert "  - item: PM-1/A1\n    note: Refused as designed.\n    observation: manual:o1\n" in text
    assert "bob: {name: Bob Teammate" in text  # a participant is among the people


def test_an_ordinary_postmortem_is_still_version_1(postmortem: Postmortem) -> None:
    assert _export(postmortem).startswith("---\nsecondstory: 1\n")


def test_loading_the_file_restores_the_game_day(verified: GameDay) -> None:
    text = _export(verified.postmortem)
    GameDay.objects.filter(pk=verified.pk).update(hypothesis="changed", status="planned")
    Verification.objects.all().delete()
    _, outcome = load_text(text, source="review.md")
    assert outcome == "updated"
    game_day = GameDay.objects.get()
    assert game_day.status == "running" and game_day.hypothesis != "changed"
    verification = Verification.objects.get()
    assert verification.observation is not None and verification.observation.source_ref == "o1"
    assert _export(game_day.postmortem) == text


def test_a_whole_export_loads_into_an_empty_installation(verified: GameDay, tmp_path: Path) -> None:
    assert export_all(tmp_path) == 2
    GameDay.objects.all().delete()
    Postmortem.objects.all().delete()
    Incident.objects.all().delete()
    # The review's file sorts first; the loader takes it last, after the item it verifies.
    assert sorted(p.name for p in tmp_path.iterdir())[0] == f"{verified.postmortem.key}.md"
    report = load_paths([tmp_path])
    assert not report.failed, report.lines()
    game_day = GameDay.objects.get()
    assert game_day.postmortem.is_exercise
    assert game_day.postmortem.incidents.get().is_exercise
    assert Verification.objects.get().item.postmortem.key == "PM-1"
    assert sorted(game_day.participants.values_list("username", flat=True)) == ["alice", "bob"]


def test_a_review_verifying_an_unknown_item_is_refused_whole(verified: GameDay) -> None:
    from secondstory.core.exchange import ExchangeError

    text = _export(verified.postmortem).replace("item: PM-1/A1", "item: PM-1/A9")
    before = _export(verified.postmortem)
    with pytest.raises(ExchangeError) as error:
        load_text(text, source="review.md")
    assert "game_day.verifies[0].item: no action item PM-1/A9" in str(error.value)
    assert _export(verified.postmortem) == before


def test_restoring_a_revision_of_the_review_keeps_the_game_day_as_it_is(
    verified: GameDay, alice: User
) -> None:
    from secondstory.postmortems.revisions import record_revision
    from secondstory.postmortems.writing_services import restore_revision

    revision = record_revision(verified.postmortem, author=alice, summary="While running")
    assert revision is not None and "status: running" in revision.snapshot
    services.set_status(verified, "done", at=SCHEDULED.replace(hour=12))
    restore_revision(verified.postmortem, revision, author=alice)
    assert GameDay.objects.get().status == "done" and Verification.objects.count() == 1
