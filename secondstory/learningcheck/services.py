"""Opening, answering and closing a postmortem's learning check, and reading its results.

Used by the views, the insights and the health checks alike. Who may answer is decided
by ``respondents`` (one place); who may open, close and read results by
``secondstory.accounts.permissions``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from secondstory.accounts.models import User
from secondstory.core import learningcheck
from secondstory.learningcheck.models import Answer, Respondent, Survey
from secondstory.postmortems.models import Postmortem, PostmortemTransition

#: Reaching one of these states means the review is being held: the survey opens.
OPENING_STATES = ("in_review", "published")
_shuffle = random.SystemRandom().shuffle


def respondents(postmortem: Postmortem) -> set[int]:
    """The ids of the people who may answer the postmortem's learning check.

    When a review meeting was held, they are the people who attended the latest one
    (``secondstory.reviews.services.attendees_of``). A review held without a meeting
    recorded here falls back to the people named on the postmortem: the owner, the
    facilitator, the collaborators and the reviewers.
    """
    from secondstory.reviews.services import attendees_of

    attended = attendees_of(postmortem)
    if attended:
        return {person.pk for person in attended}
    people = {postmortem.owner_id}
    if postmortem.facilitator_id is not None:
        people.add(postmortem.facilitator_id)
    people.update(p.pk for p in postmortem.collaborators.all())  # prefetched ones if any
    people.update(p.pk for p in postmortem.reviewers.all())
    return people


def open_days() -> int:
    return int(getattr(settings, "SECONDSTORY_LEARNING_CHECK_DAYS", 7))


def survey_of(postmortem: Postmortem) -> Survey | None:
    return Survey.objects.filter(postmortem=postmortem).first()


def is_open(survey: Survey | None, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return survey is not None and survey.closed_at is None and now < survey.closes_at


def open_learning_check(postmortem: Postmortem, *, at: datetime | None = None) -> Survey:
    """Open the postmortem's learning check for ``SECONDSTORY_LEARNING_CHECK_DAYS`` days
    from ``at`` (now), when the review is held. Opening one that is open does nothing;
    opening a closed one opens it again (its answers are kept)."""
    at = at or timezone.now()
    closes = at + timedelta(days=open_days())
    with transaction.atomic():
        survey, created = Survey.objects.select_for_update().get_or_create(
            postmortem=postmortem, defaults={"opened_at": at, "closes_at": closes}
        )
        if not created and not is_open(survey, at):
            survey.closed_at = None
            survey.closes_at = closes
            survey.save(update_fields=["closed_at", "closes_at"])
    return survey


def close_learning_check(survey: Survey, *, at: datetime | None = None) -> Survey:
    """Close it by hand: no more answers (the results stay)."""
    if not is_open(survey, at):
        raise ValidationError({"survey": "the learning check is already closed"})
    survey.closed_at = at or timezone.now()
    survey.save(update_fields=["closed_at"])
    return survey


def open_on_review(sender: Any, instance: PostmortemTransition, created: bool, **_: Any) -> None:
    """A postmortem that reaches review or publication opens its learning check."""
    if created and instance.to_status in OPENING_STATES:
        survey = survey_of(instance.postmortem)
        if survey is None:
            open_learning_check(instance.postmortem, at=instance.at)


def has_answered(survey: Survey, person: User) -> bool:
    return Respondent.objects.filter(survey=survey, person=person).exists()


def answer(survey: Survey, person: User, scores: dict[str, Any]) -> None:
    """Store ``person``'s answer, anonymously: one ``Respondent`` row (who) and one
    ``Answer`` row (what) that nothing links together. The survey's answers are then
    re-written in a random order, so row order and row numbers say nothing either.

    Raises ValidationError when the survey is closed, the person is not a respondent,
    has answered already, or a score is missing or off the scale.
    """
    try:
        checked = learningcheck.check_answer(scores)
    except ValueError as error:
        raise ValidationError(str(error)) from None
    with transaction.atomic():
        locked = Survey.objects.select_for_update().select_related("postmortem").get(pk=survey.pk)
        if not is_open(locked):
            raise ValidationError("the learning check of this review is closed")
        if person.pk not in respondents(locked.postmortem):
            raise ValidationError("only the people at the review answer its learning check")
        try:
            with transaction.atomic():
                Respondent.objects.create(survey=locked, person=person)
        except IntegrityError:
            raise ValidationError("you have answered this learning check already") from None
        _rewrite_shuffled(locked, Answer(survey=locked, **checked))


def _rewrite_shuffled(survey: Survey, new: Answer) -> None:
    kept = [Answer(survey=survey, **a.scores()) for a in Answer.objects.filter(survey=survey)]
    Answer.objects.filter(survey=survey).delete()
    rows = [*kept, new]
    _shuffle(rows)
    Answer.objects.bulk_create(rows)  # fresh random keys, in a random order


@dataclass(frozen=True, slots=True)
class Results:
    """What a reader sees of a survey: how many answered and, from 3 answers, the
    distributions (None below that)."""

    survey: Survey
    answered: int
    eligible: int
    summary: learningcheck.Summary | None


def answer_rows(survey: Survey) -> list[dict[str, int]]:
    """The survey's answers as ``{code: score}``, in no meaningful order."""
    return list(Answer.objects.filter(survey=survey).values(*learningcheck.CODES))


def results(survey: Survey) -> Results:
    rows = answer_rows(survey)
    return Results(
        survey=survey,
        answered=len(rows),
        eligible=len(respondents(survey.postmortem)),
        summary=learningcheck.summarise(rows),
    )
