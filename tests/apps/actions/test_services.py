from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import ValidationError

from secondstory.accounts.models import User
from secondstory.actions.models import ActionItem
from secondstory.actions.services import create_action_item, set_status
from secondstory.postmortems.models import Postmortem


def test_an_action_item_without_owner_is_refused(postmortem: Postmortem) -> None:
    with pytest.raises(ValidationError, match="exactly one owner"):
        create_action_item(
            postmortem,
            title="Add a canary",
            type="prevent",
            priority="P1",
            owner=None,
            due=date(2026, 5, 1),
        )
    assert postmortem.action_items.count() == 1


def test_a_new_action_item_gets_the_next_key(postmortem: Postmortem, bob: User) -> None:
    item = create_action_item(
        postmortem,
        title="Add a canary",
        type="prevent",
        priority="P1",
        owner=bob,
        due=date(2026, 5, 1),
    )
    assert (item.key, item.position, item.status) == ("A2", 1, "open")


def test_not_doing_needs_a_reason(postmortem: Postmortem) -> None:
    item = postmortem.action_items.get()
    with pytest.raises(ValidationError, match="needs a reason"):
        set_status(item, "not_doing")
    item.refresh_from_db()
    assert item.status == "open"
    set_status(item, "not_doing", reason="Superseded by the config service rewrite.")
    assert ActionItem.objects.get(pk=item.pk).reason.startswith("Superseded")


def test_done_records_when_and_late_is_visible(postmortem: Postmortem) -> None:
    item = postmortem.action_items.get()
    set_status(item, "done", at=datetime(2026, 4, 20, 10, tzinfo=UTC))
    item.refresh_from_db()
    assert item.done_late  # due 2026-04-04
    assert not item.is_overdue(date(2026, 5, 1))
    set_status(item, "open")
    item.refresh_from_db()
    assert item.completed_at is None and item.is_overdue(date(2026, 5, 1))
    assert item.days_overdue(date(2026, 5, 1)) == 27
