"""Write the demo organisation's held review meetings and learning-check answers
(``secondstory.core.demo.reviews``). A postmortem that already has a review meeting or a
learning check is left as it is, so loading the demo again changes nothing."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from django.utils import timezone

from secondstory.accounts.models import User
from secondstory.core.demo.reviews import DemoReview
from secondstory.learningcheck.models import Answer, Respondent, Survey
from secondstory.learningcheck.services import open_days
from secondstory.postmortems.models import Postmortem
from secondstory.reviews.models import ReviewMeeting

LOCATION = "Review room / video call"


def load_demo_reviews(reviews: Sequence[DemoReview]) -> int:
    """Create what is missing; how many reviews were written."""
    keys = [r.postmortem for r in reviews]
    postmortems = {pm.key: pm for pm in Postmortem.objects.filter(key__in=keys)}
    taken = set(
        ReviewMeeting.objects.filter(postmortem__key__in=keys).values_list(
            "postmortem__key", flat=True
        )
    ) | set(
        Survey.objects.filter(postmortem__key__in=keys).values_list("postmortem__key", flat=True)
    )
    names = {n for r in reviews for n in (*r.attended, r.facilitator)}
    people = {u.username: u for u in User.objects.filter(username__in=names)}
    zone = timezone.get_current_timezone_name()
    written = 0
    for review in reviews:
        pm = postmortems.get(review.postmortem)
        if pm is None or review.postmortem in taken:
            continue
        attended = [people[n] for n in review.attended if n in people]
        meeting = ReviewMeeting.objects.create(
            postmortem=pm,
            status="held",
            starts_at=review.held_at,
            time_zone=zone,
            location=LOCATION,
            facilitator=people.get(review.facilitator),
            organizer=pm.owner,
            held_at=review.held_at,
        )
        meeting.attendees.set(attended)
        meeting.attended.set(attended)
        survey = Survey.objects.create(
            postmortem=pm,
            opened_at=review.held_at,
            closes_at=review.held_at + timedelta(days=open_days()),
        )
        Respondent.objects.bulk_create(
            Respondent(survey=survey, person=people[n]) for n in review.answered if n in people
        )
        Answer.objects.bulk_create(Answer(survey=survey, **scores) for scores in review.answers)
        written += 1
    return written
