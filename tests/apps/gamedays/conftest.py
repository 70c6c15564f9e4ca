"""A planned game day on checkout, and a done action item of an earlier postmortem."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from secondstory.accounts.models import User
from secondstory.actions.models import ActionItem
from secondstory.actions.services import set_status
from secondstory.gamedays.models import GameDay
from secondstory.gamedays.services import GameDayFields, plan_game_day
from secondstory.incidents.models import Service
from secondstory.postmortems.models import FactorCategory, Postmortem

SCHEDULED = datetime(2026, 5, 20, 9, 0, tzinfo=UTC)


@pytest.fixture
def vera(db: None) -> User:
    return User.objects.create(username="vera", display_name="Vera Viewer", role="viewer")


def fields(**changes: object) -> GameDayFields:
    base = GameDayFields(
        title="Drop the checkout connection pool to one",
        hypothesis="Checkout sheds load and the pool alert fires within two minutes.",
        steady_state="checkout success rate",
        steady_state_expected="≥ 99.5 %",
        blast_radius="Staging checkout only",
        abort_conditions="Success rate below 95 % for five minutes",
        fault="Set the pool size to 1 with the config tool",
        scheduled_at=SCHEDULED,
        services=list(Service.objects.filter(slug="checkout")),
        categories=list(FactorCategory.objects.filter(code="tooling")),
    )
    for name, value in changes.items():
        setattr(base, name, value)
    return base


@pytest.fixture
def game_day(postmortem: Postmortem, alice: User, bob: User) -> GameDay:
    return plan_game_day(fields(participants=[alice, bob]), by=alice)


@pytest.fixture
def done_item(postmortem: Postmortem) -> ActionItem:
    item = postmortem.action_items.get(key="A1")
    return set_status(item, "done")
