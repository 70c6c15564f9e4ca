from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from secondstory.accounts.models import User
from secondstory.postmortems.models import Postmortem
from secondstory.postmortems.services import transition


def test_the_lifecycle_records_who_and_when(postmortem: Postmortem, alice: User, bob: User) -> None:
    transition(postmortem, "in_review", by=alice)
    transition(postmortem, "approved", by=bob, note="Clear and blameless.")
    transition(postmortem, "published", by=alice)
    postmortem.refresh_from_db()
    assert postmortem.status == "published"
    assert postmortem.submitted_at and postmortem.approved_at and postmortem.published_at
    steps = [(t.from_status, t.to_status, t.by.username) for t in postmortem.transitions.all()]
    assert steps == [
        ("draft", "in_review", "alice"),
        ("in_review", "approved", "bob"),
        ("approved", "published", "alice"),
    ]


def test_an_illegal_transition_is_refused_and_changes_nothing(
    postmortem: Postmortem, alice: User
) -> None:
    with pytest.raises(ValidationError, match="cannot move from Draft to Published"):
        transition(postmortem, "published", by=alice)
    postmortem.refresh_from_db()
    assert postmortem.status == "draft"
    assert postmortem.transitions.count() == 0


def test_publishing_needs_summary_factor_and_timeline(
    postmortem: Postmortem, alice: User, bob: User
) -> None:
    transition(postmortem, "in_review", by=alice)
    transition(postmortem, "approved", by=bob)
    Postmortem.objects.filter(pk=postmortem.pk).update(summary="")
    postmortem.factors.all().delete()
    with pytest.raises(ValidationError) as caught:
        transition(postmortem, "published", by=alice)
    assert caught.value.messages == [
        "a published postmortem needs a summary",
        "a published postmortem needs at least one contributing factor",
    ]
    postmortem.refresh_from_db()
    assert postmortem.status == "approved"


def test_not_required_needs_a_reason(postmortem: Postmortem, alice: User) -> None:
    with pytest.raises(ValidationError, match="say why"):
        transition(postmortem, "not_required", by=alice)
    transition(postmortem, "not_required", by=alice, note="Duplicate of PM-7.")
    postmortem.refresh_from_db()
    assert postmortem.not_required_reason == "Duplicate of PM-7."
    assert postmortem.not_required_at is not None


def test_reviewers_can_send_a_postmortem_back(
    postmortem: Postmortem, alice: User, bob: User
) -> None:
    transition(postmortem, "in_review", by=alice)
    transition(postmortem, "draft", by=bob, note="The timeline stops before recovery.")
    postmortem.refresh_from_db()
    assert postmortem.status == "draft"
