"""Planning, running and verifying through the services."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from secondstory.accounts.models import User
from secondstory.actions.models import ActionItem
from secondstory.core.timeline.event import TimelineEvent as EventData
from secondstory.gamedays import services
from secondstory.gamedays.models import GameDay
from secondstory.incidents.services import add_timeline_event
from secondstory.postmortems.models import Postmortem
from tests.apps.gamedays.conftest import SCHEDULED, fields

pytestmark = pytest.mark.django_db


def test_planning_starts_an_exercise_incident_and_review(game_day: GameDay, alice: User) -> None:
    review = game_day.postmortem
    assert game_day.key == "GD-0001"
    assert game_day.status == "planned"
    assert review.is_exercise and review.owner == alice and review.title == game_day.title
    (incident,) = review.incidents.all()
    assert incident.is_exercise
    assert list(incident.services.values_list("slug", flat=True)) == ["checkout"]
    assert list(review.collaborators.values_list("username", flat=True)) == ["bob"]


def test_a_second_game_day_takes_the_next_key(game_day: GameDay, alice: User) -> None:
    assert services.plan_game_day(fields(), by=alice).key == "GD-0002"


def test_a_plan_without_a_hypothesis_writes_nothing(postmortem: Postmortem, alice: User) -> None:
    before = Postmortem.objects.count()
    with pytest.raises(ValidationError) as error:
        services.plan_game_day(fields(hypothesis="  "), by=alice)
    assert "hypothesis" in error.value.message_dict
    assert Postmortem.objects.count() == before and not GameDay.objects.exists()


def test_times_that_contradict_are_refused(game_day: GameDay) -> None:
    with pytest.raises(ValidationError) as error:
        services.update_game_day(
            game_day, fields(started_at=SCHEDULED, ended_at=SCHEDULED.replace(hour=8))
        )
    assert error.value.message_dict == {"ended_at": ["the game day ends before it starts"]}


def test_start_then_finish_stamps_the_times(game_day: GameDay) -> None:
    running = services.set_status(game_day, "running", at=SCHEDULED)
    assert running.started_at == SCHEDULED and running.ended_at is None
    done = services.set_status(running, "done", at=SCHEDULED.replace(hour=11))
    assert done.status == "done" and done.ended_at == SCHEDULED.replace(hour=11)
    with pytest.raises(ValidationError, match="a done game day stays done"):
        services.set_status(done, "running")


def _observation(game_day: GameDay) -> object:
    incident = game_day.postmortem.incidents.get()
    return add_timeline_event(
        incident,
        EventData(SCHEDULED, "observation", "manual", "o1", "Pool alert fired after 70 s"),
    )


def test_a_done_item_is_verified_with_its_evidence(
    game_day: GameDay, done_item: ActionItem, alice: User
) -> None:
    game_day = services.set_status(game_day, "running", at=SCHEDULED)
    event = _observation(game_day)
    verification = services.verify_action_item(
        done_item, game_day, note="The config tool refused size 1.", by=alice, observation=event
    )
    assert verification.observation == event
    assert services.verifications_of(done_item) == [verification]
    with pytest.raises(ValidationError, match="already verified"):
        services.verify_action_item(done_item, game_day, note="again", by=alice)


def test_only_done_items_after_the_game_day_ran(
    game_day: GameDay, postmortem: Postmortem, alice: User
) -> None:
    item = postmortem.action_items.get(key="A1")
    with pytest.raises(ValidationError) as error:
        services.verify_action_item(item, game_day, note="", by=alice)
    assert set(error.value.message_dict) == {"note", "item", "game_day"}


def test_an_observation_of_another_timeline_is_refused(
    game_day: GameDay, done_item: ActionItem, postmortem: Postmortem, alice: User
) -> None:
    game_day = services.set_status(game_day, "running", at=SCHEDULED)
    elsewhere = postmortem.incidents.get().timeline.first()
    with pytest.raises(ValidationError) as error:
        services.verify_action_item(
            done_item, game_day, note="It held.", by=alice, observation=elsewhere
        )
    assert "observation" in error.value.message_dict


def test_insights_and_health_leave_exercises_out(game_day: GameDay, postmortem: Postmortem) -> None:
    from django.utils import timezone

    from secondstory.insights import health_data
    from secondstory.insights.scope import Scope, date_range, incident_ids, incidents_in

    today = timezone.localdate()
    scope = Scope(date_range({"from": "2000-01-01"}, today), today)
    exercise = game_day.postmortem.incidents.get()
    real = postmortem.incidents.get()
    assert set(incidents_in(scope)) == {real}
    assert set(incident_ids(scope).values_list("incident_id", flat=True)) == {real.pk}
    keys = {row.key for row in health_data.build(today).postmortems}
    assert game_day.postmortem.key not in keys and exercise.key not in keys
