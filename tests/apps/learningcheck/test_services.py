"""Answering a learning check: once per person at the review, anonymously, while open."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from secondstory.accounts.models import User
from secondstory.audit.models import AuditEvent
from secondstory.learningcheck import services
from secondstory.learningcheck.models import Answer, Respondent, Survey
from secondstory.postmortems.models import Postmortem
from secondstory.postmortems.services import transition
from tests.apps.learningcheck.conftest import scores


def test_respondents_are_the_people_named_on_the_postmortem(
    review: Postmortem, alice: User, bob: User, charlie: User, dana: User, erin: User
) -> None:
    assert services.respondents(review) == {alice.pk, bob.pk, dana.pk, erin.pk}


def test_each_person_answers_once_and_outsiders_not_at_all(
    survey: Survey, alice: User, charlie: User
) -> None:
    services.answer(survey, alice, scores(6))
    with pytest.raises(ValidationError, match="answered this learning check already"):
        services.answer(survey, alice, scores(2))
    with pytest.raises(ValidationError, match="only the people at the review"):
        services.answer(survey, charlie, scores(2))
    assert Answer.objects.count() == 1 and Respondent.objects.count() == 1


def test_a_bad_score_names_the_item_and_writes_nothing(survey: Survey, alice: User) -> None:
    with pytest.raises(ValidationError, match="safe_to_speak: 9 is not on the scale"):
        services.answer(survey, alice, scores(4, safe_to_speak=9))
    assert not Answer.objects.exists() and not Respondent.objects.exists()


def test_a_closed_check_takes_no_answers(survey: Survey, alice: User, bob: User) -> None:
    services.close_learning_check(survey)
    with pytest.raises(ValidationError, match="closed"):
        services.answer(survey, alice, scores(5))
    expired = services.open_learning_check(survey.postmortem)  # opened again
    Survey.objects.filter(pk=expired.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(ValidationError, match="closed"):
        services.answer(Survey.objects.get(pk=expired.pk), bob, scores(5))


def test_it_closes_after_the_configured_days(review: Postmortem, settings: object) -> None:
    settings.SECONDSTORY_LEARNING_CHECK_DAYS = 3  # type: ignore[attr-defined]
    now = timezone.now()
    survey = services.open_learning_check(review, at=now)
    assert survey.closes_at == now + timedelta(days=3)
    assert services.is_open(survey, now + timedelta(days=2))
    assert not services.is_open(survey, now + timedelta(days=3))


def test_it_opens_when_the_postmortem_goes_into_review(review: Postmortem, alice: User) -> None:
    assert services.survey_of(review) is None
    transition(review, "in_review", by=alice)
    survey = services.survey_of(review)
    assert survey is not None and services.is_open(survey)


def test_no_table_links_an_answer_to_a_person(db: None) -> None:
    answer_columns = {f.column for f in Answer._meta.concrete_fields}
    assert answer_columns == {"id", "survey_id", *services.learningcheck.CODES}
    respondent_columns = {f.column for f in Respondent._meta.concrete_fields}
    assert respondent_columns == {"id", "survey_id", "person_id"}
    with connection.cursor() as cursor:  # the database agrees with the models
        names = [
            c.name
            for c in connection.introspection.get_table_description(cursor, "learningcheck_answer")
        ]
    assert not any("user" in n or "person" in n or "_at" in n or "time" in n for n in names)


def test_answering_writes_no_audit_event_and_shuffles_the_rows(
    survey: Survey, alice: User, bob: User, dana: User, erin: User
) -> None:
    before = AuditEvent.objects.count()
    services.answer(survey, alice, scores(1))
    first_key = Answer.objects.get().pk
    for person, value in [(bob, 2), (dana, 3), (erin, 4)]:
        services.answer(survey, person, scores(value))
    assert AuditEvent.objects.count() == before
    assert sorted(a.learned for a in Answer.objects.all()) == [1, 2, 3, 4]
    # every answer is written again at each new answer, under a new random key
    assert not Answer.objects.filter(pk=first_key).exists()


def test_the_rows_order_does_not_follow_the_answers_order(
    review: Postmortem, alice: User, bob: User, dana: User, erin: User
) -> None:
    """Over many surveys, the stored order of the answers is not the order they came in."""
    in_order = 0
    for _ in range(12):
        survey = services.open_learning_check(review)
        Answer.objects.filter(survey=survey).delete()
        Respondent.objects.filter(survey=survey).delete()
        for person, value in [(alice, 1), (bob, 2), (dana, 3), (erin, 4)]:
            services.answer(survey, person, scores(value))
        stored = [a.learned for a in Answer.objects.filter(survey=survey).order_by("pk")]
        in_order += stored == [1, 2, 3, 4]
    assert in_order < 12  # 1/24 chance each if shuffled: all twelve in order never happens


def test_opening_is_recorded_in_the_audit_log(review: Postmortem) -> None:
    services.open_learning_check(review)
    assert AuditEvent.objects.filter(object_type="learningcheck.survey").exists()


def test_results_are_hidden_until_three_have_answered(
    survey: Survey, alice: User, bob: User, dana: User
) -> None:
    services.answer(survey, alice, scores(6))
    services.answer(survey, bob, scores(2))
    hidden = services.results(survey)
    assert (hidden.answered, hidden.eligible, hidden.summary) == (2, 4, None)
    services.answer(survey, dana, scores(7))
    shown = services.results(survey).summary
    assert shown is not None and shown.item("learned").counts == (0, 1, 0, 0, 0, 1, 1)


def test_an_answer_changes_the_insights_data_token(survey: Survey, alice: User) -> None:
    """The health checks are cached per state of the data: an answer is a new state."""
    from secondstory.insights import freshness

    before = freshness.data_version()
    services.answer(survey, alice, scores(5))
    assert freshness.data_version() != before
