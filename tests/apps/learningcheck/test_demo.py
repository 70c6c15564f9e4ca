"""The demo organisation's held reviews and learning checks: figures above and below the
threshold, for the insights' learning-check section and the health check."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from secondstory.core import learningcheck
from secondstory.core.demo import demo_postmortems
from secondstory.core.demo.reviews import demo_reviews
from secondstory.core.insights.periods import DateRange
from secondstory.learningcheck import reports
from secondstory.learningcheck.demo import load_demo_reviews
from secondstory.learningcheck.figures import health_rows
from secondstory.learningcheck.models import Answer, Respondent, Survey
from secondstory.postmortems.demo import load_demo
from secondstory.reviews.models import ReviewMeeting

TODAY = date(2026, 6, 30)


def test_the_demo_reviews_are_recent_attended_and_answered_by_attendees() -> None:
    reviews = demo_reviews(demo_postmortems(today=TODAY), today=TODAY)
    assert len(reviews) >= 4
    counts = sorted(len(r.answers) for r in reviews)
    assert counts[0] < learningcheck.MIN_ANSWERS <= counts[1]
    for review in reviews:
        assert TODAY - timedelta(days=182) <= review.held_at.date() < TODAY
        assert set(review.answered) <= set(review.attended)
        assert len(review.answered) == len(review.answers)
        for answer in review.answers:
            assert learningcheck.check_answer(answer) == answer
    unsafe = [a for r in reviews for a in r.answers if learningcheck.unsafe(a["safe_to_speak"])]
    assert unsafe, "one review felt tense"
    assert demo_reviews(demo_postmortems(today=TODAY), today=TODAY) == reviews


@pytest.mark.django_db
def test_the_demo_has_learning_check_figures_and_loading_again_changes_nothing() -> None:
    load_demo(login=False)
    today = timezone.localdate()
    report = reports.scope_report(DateRange(today - timedelta(days=364), today))
    assert report["reviews"] >= 3 and report["hidden_reviews"] == 1
    assert report["results"]["answers"] >= 3 * report["reviews"]
    now = timezone.now()
    rows = health_rows(now - timedelta(days=183), now + timedelta(days=1))
    assert sum(r.answers for r in rows) >= 10 and any(r.unsafe for r in rows)
    meetings = ReviewMeeting.objects.filter(status="held")
    assert meetings.count() == Survey.objects.count()
    assert all(m.attended.exists() for m in meetings)
    before = (ReviewMeeting.objects.count(), Answer.objects.count(), Respondent.objects.count())
    records = demo_postmortems(today=today)
    assert load_demo_reviews(demo_reviews(records, today=today)) == 0
    after = (ReviewMeeting.objects.count(), Answer.objects.count(), Respondent.objects.count())
    assert after == before
